"""The ledger's reads (台账): filtered orders, or their events, in bounded batches.

One statement fetches an order with everything the ledger derives for it — the reporter's kind
and channel, the holder's name, returns, escalations, the rating — never one query per order.
PostgreSQL streams the statement through a server-side cursor in one transaction. SQLite reads
it in keyset batches, each in its own short transaction, so an export never holds the one
writer's turn (storage/uow.py) while a file is being written.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.engine import Row

from storage.order_filter import ORDER, OrderFilter, OrderScope, conditions
from storage.repositories._sql import dialect_name
from storage.tables import ChannelAccountRow, EventRow, PersonRow
from storage.uow import UnitOfWork

_EVENT = EventRow.__table__
_PERSON = PersonRow.__table__
_ACCOUNT = ChannelAccountRow.__table__
BATCH = 2000


def _first_channel() -> Any:
    """The channel of the reporter's first account (the one they reported from, as a rule)."""
    return (select(_ACCOUNT.c.channel).where(_ACCOUNT.c.person_id == ORDER.c.reporter_id)
            .order_by(_ACCOUNT.c.id).limit(1).correlate(ORDER).scalar_subquery())


def order_rows(wanted: OrderFilter, now: datetime, dialect: str,
               scope: OrderScope | None = None) -> Select[Any]:
    """Every column the ledger shows of the orders that pass the filter, oldest first (in
    this order: handlers.ledger.order_line unpacks the row)."""
    reporter, holder = _PERSON.alias("reporter"), _PERSON.alias("holder")
    return (select(ORDER.c.code, ORDER.c.created_at, ORDER.c.category, ORDER.c.urgency,
                   ORDER.c.state, ORDER.c.grid_code, ORDER.c.unit_code, ORDER.c.description,
                   ORDER.c.signed_at, ORDER.c.resolved_at, ORDER.c.resolve_due,
                   ORDER.c.returns, ORDER.c.escalations, ORDER.c.reopens,
                   ORDER.c.satisfaction, ORDER.c.solved,
                   reporter.c.kind.label("reporter_kind"),
                   reporter.c.name.label("reporter_name"),
                   _first_channel().label("channel"),
                   holder.c.name.label("holder_name"))
            .select_from(ORDER.outerjoin(reporter, reporter.c.id == ORDER.c.reporter_id)
                         .outerjoin(holder, holder.c.id == ORDER.c.assignee_id))
            .where(*conditions(wanted, now, dialect, scope))
            .order_by(ORDER.c.created_at, ORDER.c.code))


def event_rows(wanted: OrderFilter, now: datetime, dialect: str,
               scope: OrderScope | None = None) -> Select[Any]:
    """One row per event of the orders that pass the filter, by order (oldest first), then time
    (in this order: handlers.ledger.event_line unpacks the row)."""
    actor, reporter = _PERSON.alias("actor"), _PERSON.alias("reporter")
    return (select(ORDER.c.code, ORDER.c.created_at, ORDER.c.category, _EVENT.c.id, _EVENT.c.at,
                   _EVENT.c.kind,
                   _EVENT.c.from_state, _EVENT.c.to_state, _EVENT.c.reason,
                   (_EVENT.c.actor_id == ORDER.c.reporter_id).label("by_reporter"),
                   actor.c.name.label("actor_name"), actor.c.kind.label("actor_kind"),
                   reporter.c.name.label("reporter_name"))
            .select_from(_EVENT.join(ORDER, ORDER.c.code == _EVENT.c.order_code)
                         .outerjoin(actor, actor.c.id == _EVENT.c.actor_id)
                         .outerjoin(reporter, reporter.c.id == ORDER.c.reporter_id))
            .where(*conditions(wanted, now, dialect, scope))
            .order_by(ORDER.c.created_at, ORDER.c.code, _EVENT.c.id))


def _after(keys: Sequence[Any], last: Sequence[Any]) -> Any:
    """Rows past `last` in the order of `keys` (a keyset page; spelled out, not a row value)."""
    clauses: list[Any] = []
    equal: list[Any] = []
    for column, value in zip(keys, last, strict=True):
        clauses.append(and_(*equal, column > value) if equal else column > value)
        equal.append(column == value)
    return or_(*clauses)


# Each statement's sort key: its columns, and the same key read from a row.
_KEYS: dict[str, tuple[tuple[Any, ...], Callable[[Row[Any]], tuple[Any, ...]]]] = {
    "orders": ((ORDER.c.created_at, ORDER.c.code), lambda row: (row.created_at, row.code)),
    "events": ((ORDER.c.created_at, ORDER.c.code, _EVENT.c.id),
               lambda row: (row.created_at, row.code, row.id)),
}


async def batches(open_uow: Callable[[], UnitOfWork], build: Callable[[str], Select[Any]],
                  keys: str, size: int = BATCH) -> AsyncIterator[list[Row[Any]]]:
    """The rows of the statement built for the database's dialect, `size` at a time, never
    all of them in memory."""
    async with open_uow() as uow:
        dialect = dialect_name(uow.session)
        statement = build(dialect)
        streaming = dialect == "postgresql"
        if streaming:
            result = await uow.session.stream(statement.execution_options(yield_per=size))
            async for part in result.partitions(size):
                yield list(part)
            return
        first = list((await uow.session.execute(statement.limit(size))).all())
    key_columns, key_of = _KEYS[keys]
    rows = first
    while rows:
        yield rows
        if len(rows) < size:
            return
        last = key_of(rows[-1])
        async with open_uow() as uow:
            rows = list((await uow.session.execute(
                statement.where(_after(key_columns, last)).limit(size))).all())


async def count(open_uow: Callable[[], UnitOfWork], wanted: OrderFilter, now: datetime,
                scope: OrderScope | None = None) -> int:
    """How many orders pass the filter (for a progress bar)."""
    async with open_uow() as uow:
        where = conditions(wanted, now, dialect_name(uow.session), scope)
        query = select(func.count(literal(1))).select_from(ORDER).where(*where)
        return int((await uow.session.execute(query)).scalar_one())
