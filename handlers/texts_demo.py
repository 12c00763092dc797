"""The demo's past (web/demo_past.py): what its generated residents and staff wrote.

A part of the zh-CN catalogue: `handlers/texts.py` takes these names as its own keys.
"""
from __future__ import annotations

__all__ = ["DEMO_ESCALATE_REASON", "DEMO_INVALID_REASON", "DEMO_PROGRESS", "DEMO_REPORT",
           "DEMO_RESIDENT", "DEMO_RESOLVED", "DEMO_RETURN_REASON", "DEMO_RIDER",
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
