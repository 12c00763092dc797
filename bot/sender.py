"""The sender: drains the outbox for one channel, in order per chat, within the platform's limits.

Claim a batch (leased, committed), send outside any transaction, then record the outcomes in a
new transaction. A sender that dies mid-batch leaves its messages due again when the lease ends:
delivery is at least once, and nothing accepted is lost.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from bot.telegram.limits import TelegramLimits
from bot.telegram.transport import RetryAfter, TransientError, Transport, Undeliverable
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
GAVE_UP = timedelta(days=3650)   # an undeliverable message stays visible, never retried


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

    def kick(self) -> None:
        """Something was committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, poll: float = 1.0) -> None:
        while True:
            self._wake.clear()
            try:
                if await self.drain_once():
                    continue
            except Exception:  # noqa: BLE001 — the sender must outlive one bad batch
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
        by_chat: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in due:
            by_chat[message.address].append(message)
        outcome = Outcome()
        await asyncio.gather(*(self._send_chat(messages, outcome) for messages in by_chat.values()))
        await self._record(outcome)
        return len(due)

    async def _send_chat(self, messages: list[OutboxMessage], outcome: Outcome) -> None:
        """One chat's messages in order; the first failure holds back the rest of that chat."""
        async with self._chats:
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
