"""The chat hands a turn's messages to the channel's sender as they commit (its courier)."""
from __future__ import annotations

from datetime import timedelta

from bot.sender import OutboxSender
from bot.telegram.transport import TransientError
from handlers.messages import Outbound
from storage.repositories.messages import FIRST_RETRY, LEASE
from tests.handlers.conftest import services, talk  # noqa: F401 — fixtures


class Recorder:
    """A transport that keeps what it was asked to send; it can fail the first `failing` sends."""

    def __init__(self, failing: int = 0):
        self.sent: list[Outbound] = []
        self.failing = failing

    async def deliver(self, out: Outbound) -> None:
        if self.failing:
            self.failing -= 1
            raise TransientError("502 Bad Gateway")
        self.sent.append(out)


class Pocket:
    """A courier that takes the messages and dies before sending them."""

    channel = "test"

    def __init__(self) -> None:
        self.taken: list = []

    def hand(self, messages) -> None:
        self.taken += messages


def texts(messages) -> list[str]:
    return [m.text for m in messages]


async def sent_before(sender: OutboxSender, transport: Recorder) -> None:
    """Send what the staff's sign-up left owed, so that only the test's messages remain."""
    while await sender.drain_once():
        pass
    transport.sent.clear()


async def test_a_courier_sends_each_reply_at_once_and_records_it(talk, services):  # noqa: F811
    transport = Recorder()
    sender = OutboxSender(services.uow, "test", transport)
    await sent_before(sender, transport)
    talk.chat.deps.couriers = (sender,)

    replies = await talk.text("newcomer", "/start")
    await sender.settle()

    assert texts(transport.sent) == texts(replies) and replies
    services.clock.advance(LEASE * 2)
    assert await sender.drain_once() == 0          # recorded as sent: never again
    assert texts(transport.sent) == texts(replies)


async def test_what_a_dead_courier_took_goes_out_when_its_lease_ends(talk, services):  # noqa: F811
    pocket = Pocket()
    transport = Recorder()
    sender = OutboxSender(services.uow, "test", transport)
    await sent_before(sender, transport)
    talk.chat.deps.couriers = (pocket,)
    replies = await talk.text("newcomer", "/start")

    assert await sender.drain_once() == 0          # leased to the courier: nobody else sends it
    services.clock.advance(LEASE + timedelta(seconds=1))
    assert await sender.drain_once() == len(pocket.taken) > 0

    assert texts(transport.sent) == texts(replies)


async def test_a_reply_the_courier_could_not_send_is_retried_by_the_sender(talk,  # noqa: F811
                                                                           services):  # noqa: F811
    transport = Recorder()
    sender = OutboxSender(services.uow, "test", transport)
    await sent_before(sender, transport)
    talk.chat.deps.couriers = (sender,)
    transport.failing = 1

    replies = await talk.text("newcomer", "/start")
    await sender.settle()
    assert transport.sent == []                    # the platform was down
    services.clock.advance(FIRST_RETRY + timedelta(seconds=1))
    while await sender.drain_once():
        pass

    assert texts(transport.sent) == texts(replies)
