"""WeCom drops application messages beyond 30 a minute and 1000 an hour per member: pace them.

Token buckets whose burst plus a window's refill stays within the limit, so no window of that
length ever holds more than the limit. The clock and sleep are injectable for tests.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.telegram.limits import TokenBucket

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
FORGET_AFTER = 4096


def bucket_for(limit: int, window_s: float, now: float) -> TokenBucket:
    """Half the limit as burst, the other half refilled over the window."""
    burst = max(limit // 2, 1)
    return TokenBucket.full((limit - burst) / window_s, burst, now)


class MemberLimits:
    """Waits before each message so that every member stays within `per_minute` and `per_hour`."""

    def __init__(self, per_minute: int = 30, per_hour: int | None = 1000,
                 clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep):
        self.per_minute, self.per_hour = per_minute, per_hour
        self._clock, self._sleep = clock, sleep
        self._members: dict[str, list[TokenBucket]] = {}
        self._held_until: dict[str, float] = {}

    def delay(self, member: str) -> float:
        now = self._clock()
        held = self._held_until.get(member, now) - now
        return max(held, *(bucket.wait(now) for bucket in self._buckets(member, now)))

    def take(self, member: str) -> None:
        now = self._clock()
        for bucket in self._buckets(member, now):
            bucket.take(now)

    async def acquire(self, member: str, paced: bool = True) -> None:
        """Wait until a message to `member` may go, and count it; WeCom's limits count an
        answer like any other message, so `paced` changes nothing."""
        while (wait := self.delay(member)) > 0:
            await self._sleep(wait)
        self.take(member)

    def hold(self, seconds: float, member: str | None = None) -> None:
        """After WeCom said "too fast": nothing more to `member` (or anyone) for `seconds`."""
        until = self._clock() + seconds
        for key in [member] if member is not None else list(self._members):
            self._held_until[key] = max(until, self._held_until.get(key, until))

    def _buckets(self, member: str, now: float) -> list[TokenBucket]:
        buckets = self._members.get(member)
        if buckets is None:
            if len(self._members) >= FORGET_AFTER:
                self._forget_idle(now)
            buckets = [bucket_for(self.per_minute, 60, now)]
            if self.per_hour:
                buckets.append(bucket_for(self.per_hour, 3600, now))
            self._members[member] = buckets
        return buckets

    def _forget_idle(self, now: float) -> None:
        idle = [m for m, buckets in self._members.items() if all(b.is_full(now) for b in buckets)]
        for member in idle:
            del self._members[member]
        self._held_until = {m: t for m, t in self._held_until.items() if t > now}
