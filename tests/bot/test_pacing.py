"""Pacing on Telegram: a person's own conversation goes at once, notices one a second."""
from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Coroutine
from typing import Any

import pytest

from bot.delivery import RetryAfter
from bot.sender import OutboxSender
from bot.telegram.limits import OVERALL, PER_CHAT, Rate, TelegramLimits, overall_share
from handlers.messages import Outbound
from storage.records import OutboxMessage
from tests.bot.test_sender_on_commit import Recorder, sent_before
from tests.bot.test_telegram_transports import FakeClock
from tests.fakes.telegram_api import RateLimits
from tests.handlers.conftest import services, talk  # noqa: F401 — fixtures

PERSON = "7001"


class Clocked(Recorder):
    """Keeps when (on the limiter's clock) each message reached the platform."""

    def __init__(self, clock: FakeClock, refuse_with: RetryAfter | None = None):
        super().__init__()
        self.clock, self.at, self.refuse_with = clock, [], refuse_with

    async def deliver(self, out: Outbound) -> None:
        if self.refuse_with is not None:
            refusal, self.refuse_with = self.refuse_with, None
            raise refusal
        self.at.append(self.clock.now)
        await super().deliver(out)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def owe(services, texts: list[str], reply: bool) -> None:  # noqa: F811
    async with services.uow() as uow:
        await uow.outbox.add_all([OutboxMessage(
            "telegram", PERSON, Outbound("telegram", PERSON, text, reply=reply).as_payload())
            for text in texts])
        await uow.commit()


async def drain(sender: OutboxSender) -> None:
    while await sender.drain_once():
        pass


async def paced_sender(services, clock: FakeClock, channel: str = "telegram",  # noqa: F811
                       refuse_with: RetryAfter | None = None) -> tuple[Clocked, OutboxSender]:
    """A sender under `TelegramLimits` on the fake clock, with nothing else owed."""
    transport = Clocked(clock, refuse_with)
    sender = OutboxSender(services.uow, channel, transport,
                          TelegramLimits(clock=clock, sleep=clock.sleep))
    await sent_before(sender, transport)
    return transport, sender


async def test_a_three_message_turn_goes_out_at_once(services, clock):  # noqa: F811
    transport, sender = await paced_sender(services, clock)
    await owe(services, ["已收到。", "工单号 WG-1。", "请选择下一步。"], reply=True)
    await drain(sender)
    assert [o.text for o in transport.sent] == ["已收到。", "工单号 WG-1。", "请选择下一步。"]
    assert clock.slept == []


async def test_a_broadcast_to_one_chat_is_still_paced_one_a_second(services, clock):  # noqa: F811
    transport, sender = await paced_sender(services, clock)
    await owe(services, ["周报一", "周报二", "周报三"], reply=False)
    await drain(sender)
    assert [b - a for a, b in zip(transport.at, transport.at[1:], strict=False)] == pytest.approx([1.0, 1.0])


async def test_a_turn_in_a_conversation_is_answered_at_once(talk, services, clock):  # noqa: F811
    """Through the chat itself: a turn's answers are written as replies, and go unpaced."""
    transport, sender = await paced_sender(services, clock, "test")
    replies = []
    for command in ("/start", "/help"):   # the next tap a quarter of a second after the answers
        replies += await talk.text("newcomer", command)
        await drain(sender)
        clock.now += 0.25
    assert [o.text for o in transport.sent] == [o.text for o in replies] and len(replies) >= 2
    assert sum(clock.slept) < 0.1   # past three at once, only the bot's 30/s spaces them


async def test_a_429_still_holds_the_chat_for_retry_after(services, clock):  # noqa: F811
    transport, sender = await paced_sender(services, clock, refuse_with=RetryAfter(17))
    limits = sender.limits
    assert limits is not None
    await owe(services, ["已收到。"], reply=True)
    await drain(sender)
    assert transport.sent == []
    assert limits.delay(PERSON, paced=False) == pytest.approx(17)   # even an answer waits
    assert limits.delay("7002", paced=False) == 0                  # other chats do not


async def test_a_person_who_keeps_tapping_is_held_to_one_a_second_after_the_burst(clock):
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)
    sent_at = []
    for _ in range(int(PER_CHAT.burst) + 10):
        await limits.acquire(PERSON, paced=False)
        sent_at.append(clock.now)
    burst = int(PER_CHAT.burst)
    assert sent_at[burst - 1] - sent_at[0] < 0.2                   # the burst, at once
    assert sent_at[burst] - sent_at[0] == pytest.approx(1.0)        # then Telegram's 1/s
    assert [b - a for a, b in zip(sent_at[burst:], sent_at[burst + 1:], strict=False)] == pytest.approx([1.0] * 9)


async def test_a_notice_does_not_eat_the_burst_of_the_conversation_after_it(clock):
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)
    await limits.acquire(PERSON)                     # a reminder
    for _ in range(int(PER_CHAT.burst) - 1):         # then the person answers it, tapping
        clock.now += 0.1
        await limits.acquire(PERSON, paced=False)
    assert clock.slept == []


async def test_conversations_and_broadcasts_stay_within_telegrams_limits(clock):
    """The limiter's sends, played into the emulator's count of Telegram's limits: no 429."""
    emulator = RateLimits(per_chat_per_s=1, global_per_s=30)
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)
    refused = []
    for n in range(600):
        chat, paced = (str(7000 + n % 7), n % 3 == 0) if n % 5 else ("-100123", True)
        await limits.acquire(chat, paced)
        refused.append(emulator.retry_after(int(chat), clock.now))
    assert refused == [None] * 600


async def test_workers_answering_at_once_keep_to_the_bots_thirty_a_second(clock):
    """GRIDBOT_TELEGRAM_WORKERS=3: conversations' bursts do not lift the overall share."""
    workers = [TelegramLimits(overall=overall_share(3), clock=clock, sleep=clock.sleep)
               for _ in range(3)]
    start, sent = clock.now, 0
    for n in range(2000):   # each worker answers many people, as fast as it is let
        await workers[n % 3].acquire(str(n % 400), paced=False)
        if clock.now - start >= 10:
            break
        sent += 1
    assert sent <= 30 + 10 * 30


class SteppedClock:
    """Virtual time for many senders at once: each sleep really suspends its task, and time
    jumps to the earliest wake-up once every task is waiting. Of those due at the same moment
    the newest wakes first: the event loop promises no order among equal deadlines."""

    def __init__(self) -> None:
        self.now, self._waiting, self._order = 100.0, [], itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (self.now + seconds, -next(self._order), woken))
        await woken

    async def run(self, *jobs: Coroutine[Any, Any, None]) -> None:
        tasks = [asyncio.ensure_future(job) for job in jobs]
        while not all(task.done() for task in tasks):
            for _ in range(10):           # every runnable task reaches its next sleep
                await asyncio.sleep(0)
            if self._waiting:
                at, _, woken = heapq.heappop(self._waiting)
                self.now = max(self.now, at)
                woken.set_result(None)
        for task in tasks:
            task.result()


async def test_people_waiting_for_the_bots_thirty_a_second_are_served_in_turn():
    """More answers than Telegram's 30/s for a while: they queue, and each waits its turn; a
    newcomer does not overtake those already waiting (they waited many seconds when it did)."""
    clock = SteppedClock()
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)
    waited: dict[str, float] = {}

    async def answer(chat: str, arrives: float) -> None:
        await clock.sleep(arrives)
        asked = clock.now
        await limits.acquire(chat, paced=False)
        waited[chat] = clock.now - asked

    early = [answer(f"early{n}", 0) for n in range(40)]
    stream = [answer(f"late{n}", n / 40) for n in range(1, 200)]   # 40/s keep arriving
    await clock.run(*early, *stream)
    rate = OVERALL.per_second
    assert max(waited[f"early{n}"] for n in range(40)) <= 40 / rate + 0.1
    assert max(waited.values()) <= 240 / rate - 199 / 40 + 0.1      # the queue, no more


class Scaled:
    """Real time, run a hundred times faster: waiters really wait, and overtake if they can."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self) -> float:
        return (time.monotonic() - self.start) * 100

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / 100)


async def test_messages_waiting_for_the_bots_share_go_in_the_order_they_came():
    """A restart's owed messages, all waiting at once, go before answers that come after them,
    however the waits fall."""
    scaled = Scaled()
    limits = TelegramLimits(overall=Rate(4, 1), clock=scaled, sleep=scaled.sleep)
    went: list[str] = []

    async def send(chat: str) -> None:
        await limits.acquire(chat, paced=False)
        went.append(chat)

    owed = [asyncio.create_task(send(f"owed-{n}")) for n in range(20)]
    await asyncio.sleep(0.015)             # a second and a half on the limiter's clock
    later = [asyncio.create_task(send(f"later-{n}")) for n in range(10)]
    await asyncio.gather(*owed, *later)
    assert went == [f"owed-{n}" for n in range(20)] + [f"later-{n}" for n in range(10)]


async def test_a_chat_held_by_a_429_does_not_hold_up_the_others_in_line():
    scaled = Scaled()
    limits = TelegramLimits(overall=Rate(4, 1), clock=scaled, sleep=scaled.sleep)
    limits.hold(3, chat_id="7001")
    went: list[str] = []

    async def send(chat: str) -> None:
        await limits.acquire(chat, paced=False)
        went.append(chat)

    await asyncio.gather(send("7001"), *(send(str(7002 + n)) for n in range(8)))
    assert went[-1] == "7001" and len(went) == 9
