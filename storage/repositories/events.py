"""The history of orders: events are only ever inserted (the database refuses the rest)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.orders import Event, State
from storage.tables import EventRow

_EVENT = EventRow.__table__
_WRITE = _EVENT.insert()


def to_event(row: EventRow | Row[Any]) -> Event:
    """An event from its row, or from a selected row with the event's columns."""
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


class EventRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, event: Event) -> None:
        """Append one event to its order's history (the order must be written already)."""
        await self.session.execute(_WRITE, event_values(event))

    async def add_all(self, events: list[Event]) -> None:
        """Append several events of one turn in one statement."""
        if events:
            await self.session.execute(_WRITE, [event_values(event) for event in events])

    async def for_order(self, code: str) -> list[Event]:
        """An order's history, oldest first."""
        return await self._where(EventRow.order_code == code)

    async def between(self, start: datetime, end: datetime) -> list[Event]:
        """Every event at or after `start` and before `end`, oldest first: what metrics read."""
        return await self._where(EventRow.at >= start, EventRow.at < end)

    async def _where(self, *conditions: Any) -> list[Event]:
        query = select(EventRow).where(*conditions).order_by(col(EventRow.at), col(EventRow.id))
        return [to_event(row) for row in (await self.session.execute(query)).scalars()]
