"""One chat address's outbox: what it is owed next and what it was sent, for the transports
that answer from the outbox themselves (WeChat's passive reply, the web chat's page)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.records import OutboxMessage
from storage.repositories._sql import claim
from storage.repositories.outbox import SENT, TRIED, UNSETTLED, message
from storage.tables import OutboxRow


def _message(row: OutboxRow) -> OutboxMessage:
    return message(row.model_dump())


@dataclass(frozen=True)
class NextOwed:
    """A chat's next message, as the senders see it (storage/repositories/outbox.py)."""

    message: OutboxMessage
    in_flight: bool   # a sender holds it (claimed, or waiting for its retry)
    due: bool         # nobody holds it and it may go now


async def next_owed(session: AsyncSession, channel: str, address: str,
                    now: datetime) -> NextOwed | None:
    """The next unsent message of one chat, by the senders' rule: one in the way (claimed or
    waiting for a retry) first, then one already tried, then by due time and the order written.
    Locked on PostgreSQL until commit, so no sender claims it meanwhile."""
    tried = col(OutboxRow.state).in_(TRIED)
    order = case((col(OutboxRow.due_at) > now, 0), (tried, 1), else_=2)
    query = (select(OutboxRow)
             .where(col(OutboxRow.channel) == channel, col(OutboxRow.address) == address,
                    col(OutboxRow.state).in_(UNSETTLED))
             .order_by(order, col(OutboxRow.due_at), col(OutboxRow.id)).limit(1))
    row = (await session.execute(claim(session, query))).scalars().first()
    if row is None:
        return None
    in_flight = row.state in TRIED and row.due_at > now
    return NextOwed(_message(row), in_flight=in_flight, due=row.due_at <= now)


async def shown_since(session: AsyncSession, channel: str, address: str, after_id: int,
                      now: datetime, limit: int) -> list[OutboxMessage]:
    """Messages to `address` newer than `after_id` and due, oldest first; the unsent ones are
    marked sent (the caller shows them all, so a reloaded page gets its history back)."""
    query = (select(OutboxRow)
             .where(col(OutboxRow.channel) == channel, col(OutboxRow.address) == address,
                    col(OutboxRow.id) > after_id, col(OutboxRow.due_at) <= now,
                    col(OutboxRow.state).in_((*UNSETTLED, SENT)))
             .order_by(col(OutboxRow.id)).limit(limit))
    messages = [_message(row) for row in (await session.execute(query)).scalars()]
    unsent = [message.id for message in messages if message.sent_at is None]
    if unsent:
        await session.execute(
            update(OutboxRow).where(col(OutboxRow.id).in_(unsent), col(OutboxRow.state) != SENT)
            .values(sent_at=now, attempts=col(OutboxRow.attempts) + 1, state=SENT))
    return messages


async def last_sent_payloads(session: AsyncSession, channel: str, address: str,
                             limit: int) -> list[dict[str, Any]]:
    """The payloads of the last `limit` messages sent to `address`, newest first."""
    query = (select(col(OutboxRow.payload))
             .where(col(OutboxRow.channel) == channel, col(OutboxRow.address) == address,
                    col(OutboxRow.sent_at).is_not(None))
             .order_by(col(OutboxRow.sent_at).desc(), col(OutboxRow.id).desc()).limit(limit))
    return list((await session.execute(query)).scalars().all())
