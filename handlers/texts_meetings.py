"""Joint meetings' words (联席会议, 一组一会) and the console's 议题 and 会议 pages. A part of the
zh-CN catalogue (docs/catalogue.md)."""

# Refusals (domain/meetings.py, handlers/meetings.py)
MEETING_ILLEGAL_STATE = "会议当前为「{state}」，不能进行这个操作。"
MEETING_NO_MEETINGS_HERE = "微网格不单独开会，它的议题在所属网格的“一组一会”上讨论。"
MEETING_IN_THE_PAST = "会议时间须晚于现在。"
MEETING_ATTENDED_TWICE = "已记录过这位参会人员。"
MEETING_NO_MINUTES = "会议纪要不能为空；结束会议前须先记录纪要。"
MEETING_NOT_ON_AGENDA = "议题 {code} 不在本次会议的议程上。"
MEETING_ALREADY_TAKEN = "议题 {code} 已有决议，不能重复决议。"
MEETING_UNKNOWN = "没有找到会议 {code}。"
MEETING_NOT_ALLOWED = "只有本级或上级的网格长、派单员可以安排和主持这个会议。"
MEETING_PENDING = "这个单位已有一次待召开的会议，议题会列入那次会议的议程。"
MEETING_NOT_INVITED = "参会人员须是本辖区的居民或工作人员。"
MEETING_NO_SUCH_OWNER = "请从本辖区的工作人员或居民中选择决议的责任人。"
MEETING_BAD_DATE = "请填写有效的日期和时间。"

# Notices (handlers/meeting_notices.py): a meeting set, to the items' people and the unit's staff.
MEETING_SCHEDULED_NOTICE = "📋 {kind}（{unit}）定于 {when} 召开，会议号 {code}。议程：\n{items}"
MEETING_SCHEDULED_NO_ITEMS = "暂无议题，待议事项会陆续列入。"
MEETING_AGENDA_LINE = "• {code}「{title}」"

# Labels of the meetings' codes
MEETING_STATE_LABELS = {"scheduled": "待召开", "held": "进行中", "closed": "已结束"}
MEETING_OUTCOME_LABELS = {"decided": "决议通过", "declined": "未通过"}
MEETING_DEFERRED = "待下次会议"
MEETING_KIND_LABELS = {"grid": "网格“一组一会”", "community": "社区联席会议",
                       "street": "街道联席会议", "county": "区县联席会议"}
MEETING_EVENT_LABELS = {"scheduled": "安排会议", "convened": "召开会议", "attended": "参会",
                        "minuted": "记录纪要", "took_up": "作出决议", "closed": "结束会议"}
AGENDA_EVENT_LABELS = {"proposed": "提议", "opened": "开放商议", "supported": "支持 +1",
                       "commented": "评论", "scheduled": "列入议程", "moved_up": "议题上移",
                       "decided": "决议通过", "declined": "未通过", "progress": "报告进展",
                       "task_done": "完成一项任务", "carried_out": "执行完毕",
                       "rated": "评议", "closed": "办结", "reminded": "监督提醒",
                       "supervised": "督办", "published": "公开"}
AGENDA_ORIGIN_LABELS = {"resident": "居民提议", "leader": "网格长提议", "order": "由工单提升"}

# The console's pages (web/console/agenda_page.py, meetings_page.py)
CONSOLE_AGENDA_PAGE = "议题"
CONSOLE_MEETINGS_PAGE = "联席会议"
CONSOLE_AGENDA = "议题"
CONSOLE_AGENDA_FIELDS = {"state": "状态", "level": "层级"}
CONSOLE_AGENDA_COLUMNS = {"code": "议题号", "title": "议题", "unit": "所在层级", "state": "状态",
                          "supports": "支持", "progress": "进度", "created": "提出时间"}
CONSOLE_AGENDA_EMPTY = "没有符合条件的议题。"
CONSOLE_AGENDA_NOT_FOUND = "没有这个议题，或您无权查看。"
CONSOLE_AGENDA_BACK = "返回议题列表"
CONSOLE_AGENDA_FACTS = {"state": "状态", "origin": "来源", "raised": "提出地",
                        "unit": "所在层级", "supports": "支持人数", "decision": "决议",
                        "owner": "责任人", "deadline": "完成时限", "progress": "进度",
                        "created": "提出时间", "orders": "相关工单", "body": "说明"}
CONSOLE_UNIT_AT_LEVEL = "{level} · {unit}"
CONSOLE_PERCENT = "{n}%"
CONSOLE_AGENDA_TASKS = "任务"
CONSOLE_TASK_STATES = {"done": "已完成", "open": "未完成"}
CONSOLE_AGENDA_COMMENTS = "居民评论"
CONSOLE_AGENDA_NO_COMMENTS = "暂无评论。"
CONSOLE_AGENDA_MEETINGS = "会议"
CONSOLE_AGENDA_TIMELINE = "议事记录"
CONSOLE_MEETINGS = "联席会议"
CONSOLE_MEETINGS_UPCOMING = "待召开"
CONSOLE_MEETINGS_PAST = "已召开"
CONSOLE_MEETINGS_EMPTY = "暂无会议。"
CONSOLE_MEETING_COLUMNS = {"code": "会议号", "unit": "会议", "at": "时间", "state": "状态",
                           "agenda": "议题数"}
CONSOLE_MEETING_TITLE = "{kind} · {unit}"
CONSOLE_MEETING_NOT_FOUND = "没有这个会议，或您无权查看。"
CONSOLE_MEETING_BACK = "返回会议列表"
CONSOLE_MEETING_SCHEDULE = "安排会议"
CONSOLE_MEETING_UNIT = "单位"
CONSOLE_MEETING_AT = "会议时间"
CONSOLE_MEETING_RHYTHM = ("网格、社区每月一次，街道、区县每季度一次；有议题待议而未安排会议的单位，"
                          "系统会按例会时间自动安排。")
CONSOLE_MEETING_FACTS = {"unit": "会议", "at": "会议时间", "state": "状态", "held": "召开时间",
                         "closed": "结束时间"}
CONSOLE_MEETING_AGENDA = "议程"
CONSOLE_MEETING_AGENDA_EMPTY = "议程上暂无议题。"
CONSOLE_MEETING_ATTENDEES = "参会人员"
CONSOLE_MEETING_MINUTES = "会议纪要"
CONSOLE_MEETING_NOT_YET = "尚未记录。"
CONSOLE_MEETING_TIMELINE = "会议记录"
CONSOLE_MEETING_OWNER_LINE = "责任人：{owner} · 完成时限：{deadline}"
CONSOLE_MEETING_ACTIONS = {"convene": "召开会议", "attend": "记录参会", "minutes": "保存纪要",
                           "decide": "通过决议", "decline": "不予通过", "close": "结束会议",
                           "schedule": "安排会议"}
CONSOLE_MEETING_FORM = {"decision": "决议内容", "owner": "责任人", "deadline": "完成时限",
                        "tasks": "任务（每行一项）", "reason": "不予通过的理由",
                        "staff": "工作人员", "residents": "居民"}
