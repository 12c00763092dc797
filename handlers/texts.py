"""Every sentence the bot says, in one place (zh-CN first), so a reviewer can read them all."""
from __future__ import annotations

PRIVACY_NOTICE = (
    "欢迎使用网格通！在您使用前，请了解：\n"
    "• 我们保存：您的称呼、聊天账号（平台和账号标识）、您选择提供的电话和住址网格；"
    "您上报的文字、照片、语音和上报地点（只保存上报点，不记录行动轨迹）；工单的处理记录和先锋积分。\n"
    "• 谁能看到：只有负责处理的网格长、派单员和职能部门能看到您的身份和电话；被反映的人看不到；"
    "回音壁公开时只写网格、社区或街道名，隐去姓名、电话、微信号、门牌号和原始照片。\n"
    "• 您的权利：随时发送 /mydata 查看我们保存的您的信息；发送 /delete 删除您的个人信息"
    "（工单去掉您的身份、您写的文字、照片和语音后保留，仅用于统计；发给别人的消息中引用您的内容一并删除）。"
)
CONSENT_YES, CONSENT_NO = "同意并继续", "不同意"
CONSENT_DECLINED = "已尊重您的选择，我们不会保存您的信息。如改变主意，发送 /start 即可。"
ASK_ROLE = "请选择您的身份："
ROLE_RESIDENT, ROLE_RIDER = "居民", "流动网格员（快递/外卖/网约车）"
ASK_HOME = "请输入您的小区和楼栋（如“{example}”），以便默认上报到您的网格；也可以跳过。"
ASK_PLATFORM = "您在哪个平台跑单？"
PLATFORMS = ("美团", "饿了么", "顺丰", "京东", "其他")
SKIP, BACK, CANCEL = "跳过", "返回上一步", "取消"
HOME_SET = "已设置您的网格：{grid}。"
ONBOARDED_RESIDENT = "设置完成。遇到问题随时发照片、位置或文字给我，我帮您立单派给网格长。"
ONBOARDED_RIDER = (
    "设置完成，感谢您成为流动网格员！快速上报：发照片 → 发位置 → 点一下类别，三步立单，"
    "有效上报可得先锋积分：发送 /points 查看，/nickname 设置昵称上排行榜（可不设）。"
)
MENU = "需要做什么？"
MENU_REPORT, MENU_MY, MENU_GRID = "我要报事", "我的工单", "我的网格长"

INVITE_OK = "绑定成功：您现在是「{grid}」的{role}。发送 /todo 查看待办工单。"
ROLE_LABELS = {"leader": "网格长", "member": "网格员", "dispatcher": "派单员", "department": "职能部门"}

ASK_CATEGORY = "请选择问题类别，或直接用一句话描述问题："
SUGGESTED = "根据您的描述，可能是以下类别，请点选："
MORE_CATEGORIES = "更多类别"
ASK_DESCRIPTION = "请简单描述问题（文字或语音）："
ASK_PHOTOS = "可以发送照片（最多 {n} 张，可一次选多张）；没有照片请点“跳过”。"
PHOTO_SAVED = "已收到第 {n} 张照片。"
PHOTOS_FULL = "最多 {n} 张照片，已收到 {n} 张。"
PHOTOS_DONE = "完成"
ASK_LOCATION = "请发送位置（{how}），或输入地址（如“{example}”）："
LOCATION_HOW = {"telegram": "📎→位置", "wechat": "＋→位置", "wecom": "＋→位置", "web": "点 📍 再点地图", "": "分享位置"}
PICK_ADDRESS = "找到以下地点，请选择："
NONE_OF_THESE = "都不是"
NO_ADDRESS_MATCH = "没有找到这个地址，工单会交给社区派单员人工分派。"
OUTSIDE_AREA = "这个位置不在本街道的网格内，工单会交给街道派单员人工分派。"
SUMMARY = "请确认：\n类别：{category}\n描述：{description}\n照片：{photos} 张\n地点：{place}"
CONFIRM = "确认提交"
SAME_ISSUE = "附近已有同类工单 {code}（{place}，{state}）。是同一个问题吗？"
METOO_YES, METOO_NO = "同一个问题？+1", "不是，单独提交"
METOO_DONE = "已为您关注工单 {code}，处理进展会同步通知您。感谢反映！"
FILED = "已提交工单 {code}。\n类别：{category}\n负责：{unit}\n签收时限：{sign_by}\n我们会及时告知处理进展。"
FILED_QUEUE = "已提交工单 {code}，交由{unit}人工分派，分派时限：{sign_by}，分派后会通知您。"
EMERGENCY = "⚠️ 如有人身危险，请立即拨打：火警 119 · 急救 120 · 报警 110 · 燃气抢修请联系燃气公司。"
CANCELLED = "已取消。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。"
EXPIRED = "上次的填写超过 30 分钟未完成，已为您清空。需要时请重新开始。"
TOO_LONG = "内容过长，已截取前 {n} 个字。"
UNSUPPORTED = "暂不支持这类消息。请发送文字、照片、语音或位置。"
# Photos refused when received (the web chat answers these with its 4xx).
PHOTO_TOO_LARGE = "照片太大：请上传不超过 {mb} MB 的图片。"
PHOTO_EMPTY = "没有收到照片内容，请重新选择图片。"
PHOTO_NOT_AN_IMAGE = "只能上传 JPEG 或 PNG 格式的照片，这个文件不是可识别的图片。"
PHOTO_WRONG_FORMAT = "只能上传 JPEG 或 PNG 格式的照片，这个文件是 {kind}。"
PHOTO_TOO_MANY_PIXELS = "照片像素过多（超过 {megapixels} 百万像素），请缩小后再上传。"
RATE_LIMITED = "您这一小时提交的工单较多（{n} 条），请稍后再试。如遇紧急情况请拨打 110/119/120。"
NOT_UNDERSTOOD = ("没太明白。发送 /report 报事，/my 查看我的工单，/grid 查看我的网格长，/agenda 查看社区议题，"
                  "/points 查看先锋指数（流动网格员），/mydata 查看我的信息，/delete 删除我的信息。")
NEED_CONSENT = "请先发送 /start 阅读并同意隐私说明。"

MY_EMPTY = "您还没有上报过工单。"
MY_HEADER = "您最近的工单："
MY_LINE = "{light}{code} {category} · {state}{due}"
DETAIL = "工单 {code}\n类别：{category}\n状态：{state}\n地点：{place}\n时间线：\n{timeline}"
NO_SUCH_ORDER = "没有找到这个工单，或您无权查看。"
GRID_LEADER = "您的网格：{grid}\n网格长：{leader}\n职责：{duty}\n电话：{phone}"
GRID_UNKNOWN = "还不知道您的网格。请在 /start 中设置住址，或上报时发送位置。"

NEW_ORDER = "📋 新工单 {code}【{urgency}】\n类别：{category}\n地点：{place}\n描述：{description}\n签收时限：{sign_by}"
SIGN, RETURN, ESCALATE = "签收", "退回", "上报"
PROGRESS, RESOLVE, EXTEND = "进展", "办结", "申请延期"
ASK_RETURN_REASON = "请说明退回原因："
ASK_ESCALATE_REASON = "请说明上报原因："
ASK_PROGRESS = "请填写进展说明（上报人可见）："
ASK_RESOLVE = "请填写办结说明，可附照片（最多 {n} 张，先发后发都可以）："
ASK_EXTEND = "请说明延期原因和天数，如“需要协调物业 3”："
SIGNED = "已签收 {code}，办结时限：{resolve_by}。"
RETURNED = "已退回 {code}，交{unit}重新分派。"
ESCALATED = "已上报 {code} 至{unit}。"
PROGRESS_SAVED = "进展已记录并告知上报人。"
RESOLVED = "已办结 {code}，等待上报人评价。"
EXTENSION_ASKED = "延期申请已提交{unit}审批。"
TODO_EMPTY = "没有待办工单。"
TODO_HEADER = "待办工单（按时限排序）："
NOT_ALLOWED = "您无权处理这个工单。"

QUEUE_ORDER = "📥 待分派 {code}【{urgency}】{category}\n地点：{place}\n描述：{description}\n原因：{why}"
ASSIGN, INVALID, MERGE = "派单", "不予受理", "合并"
ASK_ASSIGN = "请选择派往的网格或部门："
ASK_INVALID_REASON = "请说明不予受理的原因："
ASK_MERGE_TARGET = "请输入要合并到的工单号（如 WG-20261122-0042）："
ASSIGNED = "已将 {code} 派给{unit}。"
INVALIDATED = "已将 {code} 标记为不予受理。"
MERGED = "已将 {code} 合并到 {into}。"
EXTENSION_REQUEST = "⏳ {code} 申请延期 {days} 天：{reason}"
APPROVE, DENY = "同意延期", "驳回"
EXTEND_TYPED = "延期"   # typed with an order number on WeCom, as 申请延期 is
EXTENSION_APPROVED = "{code} 已延期至 {resolve_by}。"
EXTENSION_DENIED = "{code} 的延期申请未获批准。"

ASK_SOLVED = "工单 {code} 已办结：{note}\n问题解决了吗？"
SOLVED_YES, SOLVED_NO = "已解决", "未解决"
ASK_SATISFACTION = "请对处理结果评价："
ASK_UNSATISFIED_REASON = "很抱歉没让您满意，请说明原因，我们会安排重新办理："
THANKS_RATED = "感谢评价！工单 {code} 已结案。"
REOPENED_NOTICE = "已按您的意见重新办理工单 {code}。"

# Notices that tell the reporter and me-too followers what changed, in plain Chinese.
NOTICE = {
    "dispatched": "工单 {code} 已派给{unit}，等待签收。",
    "signed": "工单 {code} 已由{unit}签收，正在办理。",
    "progress": "工单 {code} 有新进展：{reason}",
    "returned": "工单 {code} 正在重新分派。",
    "escalated": "工单 {code} 已上报至{unit}处理。",
    "extended": "工单 {code} 的办理时限延长至 {resolve_by}。",
    "resolved": "工单 {code} 已办结：{reason}",
    "rated": "工单 {code} 已结案，感谢您的评价。",
    "reopened": "工单 {code} 已重新办理。",
    "closed_unrated": "工单 {code} 已结案。",
    "invalidated": "工单 {code} 不予受理：{reason}",
    "merged": "您反映的问题已并入工单 {into}，进展会继续通知您。",
}

# The scheduler's clocks (handlers/clocks.py): reminders, 督办, red list, rating reminders.
CLOCK_SIGN_SOON = "⏰ 工单 {code}（{category}，{place}）签收时限已过 {percent}%，请在 {due} 前签收。"
CLOCK_SIGN_LATE = "⏰ 工单 {code}（{category}，{place}）已超过签收时限 {due}，请尽快签收；长时间未签收将自动上报上级。"
CLOCK_RESOLVE_SOON = "⏰ 工单 {code}（{category}，{place}）办结时限已过 {percent}%，请在 {due} 前办结。"
CLOCK_UNSIGNED_ESCALATED = "超过两倍签收时限仍未签收，自动上报"
CLOCK_OVERDUE_ESCALATED = "超过办结时限 {due} 仍未办结，督办上报"
SUPERVISED_HANDLER = "🔴 督办：工单 {code}（{category}，{place}）已超过办结时限 {due}，仍未办结。{then}"
SUPERVISED_THEN_UP = "已上报{unit}督办。"
SUPERVISED_THEN_HURRY = "请立即办理。"
SUPERVISED_SUPERIOR = "🔴 督办：{unit}负责的工单 {code}（{category}，{place}）已超过办结时限 {due}，仍未办结。"
RED_LISTED = "🟥 红榜：工单 {code}（{category}，{place}）超过办结时限 {days} 个工作日仍未办结，已列入红榜，将在周报中通报。"
RED_LISTED_REASON = "超过办结时限 {days} 个工作日仍未办结"
RATE_REMINDER = "工单 {code} 已办结：{note}\n还没有收到您的评价。问题解决了吗？逾期未评价将自动结案。"

# WeChat 公众号 and WeCom (bot/wechat, bot/wecom): numbered options where there are no buttons,
# messages held by the 48-hour customer-service window, the menu, template messages.
WECHAT_OPTION = "回复 {n} {label}"
WECHAT_HELD = "您有 {n} 条工单进展："
WECHAT_MENU_WALL = "回音壁"
WECHAT_TEMPLATE_FIRST = "您的工单有新进展"
WECHAT_TEMPLATE_REMARK = "请进入公众号查看详情并回复。"
WECOM_BUTTON_DONE = "已提交"

# --- The echo wall (回音壁), /subscribe, and the weekly digest (周报) ----------------------------
ECHO_POST = ("📣 回音壁 · {code}\n类别：{category}\n地点：{place}\n"
             "上报：{reported} · 办结：{closed} {timing}\n承办：{unit}\n结果：{summary}\n评价：{rating}")
ECHO_POST_MD = ("### 📣 回音壁 · {code}\n> 类别：{category}\n> 地点：{place}\n"
                "> 上报：{reported} · 办结：{closed} <font color=\"info\">{timing}</font>\n"
                "> 承办：{unit}\n> 结果：{summary}\n> 评价：**{rating}**")
ECHO_ON_TIME, ECHO_LATE = "按期办结", "超期办结"
ECHO_RATING_GOOD, ECHO_RATING_FAIR, ECHO_RATING_BAD = "满意", "基本满意", "不满意"
ECHO_UNRATED = "未评价"
ECHO_UNLOCATED = "未定位"
ECHO_UNIT_UNKNOWN = "街道派单中心"
ECHO_UNIT_MICRO = "{grid}楼栋网格"
ECHO_NO_SUMMARY = "已办结"
ECHO_PAGE_TITLE = "回音壁"
ECHO_PAGE_MOTTO = "事事有着落，件件有回音"
ECHO_PAGE_NOTE = "公开内容已隐去姓名、电话、门牌号和原始照片；位置只到小区或网格。"
ECHO_ALL_COMMUNITIES, ECHO_ALL_CATEGORIES, ECHO_FILTER = "全部社区", "全部类别", "筛选"
ECHO_RATES_TITLE = "近 30 天各网格三率与按期办结率"
ECHO_RATES_HEAD = ("网格", "响应率", "解决率", "满意率", "按期办结率")
ECHO_EMPTY = "暂无公开的办结工单。"
ECHO_ENTRIES_TITLE = "最新办结"
ECHO_LABELS = {"place": "地点", "reported": "上报", "closed": "办结", "unit": "承办",
               "summary": "结果", "rating": "评价"}

SUBSCRIBED = "已订阅「{community}」社区周报，每周一上午送达。退订请发送 /unsubscribe。"
SUBSCRIBED_NO_HOME = "已订阅社区周报。还不知道您住在哪个社区：发送 /start 设置住址后即可收到。"
UNSUBSCRIBED = "已退订社区周报。想再收到时发送 /subscribe。"
NOT_SUBSCRIBED = "您还没有订阅社区周报，发送 /subscribe 即可订阅。"

DIGEST_NO_RATE = "—"
DIGEST_RESIDENT = ("📰 {community}周报（{start}—{end}）\n本周新报事 {new} 件，办结 {resolved} 件；"
                   "按期办结率 {on_time}，满意率 {satisfied}。")
DIGEST_HIGHLIGHTS = "回音壁精选："
DIGEST_HIGHLIGHT = "• {category} · {place}：{summary}（{rating}）"
DIGEST_NO_HIGHLIGHTS = "本周回音壁暂无新内容。"
DIGEST_RESIDENT_FOOTER = "退订请发送 /unsubscribe。"
DIGEST_LEADER = ("📋 {grid}周报（{start}—{end}）\n三率：响应率 {response} · 解决率 {solved} · "
                 "满意率 {satisfied}；按期办结率 {on_time}\n在办工单 {open} 件，其中超期 {overdue} 件。")
DIGEST_OPEN_HEADER = "在办工单（按办结时限排序）："
DIGEST_OPEN_LINE = "{light} {code} {category} · {place} · 办结时限 {due}"
DIGEST_NO_OPEN = "没有在办工单。"
DIGEST_MORE = "……另有 {n} 件"
DIGEST_STAFF = "🏅 {unit}网格排名（{start}—{end}）"
DIGEST_RED = "红榜（综合得分最高）："
DIGEST_BLACK = "黑榜（综合得分最低）："
DIGEST_RANK_LINE = ("{n}. {grid} {score}（响应 {response} · 解决 {solved} · 满意 {satisfied} · "
                    "按期 {on_time}）")
DIGEST_NO_RANKING = "本周数据不足，暂不排名。"
DIGEST_OVERDUE = "超期未办结工单 {count} 件："
DIGEST_OVERDUE_LINE = "• {code} {category} · {grid} · 超期 {days} 天"
DIGEST_RED_LIST = "督办红名单（督办后仍超期未办结）："
DIGEST_RED_LIST_LINE = "• {code} {category} · {grid} · 办结时限 {due}"
DIGEST_LEADERBOARD = "先锋指数榜（{month}）："
DIGEST_LEADERBOARD_LINE = "{n}. {nickname} {points} 分"
DIGEST_NO_LEADERBOARD = "本月暂无上榜的流动网格员。"
CHART_RESIDENT = "{community} 本周各网格按期办结率与满意率"
CHART_LEADER = "{grid} 本周三率与按期办结率"
CHART_STAFF = "{unit} 网格综合得分：红榜与黑榜"
CHART_ON_TIME, CHART_SATISFIED, CHART_SCORE = "按期办结率", "满意率", "综合得分"
CHART_NO_DATA = "暂无数据"
RATE_NAMES = ("响应率", "解决率", "满意率", "按期办结率")

# Voice notes without a transcript (Telegram gives none).
VOICE_ONLY = "（语音留言，见附件）"
VOICE_SAVED = "已收到语音留言。"

# 先锋指数: a rider's own points (/points) and the opt-in leaderboard name (/nickname).
POINTS_RIDERS_ONLY = "先锋指数只记给流动网格员（快递员、外卖骑手、网约车司机）。发送 /start 可选择身份。"
POINTS_MINE = "{month}先锋指数：{points} 分（每月上限 {cap} 分，不可兑现、不可转让）。"
POINTS_RESIDENT = ("{month}参与积分：{points} 分（每月上限 {cap} 分）。报事经核实 +5，"
                   "支持议题 +1，参与议题讨论 +1，参加议事会 +5；不可兑现、不可转让。")
POINTS_RANK = "排行榜：第 {rank} 名（共 {of} 人上榜），昵称「{nickname}」。"
POINTS_OFF_BOARD = "您还没有设置昵称，所以不在排行榜上。发送“/nickname 昵称”即可上榜。"
NICKNAME_SHOW = "您在排行榜上的昵称是「{nickname}」。发送“/nickname 新昵称”修改，“/nickname 清除”下榜。"
NICKNAME_NONE = "发送“/nickname 昵称”（{longest} 个字以内）即可上先锋指数排行榜；不设昵称就不上榜。"
NICKNAME_SET = "好的，排行榜上您将显示为「{nickname}」。"
NICKNAME_CLEARED = "已清除昵称，您不再出现在排行榜上。"
NICKNAME_REFUSED = "昵称须为 1–{longest} 个字，且不能含姓名、电话、证件号、车牌或微信号等个人信息。"
NICKNAME_CLEAR_WORDS = ("清除", "取消", "-")

# --- Who may see and follow an order; poison updates (handlers/access.py, handlers/chat.py) ----
METOO_REFUSED = "只能在您自己正在上报的问题附近关注同类工单：请发送位置，由系统为您查找附近的工单。"
TURN_FAILED = "抱歉，系统出了点问题，您的这条消息没有处理成功，请稍后再试。"
NO_EXTENSION_PENDING = "工单 {code} 没有待审批的延期申请。"
EXTENSION_APPROVED_DONE = "已同意 {code} 延期。"
EXTENSION_DENIED_DONE = "已驳回 {code} 的延期申请。"
ILLEGAL_STATE = "工单当前状态为「{state}」，不能进行这个操作。"
REASON_REQUIRED = "请说明原因后再提交。"

# --- Privacy rights (handlers/privacy_rights.py): the notice's retention line, /mydata, /delete --
PRIVACY_RETENTION = ("• 保存多久：工单办结满 {days} 天后，工单上您的身份、联系方式、您写的文字、照片和语音"
                     "会被删除，工单只作统计。")
PRIVACY_AGREE = "同意后即可上报。"
MYDATA_NOTHING = "我们没有保存您的任何个人信息。发送 /start 开始使用。"
MYDATA_HEADER = "网格通保存的您的信息："
MYDATA_NAME = "称呼：{name}"
MYDATA_ROLE = "身份：{role}"
MYDATA_STAFF_ROLE = "{grid}{role}"
MYDATA_CONSENT = "同意隐私说明：{at}"
MYDATA_NO_CONSENT = "同意隐私说明：未同意"
MYDATA_CHANNELS = "聊天账号：{channels}"
MYDATA_PHONE = "电话：{phone}"
MYDATA_HOME = "住址网格：{grid}"
MYDATA_NICKNAME = "榜单昵称：{nickname}"
MYDATA_PLATFORM = "跑单平台：{platform}"
MYDATA_PARTY = "党员（名册登记）"
MYDATA_PARTY_GROUP = "党员（名册登记），{grid}网格党小组成员"
MYDATA_ORDERS = "上报的工单：{n} 件"
MYDATA_ORDER_LINE = "  {code} {state}"
MYDATA_MORE = "  ……另有 {n} 件"
MYDATA_POINTS = "本月先锋积分：{points} 分"
MYDATA_DIGEST = "社区周报：{state}"
MYDATA_SUBSCRIBED, MYDATA_NOT_SUBSCRIBED = "已订阅", "未订阅"
MYDATA_FOLLOWING = "关注的工单：{codes}"
MYDATA_NONE = "无"
MYDATA_FOOTER = "工单办结满 {days} 天后，其上的身份和联系方式会被匿名化。删除请发送 /delete。"
CHANNEL_LABELS = {"telegram": "Telegram", "wechat": "微信公众号", "wecom": "企业微信",
                  "web": "网页聊天"}
KIND_LABELS = {"resident": "居民", "rider": "流动网格员", "staff": "工作人员",
               "external_system": "外部系统"}
DELETE_CONFIRM = ("确定要删除您的个人信息吗？将删除：您的称呼、电话、住址网格、榜单昵称、聊天账号绑定、"
                  "进行中的对话、周报订阅和工单关注，以及先锋积分。您上报过的 {n} 件工单会去掉您的身份、"
                  "电话、描述、照片和语音后保留，仅用于统计（个人信息保护法第四十七条）。删除后无法恢复。")
DELETE_YES, DELETE_NO = "确认删除", "不删除"
DELETE_DONE = ("已删除您的个人信息。您不会再收到工单进展通知。"
               "如需再次使用，发送 /start，我们会重新征求您的同意。")
DELETE_KEPT = "没有删除，您的信息保持不变。"
DELETE_NOTHING = "我们没有保存您的个人信息，无需删除。"
DELETE_STAFF_REFUSED = ("您是网格工作人员，姓名和职责在网格长公示中公开，由社区统一管理。"
                        "如需删除或更正，请联系社区管理员从名册中移除。")
ERASED_PERSON = "已注销用户"
# What stands where an erased person's words were: in an order, its history and messages.
ERASED_WORDS = "〔内容已按报事人要求删除〕"
ERASED_DESCRIPTION = "〔报事人的描述已删除〕"
WITHDRAW_CONFIRM = ("您之前已同意隐私说明。撤回同意就是删除您的个人信息，和 /delete 一样：{n} 件工单去掉"
                    "您的身份、描述、照片和语音后仅作统计，删除后无法恢复。确定撤回吗？")
WITHDRAW_YES, WITHDRAW_NO = "撤回同意并删除", "保留，不撤回"
CONSENT_STANDS = "您的同意仍然有效，信息没有删除。要撤回同意，随时发送 /delete。"

# Every order held by someone (handlers/holders.py): who holds an order when its own grid has no
# one, what the resident reads then, and the dispatcher's clock on a queue.
OPERATOR_UNIT = "值班员"
HELD_ABOVE = "（{place}暂无网格长，由上级{post}接手）"
HELD_BY_OPERATOR = "（{place}所在网格及上级暂无负责人）"
FILED_UNHELD = ("已提交工单 {code}。{place}所在网格及上级目前都没有负责人，暂时无人签收；"
                "工单已登记，签收时限 {sign_by}，管理员会看到这张无人负责的工单并尽快安排。")
QUEUE_SIGN_BY = "\n分派时限：{sign_by}"
CLOCK_ASSIGN_SOON = "⏰ 待分派工单 {code}（{category}，{place}）分派时限已过 {percent}%，请在 {due} 前派单。"
CLOCK_ASSIGN_LATE = ("⏰ 待分派工单 {code}（{category}，{place}）已超过分派时限 {due}，请尽快派单；"
                     "长时间未分派将自动上报上级。")
CLOCK_UNASSIGNED_ESCALATED = "超过两倍分派时限仍未分派，自动上报"

# --- Dialogs people can finish: back at every step, photos one by one, 办结 in any order -------
BACK_WORDS = ("返回", "上一步", "返回上一步")
CANCEL_WORDS = ("取消", "退出")
BACK_FIRST = "已经是第一步了。"
BACK_NOTHING = "当前没有可以返回的步骤。"
KEEP = "保留不变"
CURRENT_VALUE = "当前：{value}"
PHOTO_MORE = "已收到第 {n} 张照片。还可以再发 {left} 张，发完请点“完成”。"
PHOTOS_SO_FAR = "已收到 {n} 张照片，还可以再发 {left} 张；发完请点“完成”。"
EXAMPLE_PLACE = "幸福小区1号楼"          # only when the loaded district has no grid at all
RESOLVE_PHOTO_SAVED = "已收到第 {n} 张办结照片。请填写办结说明（上报人可见）："
RESOLVE_NOTE_SAVED = "已记下办结说明（已附 {n} 张照片）。还可以发照片（最多 {most} 张），或点“完成办结”。"
RESOLVE_FINISH = "完成办结"
RESOLVE_FINISH_WORDS = ("完成", "完成办结", "办结")
RESOLVE_NEED_NOTE = "还差办结说明：请填写办结说明（上报人可见），再点“完成办结”。"
LEADER_UNLISTED = "（已在线，姓名待花名册登记）"
STAFF_UNNAMED = "网格工作人员"
# --- The handler's view (handlers/order_view.py, report.py's phone step, transports) -----------
# A new order's evidence and the reporter's phone: the number only behind 查看联系方式, logged.
CONTACT_LEFT = "📞 报事人已留电话，点「查看联系方式」。"
CONTACT_VIEW = "查看联系方式"
CONTACT_SHOWN = "工单 {code} 报事人电话：{phone}\n（本次查看已记录，请仅用于办理本工单。）"
CONTACT_NONE = "工单 {code} 的报事人没有留电话。"
CONTACT_REFUSED = "只有正在办理这张工单的人可以查看报事人的联系方式。"
CONTACT_CLOSED = "工单 {code} 已结束，不能再查看报事人的联系方式。"
ASK_PHONE = "留个电话方便网格长联系？号码只给办理这张工单的网格长看，每次查看都有记录。可直接输入号码，或点「跳过」。"
SHARE_PHONE = "📱 发送我的手机号"
PHONE_SAVED = "已记下您的电话，只有办理您工单的网格长能查看。"
PHONE_NOT_UNDERSTOOD = "没有看懂这个号码。请输入手机号（如 13800138000）或带区号的座机号，或点「跳过」。"
PHONE_NOT_YOURS = "请分享您本人的手机号。"
MAP_LINK = "📍 {title}地图：{url}"
MAP_PLACE = "位置"
VOICE_NOT_SENT = "🎤 报事人留了一段语音，此渠道无法播放。"

# Command menus (handlers/menus.py): what each command does, as a platform's menu shows it.
COMMAND_HELP = {
    "report": "我要报事", "my": "我的工单", "grid": "我的网格长",
    "points": "我的积分", "nickname": "设置榜单昵称", "subscribe": "订阅社区周报",
    "unsubscribe": "退订社区周报", "mydata": "我的信息", "delete": "删除我的信息",
    "cancel": "取消当前操作", "help": "帮助", "todo": "我的待办工单",
    "console": "工作台登录链接",
    "opinion": "民意直报",
    "agenda": "社区议题",
}

# --- Labels: the domain's codes (its enums' values) as people read them ------------------------
STATE_LABELS = {"submitted": "已提单", "dispatched": "已派单", "accepted": "办理中",
                "resolved": "已办结待评价", "closed": "已结案", "invalid": "不予受理",
                "merged": "已合并"}
URGENCY_LABELS = {"emergency": "特急", "urgent": "紧急", "normal": "一般", "complex": "复杂",
                  "consult": "咨询/建议"}
SATISFACTION_LABELS = {"very_satisfied": "非常满意", "satisfied": "满意",
                       "basically_satisfied": "基本满意", "unsatisfied": "不满意",
                       "very_unsatisfied": "非常不满意"}
LEVEL_LABELS = {"county": "区县", "street": "街道", "community": "社区", "grid": "网格", "micro_grid": "微网格"}
LIGHT_LABELS = {"green": "绿", "yellow": "黄", "red": "红"}
EVENT_LABELS = {
    "submitted": "提交", "dispatched": "派单", "signed": "签收", "progress": "进展",
    "returned": "退回重派", "escalated": "上报", "extended": "延期", "resolved": "办结",
    "rated": "评价结案", "reopened": "重办", "closed_unrated": "结案", "invalidated": "不予受理",
    "merged": "合并", "followed": "有人+1", "supervised": "督办", "reminded": "提醒",
    "commented": "补充说明", "lifted": "提升为议题",
}

# --- Refusals: every `DomainError` key (domain/refusals.py and the handlers' own) --------------
# NOT_ALLOWED, ILLEGAL_STATE, REASON_REQUIRED, NO_SUCH_ORDER, ... above are refusals' keys too.
ACTION_REFUSED = "这个操作现在不能进行。"
FOREIGN_BUTTON = "这个按钮已失效，请使用最新消息中的按钮。"
MERGE_INTO_ITSELF = "工单 {code} 不能合并到它自己。"
MERGE_INTO_FINAL = "工单 {code} 已{state}，不能合并进去。"
INVITE_UNKNOWN = "邀请码不正确，请核对后重试。"
INVITE_USED = "该邀请码已被使用，请向管理员索取新的邀请码。"
INVITE_EXPIRED = "该邀请码已过期，请向管理员索取新的邀请码。"
NO_LEADER_TO_ASSIGN = "{unit}还没有网格长，无法派单。"
DEPARTMENT_OUTSIDE_STREET = "只能派给本街道的职能部门。"
# Staff targets are checked at the press (handlers/access.py): a merge target or a dispatch unit
# outside the actor's own subtree is refused without saying whether such an order exists.
MERGE_TARGET_REFUSED = "只能合并到您辖区内同一大类的未结工单，{code} 不在其中。"
MERGE_PRIVATE_REFUSED = "涉及个人隐私的类别（矛盾纠纷、举报、食品安全线索等）的工单不能合并，也不能被合并进去。"
DISPATCH_TARGET_REFUSED = "只能派往派单菜单中列出的本辖区网格或部门，请点“派单”重新选择。"
# --- Pieces that sentences above are built from ------------------------------------------------
LIST_SEPARATOR = "、"
NOTE_JOINER = "；"
NO_TEXT = "（无）"
NO_DESCRIPTION = "（无文字描述）"
UNPLACED = "未定位"
DISPATCHER_UNIT = "派单员"
QUEUE_UNIT = "{name}派单员"
UNIT_ABOVE = "上级"
LEADER_VACANT = "（待配备）"
DUE_SUFFIX = " · {due}"
TIMELINE_LINE = "{at} {event}"
TIMELINE_REASON = "：{reason}"
TODO_LINE = "[{light}] {code} {category} · {state} · {due}"
QUEUE_WHY_UNPLACED = "无法自动定位网格"
QUEUE_WHY_UNHELD = "无人负责"
QUEUE_WHY_RETURNED = "退单：{reason}"
QUEUE_MANUAL = "待人工分派"
EMERGENCY_PREFIX = "🚨 特急 "
ESCALATED_TO_YOU = "⬆️ 上报 {order}\n原因：{reason}"
RATED_TO_HANDLER = "工单 {code} 已评价：{satisfaction}，已结案。"
REOPENED_TWICE_REASON = "上报人两次不满意：{reason}"
REOPENED_TO_HANDLER = "🔁 工单 {code} 上报人不满意，需重新办理：{reason}\n新的办结时限：{resolve_by}"
EXTENSION_APPROVED_REASON = "批准延期 {days} 天"
# 不予受理 reasons with one of these words call the report false (it costs the reporter points).
FALSE_REPORT_WORDS = ("虚假", "不实", "谎报", "恶意")
HOME_NO_MATCH = "没有找到这个地址，请换个说法或跳过。"
DATE_DAY = "%m月%d日"          # strftime formats
DATE_MONTH = "%Y年%m月"
WALL_PHOTO_ALT = "办结照片"
WEB_BAD_SESSION = "会话编号只能由字母、数字、- 和 _ 组成（最多 64 个字符）。"
WEB_UNSUPPORTED = "请发送文字、点选按钮或在地图上选点。"
# Which deadline a line shows: the order's next one, by its name.
SIGN_BY = "签收时限 {due}"
RESOLVE_BY = "办结时限 {due}"
# Where /my's traffic light would be, for an order whose clock has stopped (the lines align).
NO_LIGHT = "⚪ "
# A button pressed after its moment: nothing is changed, and the person is told which.
STALE_ORDER = "这个按钮已过时：工单 {code} 当前为「{state}」，没有做任何更改。"
STALE_STEP = "这个按钮已过时：「{step}」这一步已经结束，没有做任何更改。"
STEP_LABELS = {"consent": "隐私同意", "role": "选择身份", "platform": "选择平台",
               "home": "设置常住网格", "category": "选择类别", "pick": "选择地点",
               "skip": "报事", "metoo": "同一问题确认", "confirm": "确认提交",
               "delete": "删除确认"}

# Parts of this catalogue kept in modules of their own (docs/catalogue.md); their names are
# keys here: 议事, the ledger (台账), the staff console, Open311, the demo's generated past and
# the joint meetings.
from handlers.texts_agenda import *
from handlers.texts_console import *
from handlers.texts_demo import *
from handlers.texts_ledger import *
from handlers.texts_meetings import *
from handlers.texts_open311 import *
