"""The sender: drains the outbox for one channel, each chat in order, within the platform's limits.

How a message goes (docs/delivery.md has the whole story):
1. claim: one statement takes the next message of every chat that has nothing in flight
   (`OutboxRepository.due`); the claim lasts `CLAIM` (5 s) and is renewed every `RENEW` (1 s)
   while this sender lives, so a dead sender's claims are free again within seconds;
2. send, outside any transaction;
3. record the platform's answer at once: outcomes that arrive while one is being written go
   together in the next write (no waiting on purpose). Only then may the chat's next message be
   claimed, so a chat's messages never overtake each other, across processes and restarts.

Exactly once where the platform allows it: the Bot API has no idempotency key, so a message
whose send had started but whose outcome was not yet recorded when the process died is sent
again once its claim runs out. That is the only message that can go twice, at most one per chat.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.telegram.limits import TelegramLimits
from bot.telegram.transport import RetryAfter, TransientError, Transport, Undeliverable
from bot.wechat.window import WindowClosed
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.repositories.outbox import CLAIM, RENEW
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What the platform said about one claimed message."""

    message_id: int
    attempt: int                        # the claim's token (see `OutboxRepository.renew`)
    error: str | None = None            # None: sent
    retry_after: timedelta | None = None
    given_up: bool = False
    held: bool = False                  # never reached the platform: not an attempt


class OutboxSender:
    def __init__(self, uow: Callable[[], UnitOfWork], channel: str, transport: Transport,
                 limits: TelegramLimits | None = None, batch: int = 200, chats_at_once: int = 64,
                 claim: timedelta = CLAIM, renew: timedelta = RENEW):
        self.uow, self.channel, self.transport = uow, channel, transport
        self.limits = limits
        self.batch = min(batch, chats_at_once)   # one message per chat is in flight at a time
        self.claim, self.renew_every = claim, renew
        self._wake = asyncio.Event()
        self._held: dict[int, int] = {}           # claimed here, not yet recorded: id → token
        self._carrying: set[asyncio.Task[None]] = set()
        self._pending: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._recording: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Something was committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, poll: float = 1.0) -> None:
        """Claim and send until cancelled; each chat's next message is claimed when its last
        one is recorded, so finished sends wake the loop too."""
        renewing = asyncio.get_running_loop().create_task(self._renew_forever())
        try:
            while True:
                self._wake.clear()
                try:
                    room = self.batch - len(self._held)
                    for message in await self._claim(room) if room > 0 else []:
                        task = asyncio.get_running_loop().create_task(self._carry(message))
                        self._carrying.add(task)
                        task.add_done_callback(self._carried)
                except Exception:
                    log.exception("outbox sender for %s failed to claim", self.channel)
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=poll)
                except TimeoutError:
                    pass
        finally:
            renewing.cancel()

    def _carried(self, task: asyncio.Task[None]) -> None:
        self._carrying.discard(task)
        self._wake.set()   # that chat's next message may be claimed now

    async def drain_once(self) -> int:
        """Claim the next message of every chat, send and record them; how many (tests)."""
        claimed = await self._claim(self.batch)
        await asyncio.gather(*(self._carry(message) for message in claimed))
        return len(claimed)

    async def settle(self) -> None:
        """Wait until every message claimed here is sent and recorded (tests, shutdown)."""
        while self._carrying or (self._recording is not None and not self._recording.done()):
            await asyncio.gather(*self._carrying, *([self._recording] if self._recording else []),
                                 return_exceptions=True)

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

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.renew_every.total_seconds())
            try:
                await self.renew()
            except Exception:
                log.exception("renewing %s claims failed", self.channel)

    async def _claim(self, limit: int) -> list[OutboxMessage]:
        async with self.uow() as uow:
            claimed = await uow.outbox.due(limit, self.claim, channels=[self.channel])
            await uow.commit()
        for message in claimed:
            self._held[message.id or 0] = message.attempts
        return claimed

    async def _carry(self, message: OutboxMessage) -> None:
        """Send one claimed message and record what the platform said."""
        message_id = message.id or 0
        try:
            outcome = await self._send(message)
            if self._held.get(message_id) != message.attempts:
                return   # the claim was lost meanwhile: its new holder records it
            await self._record(outcome)
        except Exception:
            # Not recorded: the claim runs out and the message is tried again.
            log.exception("sending outbox message %s failed", message_id)
        finally:
            self._held.pop(message_id, None)

    async def _send(self, message: OutboxMessage) -> Outcome:
        out = Outbound.from_payload(message.channel, message.address, message.payload)
        mine = (message.id or 0, message.attempts)
        if self.limits is not None:
            await self.limits.acquire(message.address)
        if self._held.get(mine[0]) != mine[1]:
            return Outcome(*mine, error="claim lost before sending")
        try:
            await self.transport.deliver(out)
        except WindowClosed as closed:
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

    async def _record(self, outcome: Outcome) -> None:
        """Record one outcome now, together with any that arrive while a write is under way."""
        done = asyncio.get_running_loop().create_future()
        self._pending.append((outcome, done))
        if self._recording is None or self._recording.done():
            self._recording = asyncio.get_running_loop().create_task(self._write_outcomes())
        await done

    async def _write_outcomes(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self.uow() as uow:
                    outcomes = [outcome for outcome, _ in batch]
                    await uow.outbox.mark_all_sent(
                        [o.message_id for o in outcomes if o.error is None])
                    for o in outcomes:
                        if o.held:
                            await uow.outbox.hold(o.message_id, uow.clock.now() + (
                                o.retry_after or timedelta()), o.error or "", o.attempt)
                        elif o.given_up:
                            await uow.outbox.give_up(o.message_id, o.error or "", o.attempt)
                        elif o.error is not None:
                            await uow.outbox.mark_failed(o.message_id, o.error, o.retry_after,
                                                         o.attempt)
                    await uow.commit()
            except Exception as error:  # noqa: BLE001 — each waiting sender hears of it
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
