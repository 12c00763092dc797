"""The staff console's words (web/console/, handlers/console.py, handlers/console_link.py)."""

CONSOLE_LINK = "工作台登录链接（{minutes} 分钟内有效，只能使用一次，请勿转发）：\n{url}"
CONSOLE_STAFF_ONLY = "工作台只对网格长、网格员、派单员和职能部门开放。"
CONSOLE_TITLE = "网格通工作台"
CONSOLE_SIGN_IN = "进入工作台"
CONSOLE_SIGN_IN_ASK = "点击下面的按钮进入工作台。登录后 {hours} 小时内有效。"
CONSOLE_LINK_REFUSED = "这个登录链接已使用或已过期。请在聊天中重新发送 /console 获取新链接。"
CONSOLE_SIGNED_OUT = "您已退出工作台。需要时在聊天中发送 /console 获取新链接。"
CONSOLE_SIGN_OUT = "退出"
CONSOLE_NEED_SIGN_IN = "请先登录：在聊天中发送 /console 获取登录链接。"
CONSOLE_NOT_FOUND = "没有这个工单，或您无权查看。"
CONSOLE_STALE_FORM = "页面已过期，请返回后刷新再试。"
CONSOLE_ORDERS = "工单列表"
CONSOLE_FILTER, CONSOLE_RESET, CONSOLE_ANY = "筛选", "重置", "全部"
CONSOLE_FIELDS = {"state": "状态", "grid": "网格", "category": "类别", "urgency": "紧急程度",
                  "light": "红绿灯", "overdue": "仅看超期", "since": "提单自", "until": "提单至",
                  "q": "关键词", "code": "工单号", "sort": "排序", "dir": "顺序"}
CONSOLE_SORTS = {"created_at": "提单时间", "resolve_due": "时限", "code": "工单号",
                 "state": "状态", "urgency": "紧急程度"}
CONSOLE_DIRECTIONS = {"desc": "降序", "asc": "升序"}
CONSOLE_COLUMNS = {"pick": "选择", "light": "红绿灯", "code": "工单号", "category": "类别",
                   "place": "地点", "state": "状态", "created": "提单时间", "due": "时限"}
CONSOLE_EMPTY = "没有符合条件的工单。"
CONSOLE_PREV, CONSOLE_NEXT, CONSOLE_PAGE = "上一页", "下一页", "第 {n} 页"
# The list's size; past the count's cap the page says only that there are more.
CONSOLE_TOTAL, CONSOLE_TOTAL_MORE = "共 {n:,} 件", "超过 {n:,} 件"
# The ledger (台账) of the list as filtered: the orders, or their histories, as a file.
CONSOLE_EXPORT = "导出台账"
CONSOLE_EXPORTS = {"csv": "CSV", "xlsx": "Excel", "events": "办理记录（CSV）"}
CONSOLE_BULK_ASSIGN, CONSOLE_BULK_TO = "批量派单", "派往网格"
CONSOLE_BULK_DONE = "已派单 {done} 件；未能派单 {failed} 件。"
CONSOLE_BACK = "返回列表"
CONSOLE_TIMELINE, CONSOLE_PHOTOS, CONSOLE_PIN = "办理记录", "照片", "位置"
CONSOLE_PIN_LINE = "{place}（纬度 {lat:.5f}，经度 {lng:.5f}）"
CONSOLE_CONTACT = "报事人联系方式"
CONSOLE_CONTACT_NOTE = "每次查看都会记入办理记录。"
CONSOLE_ACTIONS, CONSOLE_NO_ACTIONS = "办理", "您对这个工单没有可办理的操作。"
CONSOLE_ACTION_LABELS = {"sign": "签收", "assign": "派单", "invalid": "不予受理", "merge": "合并",
                         "approve": "批准延期", "deny": "不批准延期", "escalate": "上报上级",
                         "progress": "添加进展", "resolve": "办结"}
CONSOLE_REASON, CONSOLE_MERGE_INTO = "理由或说明", "合并到工单号"
CONSOLE_DONE = "已完成：{action}。"
CONSOLE_DESCRIPTION = "描述"
CONSOLE_HOLDER = "承办"
CONSOLE_MORE_EVENTS = {"contact_viewed": "查看联系方式", "extension_requested": "申请延期",
                       "extension_denied": "不批准延期", "published": "回音壁公开"}
CONSOLE_WHO = "{name}（{roles}）"

# The map and the figures (web/console/map_page.py, figures_page.py, handlers/console_figures.py).
CONSOLE_NAV_LABEL = "工作台页面"
CONSOLE_MAP = "工单地图"
CONSOLE_FIGURES = "数据统计"
CONSOLE_SHOW = "查看"
CONSOLE_MAP_HEAT_WEEKS = "热力图时段"
CONSOLE_WEEKS = {"1": "近1周", "2": "近2周", "4": "近4周", "8": "近8周", "12": "近12周"}
CONSOLE_MAP_LAYERS = {"cells": "网格红绿灯", "pins": "在办工单", "heat": "提单热力"}
CONSOLE_MAP_HINT = "网格颜色取其在办工单中最紧的红绿灯；点击网格查看该网格的工单列表。"
CONSOLE_MAP_NO_SCRIPT = "地图需要浏览器启用脚本；下表列出同样的网格和工单数。"
CONSOLE_MAP_NONE = "无在办工单"
CONSOLE_MAP_MORE_PINS = "在办工单较多，地图上只标出时限最近的 {n} 件；网格颜色按这些工单计算。"
CONSOLE_MAP_MORE_HEAT = "该时段工单较多，热力图只计入最近提交的 {n} 件。"
CONSOLE_MAP_COUNTS = "在办 {open} 件：红 {red} · 黄 {yellow} · 绿 {green}"
CONSOLE_MAP_TOOLTIP = "{name}：{counts}"
CONSOLE_MAP_FIELD = "{label}："
CONSOLE_MAP_COLUMNS = {"grid": "网格", "open": "在办", "red": "红", "yellow": "黄",
                       "green": "绿", "list": "工单列表"}
CONSOLE_MAP_HEAT_COUNT = "{weeks}提单 {n} 件（有定位的），用于热力图。"
CONSOLE_PERIOD = "统计时段"
CONSOLE_PERIODS = {"last_week": "上周", "this_week": "本周（至今）", "4w": "近4周（整周）",
                   "12w": "近12周（整周）"}
CONSOLE_PERIOD_SPAN = "{start} 至 {end}"
CONSOLE_FIGURES_NO_GRIDS = "统计按网格计算；您的工作范围不含网格，没有可显示的指标。"
CONSOLE_FIGURE_NAMES = {"timely_sign_rate": "及时签收率", "on_time_rate": "按期办结率",
                        "resolution_rate": "办结率", "overdue_rate": "超期率",
                        "satisfaction_rate": "满意率", "solve_rate": "解决率",
                        "reopen_rate": "重办率", "return_rate": "回退率",
                        "small_matters_rate": "小事不出网格率",
                        "big_matters_rate": "大事不出社区率"}
CONSOLE_FIGURES_UNIT, CONSOLE_FIGURES_LEVEL, CONSOLE_FIGURES_NEW = "单位", "层级", "新增工单"
CONSOLE_FIGURES_TABLE = "各层级指标（{span}）"
CONSOLE_FIGURES_CHART = "{unit} 主要指标"
CONSOLE_FIGURES_TREND = "近{weeks}周趋势（{unit}）"
CONSOLE_FIGURES_WEEK = "周"
CONSOLE_FIGURES_RANKING = "网格综合得分：红榜与黑榜"
CONSOLE_FIGURES_RANK, CONSOLE_FIGURES_SCORE = "名次", "综合得分"
CONSOLE_FIGURES_SCORE_NOTE = "综合得分为及时签收率、解决率、满意率与按期办结率中有数据者的平均。"
CONSOLE_FIGURES_RED, CONSOLE_FIGURES_BLACK = "红榜（得分最高）", "黑榜（得分最低）"
CONSOLE_FIGURES_NO_RANKING = "本时段没有可排名的网格。"
CONSOLE_FIGURES_RED_LIST = "督办红名单（超期仍未办结）"
CONSOLE_FIGURES_NO_RED_LIST = "没有列入红名单的在办工单。"
CONSOLE_FIGURES_NOTE = "“—”表示该指标本时段没有可计算的工单（分母为零）。"
CONSOLE_CHART_ALT = "{title}（图中数字见下表）"
