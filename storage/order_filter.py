"""Which orders a list or a ledger holds: one filter, turned into SQL conditions here.

The staff console's list and the ledger's export (台账) narrow the orders the same way, so the
filter and its SQL live once, in storage. `None` (or an empty tuple) means "any".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.grids import QUEUE_PREFIX
from domain.orders import State, Urgency
from storage.tables import GridRow, WorkOrderRow

ORDER = WorkOrderRow.__table__
QUEUE = QUEUE_PREFIX      # the dispatcher's queue, as the domain writes it
OPEN_STATES = tuple(s.value for s in State if not s.is_final)


@dataclass(frozen=True)
class OrderFilter:
    """What a list or a ledger narrows to: filed in [since, until), in a grid subtree, …"""

    since: datetime | None = None                 # filed at or after
    until: datetime | None = None                 # filed before
    grids: frozenset[str] | None = None           # a subtree's codes (see `subtree`)
    states: tuple[State, ...] = ()
    categories: frozenset[str] | None = None      # category codes (a group: all its codes)
    urgency: Urgency | None = None
    overdue: bool = False                         # open past its limit, or resolved late
    text: str | None = None                       # in the description or the typed address
    code: str | None = None                       # the order code, or its beginning


def _like(words: str) -> str:
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(wanted: OrderFilter, now: datetime) -> list[Any]:
    """The filter as WHERE conditions on the work_order table."""
    where: list[Any] = []
    if wanted.since is not None:
        where.append(ORDER.c.created_at >= wanted.since)
    if wanted.until is not None:
        where.append(ORDER.c.created_at < wanted.until)
    if wanted.grids is not None:
        codes = sorted(wanted.grids)
        where.append(or_(ORDER.c.grid_code.in_(codes), ORDER.c.unit_code.in_(codes),
                         ORDER.c.unit_code.in_([QUEUE + code for code in codes])))
    if wanted.states:
        where.append(ORDER.c.state.in_([state.value for state in wanted.states]))
    if wanted.categories is not None:
        where.append(ORDER.c.category.in_(sorted(wanted.categories)))
    if wanted.urgency is not None:
        where.append(ORDER.c.urgency == wanted.urgency.value)
    if wanted.overdue:
        where.append(or_(and_(ORDER.c.state.in_(OPEN_STATES), ORDER.c.resolve_due < now),
                         ORDER.c.resolved_at > ORDER.c.resolve_due))
    if wanted.text:
        pattern = f"%{_like(wanted.text)}%"
        where.append(or_(ORDER.c.description.like(pattern, escape="\\"),
                         ORDER.c.address.like(pattern, escape="\\")))
    if wanted.code:
        where.append(ORDER.c.code.like(_like(wanted.code.strip().upper()) + "%", escape="\\"))
    return where


async def subtree(session: AsyncSession, code: str) -> frozenset[str] | None:
    """A grid and every grid below it, by code; None when no grid has that code."""
    rows = (await session.execute(select(GridRow.code, GridRow.parent))).all()
    children: dict[str | None, list[str]] = {}
    for child, parent in rows:
        children.setdefault(parent, []).append(child)
    if not any(child == code for child, _ in rows):
        return None
    found, todo = {code}, [code]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return frozenset(found)



async def any_order(session: AsyncSession) -> bool:
    """Whether the database holds an order at all."""
    return bool((await session.execute(select(exists().where(ORDER.c.code.is_not(None))))
                 ).scalar())
