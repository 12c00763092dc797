"""The scheduler's clocks on work orders: which orders need a plan, and which clocks are due.

An order's plan (the stages still to fire, as JSON) is written for one order version; any save
bumps the version, so the partial index `ix_work_order_unplanned` hands the order back to be
planned again. Both reads claim their rows (SKIP LOCKED on PostgreSQL), so two schedulers never
take the same order at once.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.orders import Event, WorkOrder
from storage.repositories._sql import claim, rowcount
from storage.repositories.events import to_event
from storage.repositories.orders import to_order
from storage.tables import UNPLANNED, EventRow, WorkOrderRow

_ORDER = WorkOrderRow.__table__
_COLUMNS = tuple(_ORDER.columns)


@dataclass(frozen=True)
class Clocked:
    """An order claimed by a sweep, with the version and the plan its clock was set for."""

    order: WorkOrder
    version: int
    plan: list[dict[str, Any]]


@dataclass(frozen=True)
class Planned:
    """A plan to write: the stages still to come, the first one's moment and sweep."""

    code: str
    version: int
    stages: list[dict[str, Any]]
    at: datetime | None
    kind: str | None


def _clocked(row: Any) -> Clocked:
    return Clocked(to_order(row), row.version, list(row.clock_plan or []))


class ClockRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def unplanned(self, limit: int = 200) -> list[Clocked]:
        """Orders saved since their clock was planned (or never planned), claimed."""
        query = (select(*_COLUMNS).where(text(UNPLANNED)).order_by(_ORDER.c.code).limit(limit))
        rows = await self.session.execute(claim(self.session, query))
        return [_clocked(row) for row in rows.all()]

    async def due(self, kind: str, now: datetime, limit: int = 100) -> list[Clocked]:
        """Orders whose next `kind` stage is due by `now`, earliest first, claimed.

        One range of `ix_work_order_clock_kind_clock_at`: only due rows are read. A plan gone
        stale (the order was saved since) waits for planning instead of firing.
        """
        query = (select(*_COLUMNS)
                 .where(_ORDER.c.clock_kind == kind, _ORDER.c.clock_at <= now,
                        _ORDER.c.version == _ORDER.c.clock_version)
                 .order_by(_ORDER.c.clock_at).limit(limit))
        rows = await self.session.execute(claim(self.session, query))
        return [_clocked(row) for row in rows.all()]

    async def histories(self, codes: Sequence[str],
                        kinds: Iterable[str] | None = None) -> dict[str, list[Event]]:
        """The events of many orders (of `kinds` only, when given), oldest first, by order."""
        found: dict[str, list[Event]] = {code: [] for code in codes}
        if not codes:
            return found
        query = select(EventRow).where(col(EventRow.order_code).in_(list(codes)))
        if kinds is not None:
            query = query.where(col(EventRow.kind).in_(list(kinds)))
        query = query.order_by(col(EventRow.at), col(EventRow.id))
        for row in (await self.session.execute(query)).scalars():
            found[row.order_code].append(to_event(row))
        return found

    async def plan(self, planned: Sequence[Planned]) -> int:
        """Write plans, each for the version it was made from; returns how many were written.

        A plan made from a version someone has since replaced is not written: that order is
        still unplanned and gets a fresh plan from its new state.
        """
        if not planned:
            return 0
        await self.session.flush()
        statement = (update(_ORDER)
                     .where(_ORDER.c.code == bindparam("b_code"),
                            _ORDER.c.version == bindparam("b_version"))
                     .values(clock_at=bindparam("b_at"), clock_kind=bindparam("b_kind"),
                             clock_plan=bindparam("b_plan"),
                             clock_version=bindparam("b_version")))
        result = await self.session.execute(statement, [
            {"b_code": p.code, "b_version": p.version, "b_at": p.at, "b_kind": p.kind,
             "b_plan": p.stages} for p in planned])
        return rowcount(result)

    async def replan(self, codes: Sequence[str]) -> None:
        """Stop these clocks until the orders are planned again (a sweep changed them)."""
        if not codes:
            return
        await self.session.flush()
        await self.session.execute(
            update(_ORDER).where(_ORDER.c.code.in_(list(codes)))
            .values(clock_at=None, clock_kind=None, clock_plan=None, clock_version=-1))
