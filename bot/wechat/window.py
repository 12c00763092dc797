"""WeChat's customer-service window: 48 h after a person's last message, at most 5 messages.

What cannot go now waits in the outbox (never dropped); the person's next message reopens the
window and releases it, led by a summary line.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from bot.telegram.transport import RetryAfter
from handlers import texts
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.repositories.outbox import CLAIM
from storage.tables import ChannelAccountRow, OutboxRow
from storage.uow import UnitOfWork

HOLD = timedelta(days=1)   # a held message looks again daily, in case the window was misjudged


class WindowClosed(RetryAfter):
    """The person has not written for 48 h, or this window's messages are spent: wait for them."""

    def __init__(self, why: str):
        super().__init__(HOLD.total_seconds())
        self.args = (f"window closed: {why}",)


class ServiceWindow:
    def __init__(self, uow: Callable[[], UnitOfWork], channel: str, hours: int = 48,
                 per_window: int = 5):
        self.uow, self.channel = uow, channel
        self.length, self.per_window = timedelta(hours=hours), per_window

    def _account(self, address: str):
        return ((ChannelAccountRow.channel == self.channel)
                & (ChannelAccountRow.external_id == address))

    async def opened(self, address: str) -> int:
        """The person wrote: a new window, and what waited for it is due now. Returns how many."""
        async with self.uow() as uow:
            now = uow.clock.now()
            session = uow.session
            await session.execute(update(ChannelAccountRow).where(self._account(address))
                                  .values(last_seen_at=now, window_sent=0)
                                  .execution_options(synchronize_session=False))
            # Held messages wait a day (HOLD). A message due within a sender's claim may be
            # in flight right now, claimed by a sender: making it due again would let the
            # callback's passive reply claim it too, and it would go twice.
            waiting = ((OutboxRow.channel == self.channel) & (OutboxRow.address == address)
                       & OutboxRow.sent_at.is_(None) & (OutboxRow.due_at > now + CLAIM))
            held = len((await session.execute(
                update(OutboxRow).where(waiting).values(due_at=now).returning(OutboxRow.id)
                .execution_options(synchronize_session=False))).all())
            if held:
                person = (await session.execute(select(ChannelAccountRow.person_id)
                                                .where(self._account(address)))).scalar()
                summary = Outbound(self.channel, address, texts.WECHAT_HELD.format(n=held))
                # Due a second early, so the summary leads the messages it announces.
                uow.outbox.add(OutboxMessage(self.channel, address, summary.as_payload(),
                                             person_id=person, due_at=now - timedelta(seconds=1)))
            await uow.commit()
        return held

    async def admit(self, address: str, cost: int = 1) -> None:
        """Count `cost` more messages to `address`, or raise WindowClosed if they may not go.

        Counted before sending: a send that then fails leaves the count one high, which errs
        on the side WeChat enforces.
        """
        async with self.uow() as uow:
            now = uow.clock.now()
            counted = (await uow.session.execute(
                update(ChannelAccountRow)
                .where(self._account(address), ChannelAccountRow.last_seen_at >= now - self.length,
                       ChannelAccountRow.window_sent + cost <= self.per_window)
                .values(window_sent=ChannelAccountRow.window_sent + cost)
                .returning(ChannelAccountRow.id)
                .execution_options(synchronize_session=False))).first()
            if counted is None:
                await self._refuse_or_start(uow, address, now, cost)
            await uow.commit()

    async def _refuse_or_start(self, uow: UnitOfWork, address: str, now, cost: int) -> None:
        row = (await uow.session.execute(
            select(ChannelAccountRow.last_seen_at, ChannelAccountRow.window_sent)
            .where(self._account(address)))).first()
        if row is None:
            return   # not linked yet: only answers to a message just sent can be owed
        if row.last_seen_at is None:
            # Linked by the message it answers, before that message's time was noted.
            await uow.session.execute(update(ChannelAccountRow).where(self._account(address))
                                      .values(last_seen_at=now, window_sent=cost)
                                      .execution_options(synchronize_session=False))
            return
        if now - row.last_seen_at > self.length:
            raise WindowClosed(f"last message at {row.last_seen_at:%Y-%m-%d %H:%M}")
        raise WindowClosed(f"{row.window_sent} of {self.per_window} messages sent")
