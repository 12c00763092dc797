"""The outbox: messages owed, claimed by senders one chat head at a time (docs/delivery.md).

Each row's `state` is one of `OutboxState`'s six, and says what `due_at` means:
- owed: may go at `due_at` (now, or later when scheduled);
- claimed: a sender is carrying it; `due_at` is the claim's expiry, renewed while the sender
  lives; a claim that ran out is taken over by the next claim;
- retrying: an attempt failed; `due_at` is the retry's time;
- held: it could not even be tried (WeChat's window is closed); `due_at` is when to look again;
- given up: the platform refused it for good; never claimed again, kept for the record;
- sent: `sent_at` set.
Each claim raises the row's `claim`, its token: renewing or recording a claim names
(id, claim), so a sender whose claim ran out and was taken over cannot touch the new holder's.
`attempts` counts the tries that reached (or may have reached) the platform.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, bindparam, case, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import Clock
from storage.records import OutboxMessage, OutboxState
from storage.repositories._sql import Prepared, insert
from storage.tables import OutboxRow

FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)
# A claim lasts this long unless renewed; a live sender renews its claims every RENEW, so a
# claim runs out only after five missed renewals, and a dead sender's within 5 s of its death.
CLAIM = timedelta(seconds=5)
RENEW = timedelta(seconds=1)
_MESSAGE_FIELDS = ("id", "person_id", "channel", "address", "payload", "created_at", "due_at",
                   "attempts", "sent_at", "last_error", "dedupe_key", "state", "claim")
OWED, CLAIMED, RETRYING, HELD, GIVEN_UP, SENT = (state.value for state in OutboxState)
UNSETTLED = (OWED, CLAIMED, RETRYING, HELD)   # may still go out
TRIED = (CLAIMED, RETRYING)                   # carried before: in the way until due, then first

_OUTBOX = OutboxRow.__table__
_OWE = Prepared(lambda dialect: _OUTBOX.insert().returning(
    _OUTBOX.c.id, sort_by_parameter_order=dialect == "postgresql"))
_SENT = (update(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)),
                               _OUTBOX.c.state != SENT)
         .values(sent_at=bindparam("sent"), state=SENT))


def _heads(dialect: str, by_channel: bool) -> Any:
    """UPDATE … RETURNING that claims the head of every chat that has nothing in flight.

    A chat's head is the first of its unsettled rows that are due: one already tried (its
    retry, or a claim that ran out) before any other, then by due time, then in the order written
    (id). A chat is skipped while one of its rows is claimed or waiting to be retried, so its
    messages go one at a time and never overtake each other. On PostgreSQL the rows are locked
    with SKIP LOCKED: two senders never take the same row, and one that meets a head being
    claimed skips that chat, since in its snapshot that head is still owed and ahead of the rest.
    """
    queue, row = _OUTBOX.alias("queue"), _OUTBOX.alias("head")
    now: BindParameter[datetime] = bindparam("now")
    # One pass over the unsettled rows that are due or in the way (claimed, waiting for a
    # retry), numbered in each chat: one in the way comes first, so then the chat has no head.
    # The state's IN list leads the index (state, due_at): sent rows are never read.
    tried = queue.c.state.in_(TRIED)
    place = func.row_number().over(
        partition_by=(queue.c.channel, queue.c.address),
        order_by=(case((queue.c.due_at > now, 0), (tried, 1), else_=2),
                  queue.c.due_at, queue.c.id))
    lined_up = (select(queue.c.id, queue.c.due_at, place.label("place"))
                .where(queue.c.state.in_(UNSETTLED), or_(queue.c.due_at <= now, tried)))
    if by_channel:
        lined_up = lined_up.where(queue.c.channel.in_(bindparam("channels", expanding=True)))
    first = lined_up.subquery("lined_up")
    fronts = select(first.c.id).where(first.c.place == 1, first.c.due_at <= now)
    heads = (select(row.c.id).where(row.c.id.in_(fronts), row.c.state.in_(UNSETTLED),
                                    row.c.due_at <= now)
             .order_by(row.c.due_at, row.c.id).limit(bindparam("limit")))
    if dialect == "postgresql":
        heads = heads.with_for_update(skip_locked=True)
    return (update(_OUTBOX).where(_OUTBOX.c.id.in_(heads.scalar_subquery()))
            .values(due_at=bindparam("until"), attempts=_OUTBOX.c.attempts + 1,
                    claim=_OUTBOX.c.claim + 1, state=CLAIMED)
            .returning(*(_OUTBOX.c[name] for name in _MESSAGE_FIELDS)))


_CLAIM = Prepared(lambda dialect: _heads(dialect, by_channel=False))
_CLAIM_CHANNELS = Prepared(lambda dialect: _heads(dialect, by_channel=True))


def message(fields: dict[str, Any]) -> OutboxMessage:
    """An outbox row's columns as the message they hold."""
    return OutboxMessage(**{**fields, "state": OutboxState(fields["state"])})


def backoff(attempts: int) -> timedelta:
    """Doubling after each failed attempt from FIRST_RETRY, never more than LONGEST_RETRY."""
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_RETRY)


class OutboxRepository:
    """What the bot owes people; written in the same transaction as the change it reports."""

    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    def add(self, message: OutboxMessage) -> None:
        """Owe a message. A `dedupe_key` seen before fails the commit: use `add_once` then."""
        self.session.add(OutboxRow(**self._values(message)))

    async def add_all(self, messages: list[OutboxMessage]) -> None:
        """Owe several messages in one statement (a turn's replies and notices together);
        each gets its id, in the order given (ids are the order of each chat's messages)."""
        if messages:
            result = await self.session.execute(
                _OWE(self.session), [self._values(message) for message in messages])
            for message, message_id in zip(messages, sorted(result.scalars()), strict=False):
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

    async def due(self, limit: int = 100, lease: timedelta = CLAIM,
                  channels: list[str] | None = None) -> list[OutboxMessage]:
        """Claim the next message of up to `limit` chats for `lease`, oldest first.

        Commit, send outside any transaction, then record each outcome in a new one; renew
        the claims meanwhile. Each message's `claim` is its claim's token.
        """
        now = self.clock.now()
        values: dict[str, Any] = {"now": now, "until": now + lease, "limit": limit}
        statement = _CLAIM(self.session)
        if channels is not None:   # each sender drains only the channels it carries
            statement, values["channels"] = _CLAIM_CHANNELS(self.session), channels
        rows = (await self.session.execute(statement, values)).all()
        return sorted((message(row._asdict()) for row in rows),
                      key=lambda message: message.id or 0)

    async def renew(self, claims: list[tuple[int, int]], lease: timedelta = CLAIM) -> set[int]:
        """Extend these claims, given as (id, claim); returns the ids still held."""
        if not claims:
            return set()
        result = await self.session.execute(
            update(_OUTBOX).where(tuple_(_OUTBOX.c.id, _OUTBOX.c.claim).in_(claims),
                                  _OUTBOX.c.state == CLAIMED)
            .values(due_at=self.clock.now() + lease).returning(_OUTBOX.c.id))
        return set(result.scalars())

    async def mark_sent(self, message_id: int) -> None:
        await self.mark_all_sent([message_id])

    async def mark_all_sent(self, message_ids: list[int]) -> None:
        """Record deliveries in one statement: a busy sender marks hundreds at a time."""
        if message_ids:
            await self.session.execute(_SENT, {"ids": message_ids, "sent": self.clock.now()})

    async def mark_failed(self, message_id: int, error: str,
                          retry_after: timedelta | None = None,
                          claim: int | None = None) -> datetime:
        """Note a failed attempt and put the message off; returns when it is due again.

        With `claim` (the claim's token), nothing changes if that claim was taken over.
        """
        row = await self.session.get(OutboxRow, message_id, populate_existing=True)
        if row is None:
            raise KeyError(f"no outbox message {message_id}")
        due = self.clock.now() + (retry_after or backoff(row.attempts))
        await self.session.execute(
            update(_OUTBOX).where(*self._claimed(message_id, row.claim if claim is None
                                                 else claim))
            .values(due_at=due, last_error=error[:2000], state=RETRYING)
            .execution_options(synchronize_session=False))
        return due

    async def hold(self, message_id: int, until: datetime, why: str, claim: int) -> None:
        """Put a message off without counting the attempt: it never reached the platform (a
        closed WeChat window). Held like a scheduled message, it does not stop its chat."""
        await self.session.execute(
            update(_OUTBOX).where(*self._claimed(message_id, claim))
            .values(due_at=until, attempts=_OUTBOX.c.attempts - 1, last_error=why[:2000],
                    state=HELD))

    async def release_held(self, channel: str, address: str, now: datetime) -> int:
        """A chat's held messages due now (its window reopened); how many.

        One already due is left alone: it is owed as it is, and may be claimed by now."""
        released = await self.session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.state == HELD, _OUTBOX.c.channel == channel,
                   _OUTBOX.c.address == address, _OUTBOX.c.due_at > now)
            .values(due_at=now, state=OWED).returning(_OUTBOX.c.id))
        return len(released.all())

    async def give_up(self, message_id: int, error: str, claim: int | None = None) -> None:
        """The platform refused it for good: never retried, kept (unsent) for the record."""
        condition = [_OUTBOX.c.id == message_id, _OUTBOX.c.state.in_(UNSETTLED)]
        if claim is not None:
            condition = self._claimed(message_id, claim)
        await self.session.execute(update(_OUTBOX).where(*condition)
                                   .values(state=GIVEN_UP, last_error=error[:2000]))

    @staticmethod
    def _claimed(message_id: int, claim: int) -> list[Any]:
        """The row, if that claim on it still stands (not taken over, not yet recorded)."""
        return [_OUTBOX.c.id == message_id, _OUTBOX.c.claim == claim, _OUTBOX.c.state == CLAIMED]

    def _values(self, message: OutboxMessage) -> dict[str, Any]:
        now = self.clock.now()
        return {"person_id": message.person_id, "channel": message.channel,
                "address": message.address, "payload": message.payload, "created_at": now,
                "due_at": message.due_at or now, "attempts": 0,
                "dedupe_key": message.dedupe_key, "state": OWED, "claim": 0}
