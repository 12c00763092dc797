"""The staff console's list of orders: a person's scope, filters, a sort and a page, all in SQL.

`OrderScope` says which orders a person may see at all (the grids whose subtree they answer
for, and what is held by them); `OrderFilter` narrows that as the console's form (and the
ledger's export) asks. `filtered` builds the one statement both page through or stream.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.grids import QUEUE_PREFIX
from domain.orders import State, Urgency, WorkOrder
from storage.repositories._sql import dialect_name
from storage.repositories.orders import to_order
from storage.tables import WorkOrderRow

_ORDER = WorkOrderRow.__table__
_COLUMNS = tuple(_ORDER.columns)
QUEUE = QUEUE_PREFIX      # the dispatcher's queue, as the domain writes it
OPEN_STATES = tuple(s.value for s in State if not s.is_final)
SortKey = Literal["created_at", "resolve_due", "code", "state", "urgency"]
SORT_KEYS: tuple[str, ...] = ("created_at", "resolve_due", "code", "state", "urgency")
Shade = Literal["green", "yellow", "red"]
YELLOW_AFTER = 0.8   # the share of the limit after which a clock shows yellow (domain.deadlines)


@dataclass(frozen=True)
class OrderScope:
    """The orders a person may see in the console: reported in or held by one of `grids`
    (each grid of their subtrees), or held by `person_id` themself."""

    grids: frozenset[str] = frozenset()
    person_id: int | None = None


@dataclass(frozen=True)
class OrderFilter:
    """What the console's list (and the ledger's export) narrows to; None means any."""

    states: tuple[State, ...] = ()
    grids: frozenset[str] | None = None          # a grid's subtree, as codes
    categories: frozenset[str] | None = None     # a category, or every category of a group
    urgency: Urgency | None = None
    light: Shade | None = None
    overdue: bool = False
    since: datetime | None = None                # filed at or after
    until: datetime | None = None                # filed before
    text: str | None = None                      # in the description or the address
    code: str | None = None                      # the code, or its beginning
    sort: SortKey = "created_at"
    descending: bool = True


def _scope(scope: OrderScope) -> Any:
    grids = sorted(scope.grids)
    held = [_ORDER.c.grid_code.in_(grids), _ORDER.c.unit_code.in_(grids),
            _ORDER.c.unit_code.in_([QUEUE + code for code in grids])] if grids else []
    if scope.person_id is not None:
        held.append(_ORDER.c.assignee_id == scope.person_id)
    return or_(*held) if held else false()


def _epoch(column: Any, dialect: str) -> Any:
    """A timestamp column as a number, comparable with `_epoch_of`."""
    return func.julianday(column) if dialect == "sqlite" else func.extract("epoch", column)


def _epoch_of(when: datetime, dialect: str) -> float:
    seconds = when.timestamp()
    return seconds / 86400 + 2440587.5 if dialect == "sqlite" else seconds


def _light(shade: Shade, now: datetime, dialect: str) -> Any:
    """Open orders by their resolve clock: red past due; yellow past 80 % of the limit, green
    before. The share is taken in calendar time (a working-time limit's share differs over
    nights and holidays: see docs/console.md)."""
    due, start = _ORDER.c.resolve_due, _ORDER.c.created_at
    running = and_(_ORDER.c.state.in_(OPEN_STATES), due.is_not(None))
    if shade == "red":
        return and_(running, due < now)
    # now - start > 0.8 (due - start)  <=>  start + 4 due < 5 now
    weighed = _epoch(start, dialect) + 4 * _epoch(due, dialect)
    late = weighed < 5 * _epoch_of(now, dialect)
    return and_(running, due >= now, late if shade == "yellow" else ~late)


def _conditions(scope: OrderScope, wanted: OrderFilter, now: datetime, dialect: str
                ) -> list[Any]:
    where = [_scope(scope)]
    if wanted.states:
        where.append(_ORDER.c.state.in_([s.value for s in wanted.states]))
    if wanted.grids is not None:
        codes = sorted(wanted.grids)
        where.append(or_(_ORDER.c.grid_code.in_(codes), _ORDER.c.unit_code.in_(codes)))
    if wanted.categories is not None:
        where.append(_ORDER.c.category.in_(sorted(wanted.categories)))
    if wanted.urgency is not None:
        where.append(_ORDER.c.urgency == wanted.urgency.value)
    if wanted.light is not None:
        where.append(_light(wanted.light, now, dialect))
    if wanted.overdue:
        due = _ORDER.c.resolve_due
        where.append(or_(and_(_ORDER.c.state.in_(OPEN_STATES), due < now),
                         _ORDER.c.resolved_at > due))
    if wanted.since is not None:
        where.append(_ORDER.c.created_at >= wanted.since)
    if wanted.until is not None:
        where.append(_ORDER.c.created_at < wanted.until)
    if wanted.text:
        pattern = "%" + wanted.text.replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        where.append(or_(_ORDER.c.description.like(pattern, escape="\\"),
                         _ORDER.c.address.like(pattern, escape="\\")))
    if wanted.code:
        # A prefix as a range of the primary key: both dialects serve it from the index.
        code = wanted.code.upper()
        where.append(and_(_ORDER.c.code >= code, _ORDER.c.code < code + "\uffff"))
    return where


def _sorted(wanted: OrderFilter) -> tuple[Any, Any]:
    column = _ORDER.c[wanted.sort]
    return ((column.desc(), _ORDER.c.code.desc()) if wanted.descending
            else (column.asc(), _ORDER.c.code.asc()))


def filtered(scope: OrderScope, wanted: OrderFilter, now: datetime,
             dialect: str = "sqlite") -> Select[Any]:
    """The statement of the list: every column of the orders in scope that pass the filter,
    sorted (code breaks ties, so pages never overlap). The ledger's export streams it."""
    return (select(*_COLUMNS).where(*_conditions(scope, wanted, now, dialect))
            .order_by(*_sorted(wanted)))


class OrderListRepository:
    def __init__(self, session: AsyncSession, clock: Any):
        self.session, self.clock = session, clock

    async def page(self, scope: OrderScope, wanted: OrderFilter, number: int = 1,
                   size: int = 50) -> tuple[list[WorkOrder], bool]:
        """Page `number` (from 1) of the list, and whether another page follows."""
        query = filtered(scope, wanted, self.clock.now(), dialect_name(self.session)).offset(
            (max(number, 1) - 1) * size).limit(size + 1)
        rows = (await self.session.execute(query)).all()
        return [to_order(row) for row in rows[:size]], len(rows) > size
