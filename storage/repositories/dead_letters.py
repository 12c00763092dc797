"""Inbound updates whose handling failed: counted per update across processes, parked at three."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import Clock
from storage.repositories._sql import insert
from storage.tables import DeadLetterRow

_LETTER = DeadLetterRow.__table__


@dataclass(frozen=True)
class DeadLetter:
    """A failed update; `payload` (the update itself, personal data) is kept once parked."""

    id: int
    channel: str
    update_id: str
    kind: str
    payload: dict[str, Any] | None
    error: str
    attempts: int
    first_at: datetime
    last_at: datetime
    parked_at: datetime | None


def _letter(row: Any) -> DeadLetter:
    return DeadLetter(row.id, row.channel, row.update_id, row.kind, row.payload, row.error,
                      row.attempts, row.first_at, row.last_at, row.parked_at)


class DeadLetterRepository:
    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def failed(self, channel: str, update_id: str, kind: str, error: str) -> int:
        """Count one failed attempt at an update; returns the attempts so far (1, 2, 3 …).

        One statement, so that two workers handed the same redelivery count both attempts.
        """
        now = self.clock.now()
        statement = insert(self.session, _LETTER).values(
            channel=channel, update_id=str(update_id), kind=kind, error=error[:500], attempts=1,
            first_at=now, last_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=["channel", "update_id"],
            set_={"attempts": _LETTER.c.attempts + 1, "last_at": now, "error": error[:500]})
        attempts: int = (await self.session.execute(
            statement.returning(_LETTER.c.attempts))).scalar_one()
        return attempts

    async def park(self, channel: str, update_id: str, payload: dict[str, Any]) -> int | None:
        """Keep a counted update for `gridbot dead-letters`; returns its id."""
        result = await self.session.execute(
            update(_LETTER).where(_LETTER.c.channel == channel,
                                  _LETTER.c.update_id == str(update_id))
            .values(payload=payload, parked_at=self.clock.now()).returning(_LETTER.c.id))
        parked: int | None = result.scalar_one_or_none()
        return parked

    async def parked(self, limit: int = 100) -> list[DeadLetter]:
        """Parked updates, oldest first."""
        query = (select(_LETTER).where(_LETTER.c.parked_at.is_not(None))
                 .order_by(_LETTER.c.parked_at, _LETTER.c.id).limit(limit))
        return [_letter(row) for row in await self.session.execute(query)]

    async def get(self, letter_id: int) -> DeadLetter | None:
        row = (await self.session.execute(select(_LETTER).where(_LETTER.c.id == letter_id))).first()
        return _letter(row) if row else None

    async def of_update(self, channel: str, update_id: str) -> DeadLetter | None:
        row = (await self.session.execute(select(_LETTER).where(
            _LETTER.c.channel == channel, _LETTER.c.update_id == str(update_id)))).first()
        return _letter(row) if row else None

    async def drop(self, letter_id: int) -> bool:
        """Delete a letter, its payload with it; False when there was none."""
        result = await self.session.execute(
            delete(_LETTER).where(_LETTER.c.id == letter_id).returning(_LETTER.c.id))
        return result.first() is not None

    async def forget(self, channel: str, update_id: str) -> None:
        """The update went through after all (a retry): its count goes."""
        await self.session.execute(delete(_LETTER).where(
            _LETTER.c.channel == channel, _LETTER.c.update_id == str(update_id)))
