"""Where matters were settled, in SQL: `domain.settlement` rule for rule (tests/echo compare them).

One row per order closed in the period: the unit of its last assignment before the close, and
whether it was ever escalated before it; the unit's level comes from the grid table (a queue's
from its community or street; a department, not on the tree, has none).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from domain.grids import QUEUE_PREFIX
from domain.settlement import CLOSING, HOLDING, IN_COMMUNITY, IN_GRID, Settlement
from storage.repositories.figures import sql_at, sql_flag
from storage.tables import EventRow, GridRow, WorkOrderRow

_O, _E, _G = WorkOrderRow.__table__, EventRow.__table__, GridRow.__table__


def settlement_query(start: datetime, end: datetime, now: datetime) -> Any:
    """(reported grid, closed, in grid, in community) per grid of the orders closed in
    [start, end), as of `now`."""
    closing = (select(_E.c.order_code, _E.c.at, _E.c.id, _O.c.grid_code)
               .join_from(_E, _O, _O.c.code == _E.c.order_code)
               .where(_E.c.kind.in_(sorted(CLOSING)), _E.c.at >= sql_at(start),
                      _E.c.at < sql_at(end), _E.c.at <= sql_at(now))
               .subquery("closing"))
    held = aliased(_E, name="held")
    unit = (select(held.c.data["unit"].as_string())
            .where(held.c.order_code == closing.c.order_code, held.c.kind.in_(sorted(HOLDING)),
                   held.c.at <= closing.c.at)
            .order_by(held.c.at.desc(), held.c.id.desc()).limit(1)
            .correlate(closing).scalar_subquery())
    escalated = exists().where(held.c.order_code == closing.c.order_code,
                               held.c.kind == "escalated", held.c.at <= closing.c.at)
    settled = select(closing.c.grid_code, unit.label("unit"),
                     sql_flag(escalated).label("escalated")).subquery("settled")
    code = case((settled.c.unit.startswith(QUEUE_PREFIX),
                 func.substr(settled.c.unit, len(QUEUE_PREFIX) + 1)), else_=settled.c.unit)
    grid_level = and_(_G.c.level.in_([lv.value for lv in IN_GRID]), settled.c.escalated == 0)
    return (select(settled.c.grid_code, func.count(), func.sum(sql_flag(grid_level)),
                   func.sum(sql_flag(_G.c.level.in_([lv.value for lv in IN_COMMUNITY]))))
            .select_from(settled.outerjoin(_G, _G.c.code == code))
            .group_by(settled.c.grid_code))


def settlement_fold(rows: Sequence[Row[Any, Any, Any, Any]]) -> dict[str | None, Settlement]:
    return {grid: Settlement(int(closed), int(in_grid or 0), int(in_community or 0))
            for grid, closed, in_grid, in_community in rows}

