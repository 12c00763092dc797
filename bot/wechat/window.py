"""WeChat's customer-service window: 48 h after a person's last message, at most 5 messages.

What cannot go now waits in the outbox (never dropped); the person's next message reopens the
window and releases it, led by a summary line.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.delivery import NotNow
from handlers import texts
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.uow import UnitOfWork

HOLD = timedelta(days=1)   # a held message looks again daily, in case the window was misjudged


class WindowClosed(NotNow):
    """The person has not written for 48 h, or this window's messages are spent: wait for them."""

    def __init__(self, why: str):
        super().__init__(HOLD.total_seconds())
        self.args = (f"window closed: {why}",)


class ServiceWindow:
    def __init__(self, uow: Callable[[], UnitOfWork], channel: str, hours: int = 48,
                 per_window: int = 5):
        self.uow, self.channel = uow, channel
        self.length, self.per_window = timedelta(hours=hours), per_window

    async def opened(self, address: str) -> int:
        """The person wrote: a new window, and what waited for it is due now. Returns how many."""
        async with self.uow() as uow:
            now = uow.clock.now()
            await uow.service_window.open(self.channel, address, now)
            # Held messages wait a day (HOLD); those due within a claim are left alone.
            held = await uow.outbox.release_held(self.channel, address, now)
            if held:
                person = await uow.people.by_channel(self.channel, address)
                summary = Outbound(self.channel, address, texts.WECHAT_HELD.format(n=held))
                # Due a second early, so the summary leads the messages it announces.
                uow.outbox.add(OutboxMessage(self.channel, address, summary.as_payload(),
                                             person_id=person.id if person else None,
                                             due_at=now - timedelta(seconds=1)))
            await uow.commit()
        return held

    async def admit(self, address: str, cost: int = 1) -> None:
        """Count `cost` more messages to `address`, or raise WindowClosed if they may not go.

        Counted before sending: a send that then fails leaves the count one high, which errs
        on the side WeChat enforces.
        """
        async with self.uow() as uow:
            now = uow.clock.now()
            if not await uow.service_window.spend(self.channel, address, cost,
                                                  now - self.length, self.per_window):
                await self._refuse_or_start(uow, address, now, cost)
            await uow.commit()

    async def _refuse_or_start(self, uow: UnitOfWork, address: str, now: datetime,
                               cost: int) -> None:
        standing = await uow.service_window.standing(self.channel, address)
        if standing is None:
            return   # not linked yet: only answers to a message just sent can be owed
        last_seen, sent = standing
        if last_seen is None:
            # Linked by the message it answers, before that message's time was noted.
            await uow.service_window.open(self.channel, address, now, sent=cost)
            return
        if now - last_seen > self.length:
            raise WindowClosed(f"last message at {last_seen:%Y-%m-%d %H:%M}")
        raise WindowClosed(f"{sent} of {self.per_window} messages sent")
