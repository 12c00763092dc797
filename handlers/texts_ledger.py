"""The ledger's words (台账, handlers/ledger.py): a part of the zh-CN catalogue.

`handlers/texts.py` takes every name of this module as its own keys, so code reads them as
`texts.LEDGER_…` and a second language translates them like any other key (docs/catalogue.md).
"""
from __future__ import annotations

__all__ = ["LEDGER_CHANNELS", "LEDGER_EVENT_HEADERS", "LEDGER_EVENT_SHEET", "LEDGER_HEADERS",
           "LEDGER_MORE_EVENTS", "LEDGER_NO", "LEDGER_PRIVATE", "LEDGER_REPORTER",
           "LEDGER_REPORTER_KINDS", "LEDGER_SHEET", "LEDGER_SYSTEM", "LEDGER_YES"]

# The district's ledger columns, in its order. 上报人类型 is the district's heading for the
# kind of person who reported (居民, 流动网格员 …), kept as the district's forms spell it.
LEDGER_HEADERS = ("工单号", "提单时间", "渠道", "上报人类型", "类别", "紧急程度", "街道", "社区",
                  "网格", "微网格", "地点（粗化）", "描述", "状态", "承办单位", "承办人", "签收时间",
                  "办结时间", "时限", "是否超期", "退回次数", "上移次数", "满意度", "是否解决",
                  "是否重办")
LEDGER_EVENT_HEADERS = ("工单号", "时间", "事件", "操作人", "原状态", "新状态", "说明")
LEDGER_CHANNELS = {"telegram": "Telegram", "wechat": "微信公众号", "wecom": "企业微信",
                   "web": "网页", "open311": "对接系统"}
LEDGER_REPORTER_KINDS = {"resident": "居民", "rider": "流动网格员", "staff": "工作人员",
                         "external_system": "对接系统"}
# Event kinds beyond EVENT_LABELS that a history holds (remarks and views).
LEDGER_MORE_EVENTS = {"contact_viewed": "查看联系方式", "extension_requested": "申请延期",
                      "extension_denied": "不批准延期", "published": "回音壁公开",
                      "red_listed": "列入红榜"}
LEDGER_YES, LEDGER_NO = "是", "否"
LEDGER_PRIVATE = "（涉及隐私的类别，不导出描述）"
LEDGER_REPORTER = "报事人"
LEDGER_SYSTEM = "系统"
LEDGER_SHEET, LEDGER_EVENT_SHEET = "台账", "办理记录"
