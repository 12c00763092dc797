"""议事's words: agenda items, 民意直报 and the 居民一家亲 column. A part of the zh-CN
catalogue (docs/catalogue.md)."""

# 议事 (domain/agenda.py, domain/ladder.py)
AGENDA_ILLEGAL_STATE = "议题当前为「{state}」，不能进行这个操作。"
AGENDA_OWN_ITEM = "这是您自己提的议题，请邀请邻居们来支持。"
AGENDA_SUPPORTED_TWICE = "您已经支持过这个议题了，每人只能支持一次。"
AGENDA_RATED_TWICE = "您已经评议过这个议题了，每人只能评议一次。"
AGENDA_BELOW_THRESHOLD = "支持人数还不够，暂不能列入议程；如需提前上会，请说明原因。"
AGENDA_DECISION_INCOMPLETE = "决议须写明责任人、完成时限（晚于今天）和至少一项任务。"
AGENDA_NOT_OWNER = "只有议题 {code} 的责任人可以报告进展。"
AGENDA_PROGRESS_RANGE = "进度须在 0–100% 之间，且不能低于上次报告的进度。"
AGENDA_NO_SUCH_TASK = "没有这项任务，或这项任务已经完成。"
AGENDA_NO_ORDERS = "从工单提升议题时，请至少选择一张工单。"
AGENDA_AT_THE_TOP = "这个议题已在最高一级，不能再上移。"
AGENDA_UNKNOWN = "没有找到议题 {code}。"
AGENDA_NOT_ALLOWED = "您不在这个议题的范围内，不能进行这个操作。"
# 民意直报 (handlers/opinion.py): an opinion straight to a level, not a repair order.
OPINION_ASK_LEVEL = "民意直报：您的意见或建议想直接反映给哪一级？（不是报修，报修请发 /report）"
OPINION_LEVEL_BUTTON = "{level}：{name}"
OPINION_ASK_TEXT = "请写下您想对{level}说的意见或建议（{longest} 字以内，文字）："
OPINION_TEXT_ONLY = "请用文字写下您的意见或建议，或点“取消”。"
OPINION_SENT = "已直报{unit}，谢谢您的意见！汇总后的群众反映（隐去个人信息）会在社区周报和回音壁公布。"
OPINION_TO_STAFF = "【民意直报 {code}】（{unit}）· 来自{place}：\n{text}"
OPINION_NO_HOME = "请先设置您的住址网格（发送 /start），才能把意见直报社区、街道或区县。"
OPINION_NO_LEVEL = "您的网格之上没有这一级，请重新选择。"
OPINION_LENGTH = "意见请写在 {longest} 字以内，且不能为空。"
# 居民一家亲专栏 (handlers/column.py): the echo wall's and the digest's three sections.
COLUMN_TITLE = "居民一家亲 · {community}"
COLUMN_AGENDA = "【本期议题】"
COLUMN_VOICES = "【群众反映】"
COLUMN_SETTLED = "【回音壁】"
COLUMN_SETTLEMENT_TITLE = "小事不出网格、大事不出社区"
COLUMN_NONE = "（本期暂无）"
COLUMN_ITEM = "· {code} {title}（{level} · {state} · {supports} 人支持 · 进度 {progress}%）"
COLUMN_VOICE = "· {topic}：{count} 条意见建议，如：{samples}"
COLUMN_REPORTS = "· {topic}：{count} 件报事"
COLUMN_DONE = "· {code} {title}（{state}）{decision}"
COLUMN_SETTLEMENT = "{name}：本期结案 {closed} 件 · 小事不出网格率 {small} · 大事不出社区率 {big}"
COLUMN_SETTLEMENT_HEAD = ("单位", "结案", "小事不出网格率", "大事不出社区率")
COLUMN_OTHER_TOPIC = "其他意见"
COLUMN_PICK_COMMUNITY = "选择一个社区，查看它的居民一家亲专栏：本期议题、回音壁和两项结案率。"
AGENDA_STATE_LABELS = {"proposed": "提议", "open": "商议中", "on_agenda": "已列入议程",
                       "decided": "已决议", "in_progress": "执行中", "judging": "评议中",
                       "closed": "已办结", "declined": "未通过"}
