"""The sender: drains the outbox for one channel, each chat in order, within the platform's limits.

How a message goes (docs/delivery.md has the whole story):
1. claim: one statement takes the next message of every chat that has nothing in flight
   (`OutboxRepository.due`); the claim lasts `CLAIM` (5 s) and is renewed every `RENEW` (1 s)
   while this sender lives, so a dead sender's claims are free again within seconds;
2. send, outside any transaction;
3. record the platform's answer at once: each answer wakes the sender, whose next round
   records every answer that arrived meanwhile and, in the same transaction, claims the heads
   that this freed (no waiting on purpose). A chat's next message is claimable only once the
   previous one is recorded, so its messages never overtake each other, across processes and
   restarts.

Exactly once where the platform allows it: the Bot API has no idempotency key, so a message
whose send had started but whose outcome was not yet recorded when the process died is sent
again once its claim runs out. That is the only message that can go twice, at most one per chat.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from bot.delivery import Carrier, NotNow, Pacing, RetryAfter, TransientError, Undeliverable
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.repositories.outbox import CLAIM, RENEW
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """What the platform said about one claimed message."""

    message_id: int
    claim: int                          # the claim's token (see `OutboxRepository.renew`)
    error: str | None = None            # None: sent
    retry_after: timedelta | None = None
    given_up: bool = False
    held: bool = False                  # never reached the platform: not an attempt


class OutboxSender:
    def __init__(self, uow: Callable[[], UnitOfWork], channel: str, transport: Carrier,
                 limits: Pacing | None = None, batch: int = 200, chats_at_once: int = 64,
                 claim: timedelta = CLAIM, renew: timedelta = RENEW):
        self.uow, self.channel, self.transport = uow, channel, transport
        self.limits = limits
        self.batch = min(batch, chats_at_once)   # one message per chat is in flight at a time
        self.claim, self.renew_every = claim, renew
        self._wake = asyncio.Event()
        self._held: dict[int, int] = {}           # claimed here, not yet recorded: id → token
        self._carrying: set[asyncio.Task[None]] = set()
        self._outcomes: list[Outcome] = []        # answered, not yet recorded
        self._transactions: set[asyncio.Task[Any]] = set()

    def kick(self) -> None:
        """Something was committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, poll: float = 1.0) -> None:
        """Record and claim in rounds until cancelled; a kick (a commit, or an answer from the
        platform) starts the next round at once."""
        renewing = asyncio.get_running_loop().create_task(self._renew_forever())
        try:
            while True:
                self._wake.clear()
                try:
                    for message in await self._whole(self._round(claim=True)):
                        task = asyncio.get_running_loop().create_task(self._carry(message))
                        self._carrying.add(task)
                        task.add_done_callback(self._carrying.discard)
                except Exception:
                    log.exception("outbox sender for %s failed a round", self.channel)
                if self._outcomes:
                    continue
                # Not wait_for: on Python 3.11 it can swallow a cancellation that arrives as the
                # event is set, and the sender would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(poll):
                        await self._wake.wait()
        finally:
            renewing.cancel()

    async def drain_once(self) -> int:
        """Claim the next message of every chat, send and record them; how many (tests)."""
        claimed = await self._round(claim=True)
        await asyncio.gather(*(self._carry(message) for message in claimed))
        await self._round(claim=False)
        return len(claimed)

    async def settle(self) -> None:
        """Wait until every message claimed here is sent and recorded (tests, shutdown)."""
        while self._carrying or self._transactions:
            await asyncio.gather(*self._carrying, *self._transactions, return_exceptions=True)
        while self._outcomes:
            await self._round(claim=False)

    async def renew(self) -> None:
        """Extend this sender's claims; a claim found taken over is dropped."""
        held = dict(self._held)
        if not held:
            return
        async with self.uow() as uow:
            kept = await uow.outbox.renew(list(held.items()), self.claim)
            await uow.commit()
        for message_id in held.keys() - kept:
            if self._held.get(message_id) == held[message_id]:
                log.warning("claim on outbox message %s was lost", message_id)
                del self._held[message_id]

    async def _whole(self, transaction: Coroutine[Any, Any, T]) -> T:
        """Run a transaction to its end even if the sender is stopped meanwhile: one cancelled
        halfway would leave its connection in the middle of a transaction."""
        task = asyncio.get_running_loop().create_task(transaction)
        self._transactions.add(task)
        task.add_done_callback(self._transactions.discard)
        return await asyncio.shield(task)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.renew_every.total_seconds())
            try:
                await self._whole(self.renew())
            except Exception:
                log.exception("renewing %s claims failed", self.channel)

    async def _round(self, claim: bool) -> list[OutboxMessage]:
        """One transaction: record the outcomes that arrived, then claim the heads now free.

        Recording first is what keeps a chat in order: its next message becomes claimable in
        the same commit that records the previous one as sent.
        """
        outcomes, self._outcomes = self._outcomes, []
        room = self.batch - len(self._held) + len(outcomes) if claim else 0
        try:
            async with self.uow() as uow:
                await _write(uow, outcomes)
                claimed = await uow.outbox.due(room, self.claim, [self.channel]) if room else []
                await uow.commit()
        except BaseException:
            self._outcomes[:0] = outcomes   # recorded in a later round; the claims still hold
            raise
        for outcome in outcomes:
            if self._held.get(outcome.message_id) == outcome.claim:
                del self._held[outcome.message_id]
        for message in claimed:
            self._held[message.id or 0] = message.claim
        return claimed

    async def _carry(self, message: OutboxMessage) -> None:
        """Send one claimed message; its outcome is recorded by the next round."""
        message_id = message.id or 0
        try:
            outcome = await self._send(message)
        except Exception:
            # Not recorded: the claim runs out and the message is tried again.
            log.exception("sending outbox message %s failed", message_id)
            self._held.pop(message_id, None)
            return
        if self._held.get(message_id) == message.claim:   # else its new holder records it
            self._outcomes.append(outcome)
            self._wake.set()

    async def _send(self, message: OutboxMessage) -> Outcome:
        out = Outbound.from_payload(message.channel, message.address, message.payload)
        mine = (message.id or 0, message.claim)
        if self.limits is not None:
            await self.limits.acquire(message.address, paced=not out.reply)
        if self._held.get(mine[0]) != mine[1]:
            return Outcome(*mine, error="claim lost before sending")
        try:
            await self.transport.deliver(out)
        except NotNow as closed:
            return Outcome(*mine, str(closed), timedelta(seconds=closed.seconds), held=True)
        except RetryAfter as flood:
            if self.limits is not None:
                self.limits.hold(flood.seconds, message.address)
            return Outcome(*mine, str(flood), timedelta(seconds=flood.seconds))
        except TransientError as trouble:
            return Outcome(*mine, str(trouble))
        except Undeliverable as refused:
            log.warning("undeliverable message %s: %s", mine[0], refused)
            return Outcome(*mine, f"undeliverable: {refused}", given_up=True)
        return Outcome(*mine)


async def _write(uow: UnitOfWork, outcomes: list[Outcome]) -> None:
    """Outcomes into the outbox: sent in one statement, the rest one by one (they are rare)."""
    await uow.outbox.mark_all_sent([o.message_id for o in outcomes if o.error is None])
    for o in outcomes:
        if o.held:
            await uow.outbox.hold(o.message_id, uow.clock.now() + (o.retry_after or timedelta()),
                                  o.error or "", o.claim)
        elif o.given_up:
            await uow.outbox.give_up(o.message_id, o.error or "", o.claim)
        elif o.error is not None:
            await uow.outbox.mark_failed(o.message_id, o.error, o.retry_after, o.claim)
