"""The history of orders: events are only ever inserted (the database refuses the rest)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from domain.orders import Event, State
from storage.repositories.orders import ADDED, write_orders
from storage.tables import EventRow

_EVENT = EventRow.__table__
_WRITE = _EVENT.insert()
# Events added in a session but not yet written, with the savepoint each was added in.
_PENDING = "gridbot_pending_events"


def to_event(row: EventRow) -> Event:
    return Event(order_code=row.order_code, kind=row.kind, at=row.at, actor_id=row.actor_id,
                 from_state=State(row.from_state) if row.from_state else None,
                 to_state=State(row.to_state) if row.to_state else None,
                 reason=row.reason, data=dict(row.data or {}))


def event_values(event: Event) -> dict[str, Any]:
    """An event as the columns of its row (without the id the database gives it)."""
    return {"order_code": event.order_code, "kind": event.kind, "at": event.at,
            "actor_id": event.actor_id,
            "from_state": event.from_state.value if event.from_state else None,
            "to_state": event.to_state.value if event.to_state else None,
            "reason": event.reason, "data": dict(event.data)}


async def write_events(session: AsyncSession) -> None:
    """Insert the events added so far in one statement; call before reading events or committing.

    Events are buffered rather than added to the ORM: one executemany per turn instead of one
    INSERT per event through the unit of work. Orders added in this transaction (and anything
    added through the ORM) are written first: events point at their order.
    """
    await session.flush()
    await write_orders(session)
    pending: list[tuple[SessionTransaction | None, dict[str, Any]]] = session.info.get(
        _PENDING, [])
    if not pending:
        return
    session.info[_PENDING] = []
    await session.execute(_WRITE, [values for _, values in pending])


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """Events and orders added inside a transaction or savepoint that was rolled back are
    never written."""
    for key in (_PENDING, ADDED):
        pending = session.info.get(key)
        if not pending:
            continue
        if not previous.nested:
            pending.clear()
            continue
        pending[:] = [(where, item) for where, item in pending if not _within(where, previous)]


def _within(where: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    while where is not None:
        if where is savepoint:
            return True
        where = where.parent
    return False


class EventRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, event: Event) -> None:
        """Append one event; written before events are next read, or at commit."""
        self.session.info.setdefault(_PENDING, []).append(
            (self.session.sync_session.get_nested_transaction(), event_values(event)))

    async def for_order(self, code: str) -> list[Event]:
        """An order's history, oldest first."""
        return await self._where(EventRow.order_code == code)

    async def between(self, start: datetime, end: datetime) -> list[Event]:
        """Every event at or after `start` and before `end`, oldest first: what metrics read."""
        return await self._where(EventRow.at >= start, EventRow.at < end)

    async def _where(self, *conditions: Any) -> list[Event]:
        await write_events(self.session)
        query = select(EventRow).where(*conditions).order_by(EventRow.at, EventRow.id)
        return [to_event(row) for row in (await self.session.execute(query)).scalars()]
