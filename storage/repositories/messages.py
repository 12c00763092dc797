"""Messages in and out: the outbox owed to people, inbound de-duplication, dialog state."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import Clock
from storage.records import OutboxMessage
from storage.repositories._sql import Prepared, claim, insert, insert_for
from storage.tables import DialogRow, InboundRow, OutboxRow

FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=1)
_MESSAGE_FIELDS = ("id", "person_id", "channel", "address", "payload", "created_at", "due_at",
                   "attempts", "sent_at", "last_error", "dedupe_key")


_OUTBOX = OutboxRow.__table__
_INBOUND = InboundRow.__table__
_DIALOG = DialogRow.__table__
# The statements of every chat turn, built once (see `Prepared`).
# New ids come back sorted, then paired with the messages in order: each database numbers one
# statement's rows in the order given. PostgreSQL is told to keep to that (SQLAlchemy orders
# its VALUES by a counter); asked the same, SQLite would insert one row per statement.
_OWE = Prepared(lambda dialect: _OUTBOX.insert().returning(
    _OUTBOX.c.id, sort_by_parameter_order=dialect == "postgresql"))
_SENT = (update(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
         .values(sent_at=bindparam("sent"), attempts=_OUTBOX.c.attempts + 1))
_SEEN = Prepared(lambda dialect: insert_for(dialect, _INBOUND).on_conflict_do_nothing()
                 .returning(_INBOUND.c.channel, _INBOUND.c.external_id))
_FORGET_DIALOG = delete(_DIALOG).where(_DIALOG.c.channel == bindparam("account_channel"),
                                       _DIALOG.c.external_id == bindparam("account_id"))
_GET_DIALOG = select(_DIALOG.c.state).where(_DIALOG.c.channel == bindparam("account_channel"),
                                            _DIALOG.c.external_id == bindparam("account_id"))


def _put_dialogs(dialect: str) -> Any:
    statement = insert_for(dialect, _DIALOG)
    return statement.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at})


_PUT_DIALOGS = Prepared(_put_dialogs)


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … after each failed attempt, never more than an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _message(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(**{name: getattr(row, name) for name in _MESSAGE_FIELDS})


class OutboxRepository:
    """What the bot owes people; written in the same transaction as the change it reports."""

    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    def add(self, message: OutboxMessage) -> None:
        """Owe a message. A `dedupe_key` seen before fails the commit: use `add_once` then."""
        self.session.add(OutboxRow(**self._values(message)))

    async def add_all(self, messages: list[OutboxMessage]) -> None:
        """Owe several messages in one statement (a turn's replies and notices together);
        each gets its id."""
        if messages:
            result = await self.session.execute(
                _OWE(self.session), [self._values(message) for message in messages])
            for message, message_id in zip(messages, sorted(result.scalars())):
                message.id = message_id

    async def add_once(self, message: OutboxMessage) -> bool:
        """Owe a message unless one with the same `dedupe_key` is already owed or sent."""
        if message.dedupe_key is None:
            raise ValueError("add_once needs a dedupe_key")
        statement = insert(self.session, OutboxRow.__table__).values(self._values(message))
        await self.session.flush()
        result = await self.session.execute(
            statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxRow.id))
        row = result.first()
        if row is not None:
            message.id = row.id
        return row is not None

    async def due(self, limit: int = 100, lease: timedelta = LEASE,
                  channels: list[str] | None = None) -> list[OutboxMessage]:
        """Unsent messages due by now, oldest first, leased to this sender.

        Commit, send outside any transaction, then `mark_sent` or `mark_failed` in a new one:
        no lock is held while a platform answers, and the messages of a sender that died
        fall due again when the lease ends.
        """
        now = self.clock.now()
        query = (select(OutboxRow)
                 .where(OutboxRow.sent_at.is_(None), OutboxRow.due_at <= now)
                 .order_by(OutboxRow.due_at, OutboxRow.id).limit(limit))
        if channels is not None:   # each sender drains only the channels it carries
            query = query.where(OutboxRow.channel.in_(channels))
        rows = list((await self.session.execute(
            claim(self.session, query).execution_options(populate_existing=True))).scalars())
        if rows:   # one statement for the whole lease, not one per message
            await self.session.execute(
                update(OutboxRow).where(OutboxRow.id.in_([row.id for row in rows]))
                .values(due_at=now + lease).execution_options(synchronize_session=False))
        return [_message(row) for row in rows]

    async def mark_sent(self, message_id: int) -> None:
        await self.mark_all_sent([message_id])

    async def mark_all_sent(self, message_ids: list[int]) -> None:
        """Record deliveries in one statement: a busy sender marks hundreds at a time."""
        if message_ids:
            await self.session.execute(_SENT, {"ids": message_ids, "sent": self.clock.now()})

    async def mark_failed(self, message_id: int, error: str,
                          retry_after: timedelta | None = None) -> datetime:
        """Count a failed attempt and put the message off; returns when it is due again."""
        row = await self._row(message_id)
        row.attempts += 1
        row.last_error = error[:2000]
        row.due_at = self.clock.now() + (retry_after or backoff(row.attempts))
        return row.due_at

    async def postpone(self, message_id: int, until: datetime) -> None:
        """Put a message off without counting an attempt (one before it in its chat failed)."""
        row = await self._row(message_id)
        row.due_at = until

    async def _row(self, message_id: int) -> OutboxRow:
        row = await self.session.get(OutboxRow, message_id)
        if row is None:
            raise KeyError(f"no outbox message {message_id}")
        return row

    def _values(self, message: OutboxMessage) -> dict[str, Any]:
        now = self.clock.now()
        return {"person_id": message.person_id, "channel": message.channel,
                "address": message.address, "payload": message.payload, "created_at": now,
                "due_at": message.due_at or now, "attempts": 0,
                "dedupe_key": message.dedupe_key}


class InboundRepository:
    """Platforms redeliver; each update is handled once."""

    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def seen(self, channel: str, external_id: str) -> bool:
        """Record an inbound update; True when it had been recorded before."""
        return not await self.first_seen([(channel, external_id)])

    async def first_seen(self, updates: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Record several (channel, update id) in one statement; returns those new until now."""
        if not updates:
            return set()
        now = self.clock.now()
        # One statement built once, many rows ("insertmanyvalues"), rather than a VALUES
        # list built and compiled anew for every batch.
        result = await self.session.execute(_SEEN(self.session), [
            {"channel": channel, "external_id": str(external_id), "received_at": now}
            for channel, external_id in updates])
        return {(row.channel, row.external_id) for row in result}

    async def forget_before(self, cutoff: datetime) -> None:
        """Drop records older than any redelivery could be."""
        await self.session.execute(delete(InboundRow).where(InboundRow.received_at < cutoff))


class DialogRepository:
    """Where each conversation stands, keyed by platform account."""

    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def get(self, channel: str, external_id: str) -> dict[str, Any] | None:
        state = (await self.session.execute(_GET_DIALOG, {
            "account_channel": channel, "account_id": external_id})).scalar_one_or_none()
        return dict(state) if state is not None else None

    async def put(self, channel: str, external_id: str, state: dict[str, Any]) -> None:
        await self.put_all({(channel, external_id): state})

    async def put_all(self, states: dict[tuple[str, str], dict[str, Any]]) -> None:
        """Several accounts' dialogs in one statement (a batch of turns)."""
        if not states:
            return
        now = self.clock.now()
        await self.session.execute(_PUT_DIALOGS(self.session), [
            {"channel": channel, "external_id": external_id, "state": state, "updated_at": now}
            for (channel, external_id), state in states.items()])

    async def clear(self, channel: str, external_id: str) -> None:
        await self.clear_all([(channel, external_id)])

    async def clear_all(self, accounts: list[tuple[str, str]]) -> None:
        if accounts:
            await self.session.execute(_FORGET_DIALOG, [
                {"account_channel": channel, "account_id": external_id}
                for channel, external_id in accounts])
