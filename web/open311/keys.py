"""Who a request comes from: no key (the public), or a partner's live key, within its rate."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers import texts
from storage.repositories.api_keys import ApiKey
from storage.uow import UnitOfWork
from web.open311.render import Open311Error

PER_MINUTE = 60


class RateLimit:
    """At most `per_minute` requests per key in each clock minute, in this process.

    Each worker counts its own requests: N workers behind a balancer let a key through up to
    N times the figure in the worst case, which still bounds a runaway partner.
    """

    def __init__(self, now: Callable[[], datetime], per_minute: int = PER_MINUTE):
        self.now, self.per_minute = now, per_minute
        self._minute: datetime | None = None
        self._counts: dict[int, int] = {}

    def take(self, key: ApiKey) -> None:
        minute = self.now().replace(second=0, microsecond=0)
        if minute != self._minute:
            self._minute, self._counts = minute, {}
        self._counts[key.id] = self._counts.get(key.id, 0) + 1
        if self._counts[key.id] > self.per_minute:
            raise Open311Error(429, texts.OPEN311_TOO_MANY.format(n=self.per_minute))


async def partner(uow: UnitOfWork, raw_key: str | None, limit: RateLimit,
                  required: bool = False) -> ApiKey | None:
    """The live key named by `raw_key`; None without one (the public) unless `required`.

    A key that is wrong or revoked is refused whatever the route, so a partner notices at once.
    """
    if not raw_key:
        if required:
            raise Open311Error(400, texts.OPEN311_KEY_REQUIRED)
        return None
    key = await uow.api_keys.active(raw_key[:200])
    if key is None:
        raise Open311Error(403, texts.OPEN311_BAD_KEY)
    limit.take(key)
    return key
