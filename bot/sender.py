"""The sender: drains the outbox for one channel, in order per chat, within the platform's limits.

Two ways in, one way out:
- claim a batch (leased, committed), send outside any transaction, then record the outcomes in
  a new transaction: what was owed before this process started, retries, scheduled notices;
- or be handed a reply the moment its turn commits (`hand`, the chat's `Courier`): the chat
  wrote it already leased to us, so it goes out at once, without a claiming transaction.
Either way, a sender that dies mid-send leaves its messages due again when the lease ends:
delivery is at least once, and nothing accepted is lost. Outcomes are recorded in batches.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.telegram.limits import TelegramLimits
from bot.telegram.transport import (
    PersonTurns,
    RetryAfter,
    TransientError,
    Transport,
    Undeliverable,
)
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
GAVE_UP = timedelta(days=3650)   # an undeliverable message stays visible, never retried
# Handed messages' outcomes wait this long to be recorded with the ones that follow: at a
# steady 100 updates/s, one transaction records five turns' replies instead of one. A crash
# in between only means those are sent again when their lease (a minute) ends.
RECORD_AFTER = 0.05


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str, timedelta | None]] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    retry_in: float = 0.0


class OutboxSender:
    def __init__(self, uow: Callable[[], UnitOfWork], channel: str, transport: Transport,
                 limits: TelegramLimits | None = None, batch: int = 200, chats_at_once: int = 64):
        self.uow, self.channel, self.transport = uow, channel, transport
        self.limits = limits
        self.batch = batch
        self._chats = asyncio.Semaphore(chats_at_once)
        self._wake = asyncio.Event()
        self._in_order = PersonTurns()        # one chat's messages never overtake each other
        self._handed: set[asyncio.Task[None]] = set()
        self._outcomes: list[Outcome] = []
        self._recording: asyncio.Task[None] | None = None

    def hand(self, messages: list[OutboxMessage]) -> None:
        """Send these just-committed messages (leased to this sender) now; record them later."""
        mine = [message for message in messages if message.channel == self.channel]
        if mine:
            task = asyncio.get_running_loop().create_task(self._send_handed(mine))
            self._handed.add(task)
            task.add_done_callback(self._handed.discard)

    async def _send_handed(self, messages: list[OutboxMessage]) -> None:
        outcome = Outcome()
        await asyncio.gather(*(self._send_chat(chat, outcome)
                               for chat in _by_chat(messages).values()))
        self._outcomes.append(outcome)
        if self._recording is None or self._recording.done():
            self._recording = asyncio.get_running_loop().create_task(self._record_handed())

    async def _record_handed(self) -> None:
        """Whatever outcomes piled up meanwhile, in one transaction (group commit again)."""
        await asyncio.sleep(RECORD_AFTER)
        while self._outcomes:
            outcomes, self._outcomes = self._outcomes, []
            try:
                await self._record(Outcome(
                    sent=[i for o in outcomes for i in o.sent],
                    failed=[f for o in outcomes for f in o.failed],
                    held=[i for o in outcomes for i in o.held]))
            except Exception:
                log.exception("recording %s deliveries failed", self.channel)

    async def settle(self) -> None:
        """Wait until everything handed over is sent and recorded (tests, shutdown)."""
        while self._handed or (self._recording is not None and not self._recording.done()):
            await asyncio.gather(*self._handed, *([self._recording] if self._recording else []),
                                 return_exceptions=True)

    def kick(self) -> None:
        """Something was committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, poll: float = 1.0) -> None:
        while True:
            self._wake.clear()
            try:
                if await self.drain_once():
                    continue
            except Exception:
                log.exception("outbox sender for %s failed a batch", self.channel)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
            except TimeoutError:
                pass

    async def drain_once(self) -> int:
        """Send what is due now; returns how many messages were attempted."""
        async with self.uow() as uow:
            due = await uow.outbox.due(self.batch, channels=[self.channel])
            await uow.commit()
        if not due:
            return 0
        outcome = Outcome()
        await asyncio.gather(*(self._send_chat(messages, outcome)
                               for messages in _by_chat(due).values()))
        await self._record(outcome)
        return len(due)

    async def _send_chat(self, messages: list[OutboxMessage], outcome: Outcome) -> None:
        """One chat's messages in order; the first failure holds back the rest of that chat."""
        async with self._in_order.turn(messages[0].address), self._chats:
            for position, message in enumerate(messages):
                out = Outbound.from_payload(message.channel, message.address, message.payload)
                if self.limits is not None:
                    await self.limits.acquire(message.address)
                try:
                    await self.transport.deliver(out)
                except RetryAfter as flood:
                    if self.limits is not None:
                        self.limits.hold(flood.seconds, message.address)
                    outcome.failed.append((message.id, str(flood),
                                           timedelta(seconds=flood.seconds)))
                except TransientError as trouble:
                    outcome.failed.append((message.id, str(trouble), None))
                except Undeliverable as refused:
                    log.warning("undeliverable message %s: %s", message.id, refused)
                    outcome.failed.append((message.id, f"undeliverable: {refused}", GAVE_UP))
                    continue
                else:
                    outcome.sent.append(message.id)
                    continue
                outcome.held.extend(m.id for m in messages[position + 1:])
                return

    async def _record(self, outcome: Outcome) -> None:
        async with self.uow() as uow:
            await uow.outbox.mark_all_sent(outcome.sent)
            soonest = None
            for message_id, error, retry_after in outcome.failed:
                due = await uow.outbox.mark_failed(message_id, error, retry_after)
                soonest = due if soonest is None else min(soonest, due)
            for message_id in outcome.held:
                await uow.outbox.postpone(message_id, soonest or uow.clock.now())
            await uow.commit()


def _by_chat(messages: list[OutboxMessage]) -> dict[str, list[OutboxMessage]]:
    by_chat: dict[str, list[OutboxMessage]] = defaultdict(list)
    for message in messages:
        by_chat[message.address].append(message)
    return by_chat
