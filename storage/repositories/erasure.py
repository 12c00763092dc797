"""What erasure and retention reach beyond a person's own rows: the words and files they left
in orders' history, the messages that quote them, and the tables that only grow.

The repository reads and writes; what to erase is decided in handlers/erasure.py.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, cast, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import Clock
from storage.repositories._sql import rowcount
from storage.tables import (
    DeadLetterRow,
    DialogRow,
    EventRow,
    InboundRow,
    OutboxRow,
    PersonRow,
    WorkOrderRow,
)

_EVENT = EventRow.__table__
_OUTBOX = OutboxRow.__table__
_INBOUND = InboundRow.__table__
_LETTER = DeadLetterRow.__table__
_DIALOG = DialogRow.__table__
_PERSON = PersonRow.__table__
_ORDER = WorkOrderRow.__table__

_REWRITE_EVENT = (update(_EVENT).where(_EVENT.c.id == bindparam("event_id"))
                  .values(reason=bindparam("reason"), data=bindparam("data")))
_REWRITE_MESSAGE = (update(_OUTBOX).where(_OUTBOX.c.id == bindparam("message_id"))
                    .values(payload=bindparam("payload")))


class Remark(NamedTuple):
    """An event's words and data, the parts erasure may change; its facts are not here."""

    id: int
    order_code: str
    kind: str
    actor_id: int | None
    reason: str | None
    data: dict[str, Any]


class Quote(NamedTuple):
    """A message that may quote a person: its id, whether it went out, what it says."""

    id: int
    sent: bool
    payload: dict[str, Any]


class ErasureRepository:
    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def history(self, codes: Collection[str]) -> list[Remark]:
        """The events of these orders (by the order-code index), oldest first."""
        if not codes:
            return []
        query = (select(_EVENT.c.id, _EVENT.c.order_code, _EVENT.c.kind, _EVENT.c.actor_id,
                        _EVENT.c.reason, _EVENT.c.data)
                 .where(_EVENT.c.order_code.in_(list(codes))).order_by(_EVENT.c.id))
        return [Remark(i, code, kind, actor, reason, dict(data or {}))
                for i, code, kind, actor, reason, data in await self.session.execute(query)]

    async def rewrite_history(self, remarks: list[Remark]) -> None:
        """Write back events' words and data; the database refuses any change to a fact."""
        if remarks:
            await self.session.execute(_REWRITE_EVENT, [
                {"event_id": r.id, "reason": r.reason, "data": r.data} for r in remarks])

    async def quoting(self, needles: Collection[str]) -> list[Quote]:
        """Messages whose stored text holds any of these ASCII needles (order codes, a phone).

        A scan of the outbox, fine for a person's own /delete; the retention sweep empties
        messages by age instead (`PeopleRepository.forget_messages_before`).
        """
        needles = [n for n in needles if n and n.isascii()]
        if not needles:
            return []
        text = cast(_OUTBOX.c.payload, String)
        query = (select(_OUTBOX.c.id, _OUTBOX.c.sent_at, _OUTBOX.c.payload)
                 .where(or_(*(text.contains(n, autoescape=True) for n in needles)))
                 .order_by(_OUTBOX.c.id))
        return [Quote(i, sent is not None, dict(payload or {}))
                for i, sent, payload in await self.session.execute(query)]

    async def rewrite_messages(self, quotes: list[Quote]) -> None:
        if quotes:
            await self.session.execute(_REWRITE_MESSAGE, [
                {"message_id": q.id, "payload": q.payload} for q in quotes])

    async def forget_unlinked_phones(self, person_ids: Collection[int]) -> None:
        """A phone was left for the holders of the person's orders: once none of their orders
        points at them any more (retention cut the links), nobody may call it."""
        if person_ids:
            linked = exists().where(_ORDER.c.reporter_id == _PERSON.c.id)
            await self.session.execute(update(_PERSON).where(
                _PERSON.c.id.in_(list(person_ids)), ~linked).values(phone=None))

    # --- tables that would only grow --------------------------------------------------------

    async def prune_inbound(self, cutoff: datetime) -> int:
        """De-duplication keys and WeChat nonces received before `cutoff` (by its index):
        platforms stop redelivering within minutes, a nonce matters for 300 s."""
        result = await self.session.execute(delete(_INBOUND).where(_INBOUND.c.received_at < cutoff))
        return rowcount(result) or 0

    async def prune_dead_letters(self, cutoff: datetime) -> int:
        """Updates parked before `cutoff` (by the parked index), and counts of failures last
        seen before it that never reached three."""
        result = await self.session.execute(delete(_LETTER).where(or_(
            _LETTER.c.parked_at < cutoff,
            (_LETTER.c.parked_at.is_(None)) & (_LETTER.c.last_at < cutoff))))
        return rowcount(result) or 0

    async def prune_dialogs(self, cutoff: datetime) -> int:
        """Conversations untouched since `cutoff`: a dialog idle that long restarts anyway."""
        result = await self.session.execute(delete(_DIALOG).where(_DIALOG.c.updated_at < cutoff))
        return rowcount(result) or 0
