"""The staff console's list of orders: a person's scope, filters, a sort and a page, all in SQL.

The WHERE clause is `storage.order_filter`'s, the one the ledger's export uses too. A page is
bounded: the list pages through the first `MOST_ROWS` orders of a sort at most, and counts up to
`MOST_ROWS` (the page says "10,000+" past that), so no page reads a million rows to be shown
or counted; a narrower filter finds what lies beyond.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders import WorkOrder
from storage.order_filter import ORDER, OrderFilter, OrderScope, conditions
from storage.repositories._sql import dialect_name
from storage.repositories.orders import to_order

_COLUMNS = tuple(ORDER.columns)
MOST_ROWS = 10_000     # how far a list pages and counts


def _sorted(wanted: OrderFilter) -> tuple[Any, Any]:
    column = ORDER.c[wanted.sort]
    return ((column.desc(), ORDER.c.code.desc()) if wanted.descending
            else (column.asc(), ORDER.c.code.asc()))


def filtered(scope: OrderScope, wanted: OrderFilter, now: datetime,
             dialect: str = "sqlite") -> Select[Any]:
    """The statement of the list: every column of the orders in scope that pass the filter,
    sorted (code breaks ties, so pages never overlap)."""
    return (select(*_COLUMNS).where(*conditions(wanted, now, dialect, scope))
            .order_by(*_sorted(wanted)))


def counted(scope: OrderScope, wanted: OrderFilter, now: datetime, dialect: str = "sqlite",
            most: int = MOST_ROWS) -> Select[Any]:
    """How many orders the list holds, counted up to `most` + 1 and no further."""
    some = (select(literal(1).label("one")).select_from(ORDER)
            .where(*conditions(wanted, now, dialect, scope)).limit(most + 1).subquery())
    return select(func.count()).select_from(some)


class OrderListRepository:
    def __init__(self, session: AsyncSession, clock: Any):
        self.session, self.clock = session, clock

    async def _custom_plans(self, dialect: str) -> None:
        """Plan each page for its own values: a filter's selectivity decides between walking
        an index in the sort's order and gathering the few matches first, and a plan made
        for any values (a prepared statement's generic plan) cannot tell which."""
        if dialect == "postgresql":
            await self.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    async def page(self, scope: OrderScope, wanted: OrderFilter, number: int = 1,
                   size: int = 50) -> tuple[list[WorkOrder], bool]:
        """Page `number` (from 1) of the list, and whether another page follows (never past
        the first MOST_ROWS orders)."""
        dialect = dialect_name(self.session)
        await self._custom_plans(dialect)
        start = (max(number, 1) - 1) * size
        if start >= MOST_ROWS:
            return [], False
        query = filtered(scope, wanted, self.clock.now(), dialect).offset(start).limit(
            min(size + 1, MOST_ROWS - start))
        rows = (await self.session.execute(query)).all()
        return [to_order(row) for row in rows[:size]], len(rows) > size

    async def count(self, scope: OrderScope, wanted: OrderFilter, most: int = MOST_ROWS) -> int:
        """How many orders the list holds, or `most` + 1 for more than `most`."""
        dialect = dialect_name(self.session)
        await self._custom_plans(dialect)
        query = counted(scope, wanted, self.clock.now(), dialect, most)
        return int((await self.session.execute(query)).scalar_one())
