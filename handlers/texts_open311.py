"""Open311's words (web/open311/): what a partner system reads, and what its notes tell the
holder. A part of the zh-CN catalogue (docs/catalogue.md)."""

REPORTER_NOTE = "工单 {code} 报事人补充：{note}"
OPEN311_CONTACT = "网格通管理员"
OPEN311_KEY_SERVICE = "API 密钥由管理员用 gridbot api-key create 生成"
OPEN311_NOT_FOUND = "没有找到：{what}"
OPEN311_KEY_REQUIRED = "缺少 api_key"
OPEN311_BAD_KEY = "api_key 无效或已吊销"
OPEN311_MISSING = "缺少参数：{field}"
OPEN311_INVALID = "参数无效：{field}"
OPEN311_NOT_YOURS = "工单 {code} 不是本系统提交的"
OPEN311_REFUSED = "工单 {code} 当前状态不能补充说明"
OPEN311_TOO_MANY = "请求过于频繁：每个 api_key 每分钟最多 {n} 次"
