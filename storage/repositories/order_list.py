"""The staff console's list of orders: a person's scope, filters, a sort and a page, all in SQL.

The WHERE clause is `storage.order_filter`'s, the one the ledger's export uses too. A page costs
at most what a few thousand rows cost, however many orders the database holds:

- The list is gathered first, its codes and sort keys only, up to `MOST_ROWS` + 1 (the page
  then says "more than 10,000"; 1,000 on SQLite): the gathering stops at the first match past
  it, and counts the list.
- A list no longer than that is thus gathered whole, through whichever indexes narrow it
  best, then sorted and cut in the same statement. A longer one is read in the sort's order
  along that sort's index, filtering as it goes: then at least one order in a hundred passes
  (at a million orders), so a page of 50 is found within a few thousand rows. The count decides
  between the two, not the planner's guess, which misjudges filters that are rare among the
  newest orders (a yellow light, an old month).
- Pages follow one another by key (`after` / `before` the code that ends or starts the page
  shown), not by an offset that reads every earlier page again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, text, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders import WorkOrder
from storage.order_filter import ORDER, OrderFilter, OrderScope, conditions
from storage.repositories._sql import dialect_name
from storage.repositories.orders import to_order

_COLUMNS = tuple(ORDER.columns)
MOST_ROWS = 10_000      # how far a list counts, and the most it gathers to sort
# SQLite plans a count by one index at a time, and a filter's index (a state, a period) may hold
# far more orders than the viewer's grids: there a list counts, and gathers, a thousand at most.
SQLITE_MOST_ROWS = 1_000
NULLABLE_SORTS = frozenset({"resolve_due"})
SORT_INDEXES = {"created_at": "ix_work_order_created_at_code",
                "resolve_due": "ix_work_order_resolve_due_code",
                "state": "ix_work_order_state_code", "urgency": "ix_work_order_urgency_code"}


@dataclass(frozen=True)
class Page:
    """A page of the list: its orders, whether pages come before and after it, and how many
    orders the list holds (`most` + 1 meaning more than `most`)."""

    orders: list[WorkOrder]
    earlier: bool
    later: bool
    total: int
    most: int = MOST_ROWS


@dataclass(frozen=True)
class _Anchor:
    """The sort key of the order a page starts after (or ends before)."""

    value: Any
    code: str


def _order_by(column: Any, code: Any, descending: bool, nullable: bool) -> tuple[Any, Any]:
    """The sort, code breaking ties; an order without the value (no deadline) sorts as if it
    were the largest, on both databases."""
    if descending:
        first = column.desc().nulls_first() if nullable else column.desc()
        return first, code.desc()
    return (column.asc().nulls_last() if nullable else column.asc()), code.asc()


def _beyond(column: Any, code: Any, anchor: _Anchor, larger: bool, nullable: bool
            ) -> list[Any]:
    """Rows past the anchor in (column, code) order, towards larger keys or smaller ones: one
    condition, or two that follow one another in that order (the orders with the value, then
    those without, or the reverse), each a range of the sort's index. An OR of the two would
    be a filter, and a walk would read the index from its start to find the anchor."""
    row, mark = tuple_(column, code), tuple_(anchor.value, anchor.code)
    if not nullable:
        return [row > mark if larger else row < mark]
    if anchor.value is None:                      # the anchor sorts among the largest
        if larger:
            return [and_(column.is_(None), code > anchor.code)]
        return [and_(column.is_(None), code < anchor.code), column.is_not(None)]
    return [row > mark, column.is_(None)] if larger else [row < mark]


def filtered(scope: OrderScope, wanted: OrderFilter, now: datetime,
             dialect: str = "sqlite") -> Select[Any]:
    """The list's statement read in the sort's order: every column of the orders in scope
    that pass the filter, sorted (code breaks ties, so pages never overlap)."""
    nullable = wanted.sort in NULLABLE_SORTS
    return (select(*_COLUMNS).where(*conditions(wanted, now, dialect, scope))
            .order_by(*_order_by(ORDER.c[wanted.sort], ORDER.c.code, wanted.descending,
                                 nullable)))


def counted(scope: OrderScope, wanted: OrderFilter, now: datetime, dialect: str = "sqlite",
            most: int = MOST_ROWS) -> Select[Any]:
    """How many orders the list holds, counted up to `most` + 1 and no further."""
    some = (select(literal(1).label("one")).select_from(ORDER)
            .where(*conditions(wanted, now, dialect, scope)).limit(most + 1).subquery())
    return select(func.count()).select_from(some)


def walked(scope: OrderScope, wanted: OrderFilter, now: datetime, dialect: str,
           anchor: _Anchor | None, backwards: bool, limit: int) -> Select[Any]:
    """The codes and sort keys of up to `limit` orders of the list, read along its sort's
    index and filtered as the walk goes (at least MOST_ROWS orders pass, so a page is found
    within a few thousand rows). Codes and keys only: the walk by time filed then reads the
    index alone (it holds every column a filter but the words asks), not a row per order."""
    nullable = wanted.sort in NULLABLE_SORTS
    column, descending = ORDER.c[wanted.sort], wanted.descending != backwards
    # Walked: at least MOST_ROWS orders hold the words, so they are matched as the walk goes.
    query = (select(ORDER.c.code, column.label("key"))
             .where(*conditions(wanted, now, dialect, scope, text_index=False)))
    if dialect == "sqlite" and wanted.sort in SORT_INDEXES:
        # SQLite keeps no histogram: it takes a state's or a period's index for a filter that
        # most orders pass, then sorts them all. A walked list has at least one order in a
        # hundred passing, so the sort's own index finds a page within a few thousand rows.
        query = query.with_hint(ORDER, f"INDEXED BY {SORT_INDEXES[wanted.sort]}", "sqlite")
    order = _order_by(column, ORDER.c.code, descending, nullable)
    parts = [] if anchor is None else _beyond(column, ORDER.c.code, anchor, not descending,
                                              nullable)
    if len(parts) < 2:
        return query.where(*parts).order_by(*order).limit(limit)
    # Past an anchor on a nullable sort: each part walked on its own, one after the other.
    pieces = [query.where(part).order_by(*order).limit(limit).subquery() for part in parts]
    both = union_all(*(select(*piece.c) for piece in pieces)).subquery()
    return (select(*both.c).order_by(*_order_by(both.c.key, both.c.code, descending, nullable))
            .limit(limit))


def gathered(scope: OrderScope, wanted: OrderFilter, now: datetime, dialect: str,
             anchor: _Anchor | None, backwards: bool, most: int = MOST_ROWS) -> Select[Any]:
    """The page from the list gathered whole first (codes and sort keys, at most `most` + 1),
    then sorted, each row with how many were gathered: one pass of the indexes both counts a
    short list and pages it, whatever the sort."""
    nullable = wanted.sort in NULLABLE_SORTS
    descending = wanted.descending != backwards
    hits = (select(ORDER.c.code, ORDER.c[wanted.sort].label("key"))
            .where(*conditions(wanted, now, dialect, scope)).limit(most + 1)
            .cte("hits").prefix_with("MATERIALIZED"))
    total = select(func.count()).select_from(hits).scalar_subquery()
    picked = select(hits.c.code, hits.c.key, total.label("total"))
    if anchor is not None:
        picked = picked.where(or_(*_beyond(hits.c.key, hits.c.code, anchor, not descending,
                                           nullable)))
    return picked.order_by(*_order_by(hits.c.key, hits.c.code, descending, nullable))


def most_rows(dialect: str) -> int:
    """How far a list counts, and the most it gathers, on this database."""
    return SQLITE_MOST_ROWS if dialect == "sqlite" else MOST_ROWS


class OrderListRepository:
    def __init__(self, session: AsyncSession, clock: Any):
        self.session, self.clock = session, clock

    async def _custom_plans(self, dialect: str) -> None:
        """Plan each statement for its own values: a prepared statement's generic plan, made
        for any values, cannot weigh how many orders a filter leaves."""
        if dialect == "postgresql":
            await self.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    async def _anchor(self, code: str | None, sort: str) -> _Anchor | None:
        if not code:
            return None
        row = (await self.session.execute(
            select(ORDER.c[sort], ORDER.c.code).where(ORDER.c.code == code))).first()
        return None if row is None else _Anchor(row[0], row[1])

    async def page(self, scope: OrderScope, wanted: OrderFilter, number: int = 1,
                   size: int = 50, after: str | None = None, before: str | None = None
                   ) -> Page:
        """A page of the list: the one after the order `after` (or before `before`) when
        given, else page `number` (from 1) counted from the start, within the first
        MOST_ROWS orders."""
        dialect, now = dialect_name(self.session), self.clock.now()
        most = most_rows(dialect)
        await self._custom_plans(dialect)
        anchor = await self._anchor(after or before, wanted.sort)
        backwards = anchor is not None and not after
        start = 0 if anchor is not None else (max(number, 1) - 1) * size
        if start >= MOST_ROWS:
            return Page([], True, False, await self.count(scope, wanted, most), most)
        query = gathered(scope, wanted, now, dialect, anchor, backwards, most).limit(size + 1)
        rows = (await self.session.execute(query.offset(start) if start else query)).all()
        total = rows[0].total if rows else await self.count(scope, wanted, most)
        if total > most:
            # A long list: walked along its sort's index instead (what it gathered counted it).
            query = walked(scope, wanted, now, dialect, anchor, backwards, size + 1)
            rows = (await self.session.execute(query.offset(start) if start else query)).all()
        more = len(rows) > size
        rows = rows[:size]
        rows = await self._rows([row.code for row in rows])
        orders = [to_order(row) for row in rows]
        if backwards:
            orders.reverse()
            return Page(orders, more, True, total, most)
        return Page(orders, start > 0 or anchor is not None, more, total, most)

    async def _rows(self, codes: list[str]) -> list[Any]:
        """Whole rows of the codes, in the codes' order."""
        if not codes:
            return []
        found = {row.code: row for row in (await self.session.execute(
            select(*_COLUMNS).where(ORDER.c.code.in_(codes)))).all()}
        return [found[code] for code in codes if code in found]

    async def count(self, scope: OrderScope, wanted: OrderFilter, most: int | None = None
                    ) -> int:
        """How many orders the list holds, or `most` + 1 for more than `most` (by default
        the database's cap, `most_rows`)."""
        dialect = dialect_name(self.session)
        most = most_rows(dialect) if most is None else most
        await self._custom_plans(dialect)
        query = counted(scope, wanted, self.clock.now(), dialect, most)
        return int((await self.session.execute(query)).scalar_one())
