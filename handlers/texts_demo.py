"""The demo's past (web/demo_past.py) and its 议题 in 商议 (web/demo_seed.py): what its
generated residents and staff wrote.

A part of the zh-CN catalogue: `handlers/texts.py` takes these names as its own keys.
"""
from __future__ import annotations

__all__ = ["DEMO_AGENDA_BODY", "DEMO_AGENDA_COMMENTS", "DEMO_AGENDA_TITLE",
           "DEMO_ESCALATE_REASON", "DEMO_INVALID_REASON", "DEMO_NEIGHBOUR", "DEMO_PROGRESS",
           "DEMO_REPORT", "DEMO_RESIDENT", "DEMO_RESOLVED", "DEMO_RETURN_REASON", "DEMO_RIDER",
           "DEMO_UNSATISFIED"]

DEMO_RESIDENT = "居民{n}号"
DEMO_RIDER = "骑手{n}号"
DEMO_REPORT = "{what}，麻烦尽快处理。"
DEMO_PROGRESS = "已到现场查看，正在协调处理。"
DEMO_RESOLVED = "已处理完毕：{what}。"
DEMO_RETURN_REASON = "不在本网格范围，请重新派单。"
DEMO_ESCALATE_REASON = "需要社区协调相关部门处理。"
DEMO_INVALID_REASON = "经现场核实，不属于受理范围。"
DEMO_UNSATISFIED = "还没有彻底解决，请再看看。"
# The demo's 议题 in 商议: a neighbour's proposal, some supports, a few comments.
DEMO_NEIGHBOUR = "锦江畔邻居{n}号"
DEMO_AGENDA_TITLE = "小区门口加装电动车充电桩"
DEMO_AGENDA_BODY = ("楼道里飞线充电的越来越多，夜里很危险。建议在小区门口空地集中安装充电桩，"
                    "由物业统一管理、按度收费。")
DEMO_AGENDA_COMMENTS = ("赞成，夜里楼道充电太吓人了。", "建议装到点自动断电的那种。",
                        "门口空地要留出消防通道。")
