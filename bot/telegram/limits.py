"""Telegram's sending limits as token buckets: ~1 msg/s per chat, 20/min per group, 30/s overall.

Telegram's FAQ asks bots to avoid more than one message a second in a chat and allows short
bursts over that. A person's own conversation takes the burst (a turn's answers go at once,
the next turn's too), the long-run rate stays 1/s; notices and broadcasts are paced at one a
second with no burst. Messages waiting for the bot's overall share get it in the order their
chats let them go (docs/delivery.md, "Pacing").
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
FORGET_AFTER = 4096    # idle chats' buckets are dropped once this many are kept
EPSILON = 1e-9         # float refills land a hair short of a whole token


@dataclass
class TokenBucket:
    """`burst` tokens at most, refilled at `rate` per second; one message spends one token."""

    rate: float
    burst: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, burst: float, now: float) -> TokenBucket:
        return cls(rate, burst, burst, now)

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one token is there."""
        self.refill(now)
        missing = 1 - self.tokens
        return 0.0 if missing <= EPSILON else missing / self.rate

    def take(self, now: float) -> None:
        self.refill(now)
        self.tokens -= 1

    def is_full(self, now: float) -> bool:
        self.refill(now)
        return self.tokens >= self.burst


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: float


# Every message to a chat spends from this: 1/s in the long run, six at once at most, which is
# a whole report (six turns, an answer each) at tapping speed. Telegram gives no burst size; if
# it allows less, its 429's retry_after holds the chat (`hold`).
PER_CHAT = Rate(1.0, 6)
# Notices and broadcasts spend from this too: one a second, no burst, so they never eat the
# burst a conversation with that person may need.
PACED = Rate(1.0, 1)
# burst + 60 s × rate = 20: no minute ever holds more than 20 messages to one group
PER_GROUP = Rate(10 / 60, 10)
BOT_PER_SECOND = 30   # messages a second to all chats together, counted per bot
TURN = 3              # one worker sends this many at once: a turn's answers


def overall_share(workers: int) -> Rate:
    """One worker's part of the bot's 30 messages/s when `workers` processes send for it.

    The limiter lives in a process; Telegram counts per bot. Without a share, N workers would
    together send N × 30/s and meet 429s (honoured, but each one stalls that chat). Each worker
    may send a few at once, then its share of the rest: burst + one second's refill, summed over
    the workers, is 30, so no second ever holds more than 30 (a bucket of 30 at once and then
    30/s would let 60 into the first second, and as many after any stall).
    """
    if not 1 <= workers < BOT_PER_SECOND:
        raise ValueError(f"between 1 and {BOT_PER_SECOND - 1} workers send for one bot")
    burst = max(1.0, TURN / workers)
    return Rate(BOT_PER_SECOND / workers - burst, burst)


OVERALL = overall_share(1)


def is_group(chat_id: str) -> bool:
    """Telegram gives groups, supergroups and channels negative ids."""
    return chat_id.startswith("-")


@dataclass(frozen=True)
class ChatBuckets:
    """One chat's buckets: `every` message spends from each of these (the chat's, and the
    group's if it is one); a paced message from `paced` as well."""

    every: list[TokenBucket]
    paced: TokenBucket

    def spent_by(self, paced: bool) -> list[TokenBucket]:
        return [*self.every, self.paced] if paced else self.every


class TelegramLimits:
    """Waits just long enough before each send to keep within Telegram's limits."""

    def __init__(self, per_chat: Rate = PER_CHAT, per_group: Rate = PER_GROUP,
                 overall: Rate = OVERALL, paced: Rate = PACED, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep):
        self._per_chat, self._per_group, self._paced = per_chat, per_group, paced
        self._clock, self._sleep = clock, sleep
        self._overall = TokenBucket.full(overall.per_second, overall.burst, clock())
        self._line = asyncio.Lock()   # first come, first served: the waiters for `_overall`
        self._chats: dict[str, ChatBuckets] = {}
        self._held_until: dict[str | None, float] = {}

    def delay(self, chat_id: str, paced: bool = True) -> float:
        """Seconds to wait before a message to `chat_id` may go; 0 means now. `paced`: a notice
        or a broadcast (one a second); False: an answer in the person's own conversation."""
        now = self._clock()
        return max(self._chat_wait(chat_id, paced, now), self._overall_wait(now))

    def take(self, chat_id: str, paced: bool = True) -> None:
        """Counts one message to `chat_id` as sent."""
        now = self._clock()
        for bucket in (self._overall, *self._chat(chat_id, now).spent_by(paced)):
            bucket.take(now)

    async def acquire(self, chat_id: str, paced: bool = True) -> None:
        """Waits until a message to `chat_id` may go, and counts it.

        A message waits for its own chat's pace first, then in line for the bot's overall
        share: the share goes to messages in the order their chats let them go, so under a
        backlog none waits behind later ones (after a restart, the messages owed go before
        the answers to the turns that follow), and a chat held back holds up no other.
        """
        while True:
            while (wait := self._chat_wait(chat_id, paced, self._clock())) > 0:
                await self._sleep(wait)
            async with self._line:
                while (wait := self._overall_wait(self._clock())) > 0:
                    await self._sleep(wait)
                if self._chat_wait(chat_id, paced, self._clock()) <= 0:   # no 429 held it
                    self.take(chat_id, paced)   # no await since the checks: nobody slipped in
                    return

    def hold(self, seconds: float, chat_id: str | None = None) -> None:
        """After a 429: nothing goes to `chat_id` (or anywhere, if None) for `seconds`."""
        until = self._clock() + seconds
        self._held_until[chat_id] = max(until, self._held_until.get(chat_id, until))

    def _chat_wait(self, chat_id: str, paced: bool, now: float) -> float:
        held = self._held_until.get(chat_id, now) - now
        return max(held, *(b.wait(now) for b in self._chat(chat_id, now).spent_by(paced)))

    def _overall_wait(self, now: float) -> float:
        return max(self._held_until.get(None, now) - now, self._overall.wait(now))

    def _chat(self, chat_id: str, now: float) -> ChatBuckets:
        buckets = self._chats.get(chat_id)
        if buckets is None:
            if len(self._chats) >= FORGET_AFTER:
                self._forget_idle(now)
            rates = [self._per_chat, self._per_group] if is_group(chat_id) else [self._per_chat]
            buckets = ChatBuckets([TokenBucket.full(r.per_second, r.burst, now) for r in rates],
                                  TokenBucket.full(self._paced.per_second, self._paced.burst, now))
            self._chats[chat_id] = buckets
        return buckets

    def _forget_idle(self, now: float) -> None:
        # A full bucket behaves exactly like a new one, so dropping it changes nothing.
        idle = [c for c, buckets in self._chats.items()
                if all(b.is_full(now) for b in buckets.spent_by(paced=True))]
        for chat_id in idle:
            del self._chats[chat_id]
        self._held_until = {c: t for c, t in self._held_until.items() if t > now}
