"""What every Telegram transport offers the rest of gridbot."""
from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from bot.delivery import TransientError, Undeliverable
from handlers.messages import Inbound, Outbound

Receive = Callable[[Inbound], Awaitable[None]]


class Unreachable(TransientError):
    """The Bot API could not be reached (connection refused, DNS, timeout): wait and try again."""


class CallbackDataTooLong(Undeliverable, ValueError):
    """A choice's data exceeds Telegram's 64-byte callback_data; the dialog must shorten it."""


class MalformedUpdate(ValueError):
    """A webhook body that is not JSON at all: the web route answers 400."""


def update_json(body: bytes) -> dict[str, Any] | None:
    """A webhook body as a JSON object; None for JSON that is no object (nothing to handle).

    Raises MalformedUpdate when the body is not JSON (bad UTF-8, truncated, nested too deep,
    a number too long to read).
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedUpdate("webhook body is not JSON") from None
    return data if isinstance(data, dict) else None


class Transport(Protocol):
    """One platform connection: updates in as `Inbound`, `Outbound` out as platform calls."""

    async def start(self, receive: Receive) -> None:
        """Connect and hand every update to `receive` (polling runs in the background)."""

    async def stop(self) -> None:
        """Stop receiving and close the connection."""

    async def deliver(self, out: Outbound) -> None:
        """Send one message; raises RetryAfter, TransientError or Undeliverable."""

    async def handle_webhook(self, body: bytes, secret_header: str | None) -> bool:
        """Process one webhook POST; False (nothing processed) when the secret is wrong.

        Raises MalformedUpdate for a body that is not JSON; JSON that is no valid update is
        acknowledged and ignored (True), so Telegram does not deliver it again and again.
        """


def secret_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time check of X-Telegram-Bot-Api-Secret-Token; no secret configured admits none."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class PersonTurns:
    """Lets different people's updates run side by side while one person's stay in order."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._queued: dict[str, int] = {}

    @asynccontextmanager
    async def turn(self, person: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(person, asyncio.Lock())
        self._queued[person] = self._queued.get(person, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._queued[person] -= 1
            if not self._queued[person]:
                del self._queued[person], self._locks[person]
