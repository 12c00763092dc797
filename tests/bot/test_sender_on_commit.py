"""A turn's replies leave as soon as it commits: the chat kicks the sender, which claims them."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.delivery import TransientError
from bot.sender import OutboxSender
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.repositories.outbox import CLAIM, FIRST_RETRY
from tests.handlers.conftest import services, talk  # noqa: F401 — fixtures


class Recorder:
    """A transport that keeps what it was asked to send; it can fail the first `failing` sends."""

    def __init__(self, failing: int = 0):
        self.sent: list[Outbound] = []
        self.failing = failing
        self.arrived = asyncio.Event()

    async def deliver(self, out: Outbound) -> None:
        if self.failing:
            self.failing -= 1
            raise TransientError("502 Bad Gateway")
        self.sent.append(out)
        self.arrived.set()


def texts(messages) -> list[str]:
    return [m.text for m in messages]


async def sent_before(sender: OutboxSender, transport: Recorder) -> None:
    """Send what the staff's sign-up left owed, so that only the test's messages remain."""
    while await sender.drain_once():
        pass
    transport.sent.clear()


async def test_a_running_sender_sends_each_reply_once_when_its_turn_commits(talk,  # noqa: F811
                                                                            services):  # noqa: F811
    transport = Recorder()
    sender = OutboxSender(services.uow, "test", transport)
    await sent_before(sender, transport)
    talk.chat.deps.on_committed = sender.kick
    running = asyncio.get_running_loop().create_task(sender.run(poll=3600))   # kicks only
    try:
        replies = await talk.text("newcomer", "/start")
        while len(transport.sent) < len(replies):
            transport.arrived.clear()
            await asyncio.wait_for(transport.arrived.wait(), timeout=5)
        await sender.settle()
    finally:
        running.cancel()
    assert texts(transport.sent) == texts(replies) and replies
    services.clock.advance(CLAIM * 2)
    assert await sender.drain_once() == 0          # recorded as sent: never again
    assert texts(transport.sent) == texts(replies)


async def test_a_reply_the_platform_refused_for_now_is_retried_in_its_place(services):  # noqa: F811
    transport = Recorder()
    sender = OutboxSender(services.uow, "test", transport)
    await sent_before(sender, transport)
    transport.failing = 1

    replies = [Outbound("test", "newcomer", text) for text in ("已收到照片。", "请发送位置。")]
    async with services.uow() as uow:
        await uow.outbox.add_all([OutboxMessage("test", "newcomer", out.as_payload())
                                  for out in replies])
        await uow.commit()
    assert await sender.drain_once() == 1
    assert transport.sent == []                    # the platform was down
    assert await sender.drain_once() == 0          # the rest of the chat waits behind it
    services.clock.advance(FIRST_RETRY + timedelta(seconds=1))
    while await sender.drain_once():
        pass

    assert texts(transport.sent) == texts(replies)
