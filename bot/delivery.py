"""What a delivery can come to, for every channel: the errors a transport's `deliver` raises
and what the outbox sender needs of a transport and of a channel's pacing (docs/delivery.md).

Every transport (Telegram, WeChat, WeCom, …) raises these, and the sender reads them, so no
channel's package is imported by another's or by the sender.
"""
from __future__ import annotations

from typing import Protocol

from handlers.messages import Outbound


class DeliveryError(Exception):
    """An Outbound did not reach the platform."""


class RetryAfter(DeliveryError):
    """Flood control: the platform asks us to wait before sending again."""

    def __init__(self, seconds: float):
        super().__init__(f"flood control: retry after {seconds:g} s")
        self.seconds = seconds


class NotNow(RetryAfter):
    """The message may not go yet and was never offered to the platform (WeChat's closed
    service window): held for `seconds` without counting an attempt."""


class TransientError(DeliveryError):
    """Network trouble or a server error: the same message may be sent again later."""


class Undeliverable(DeliveryError):
    """Refused for good (bot blocked, unknown chat, malformed message): retrying will not help."""


class Carrier(Protocol):
    """What the sender needs of a transport."""

    async def deliver(self, out: Outbound) -> None:
        """Send one message; raises RetryAfter, TransientError or Undeliverable."""


class Pacing(Protocol):
    """A channel's rate limits, as the sender spends them (Telegram's: bot/telegram/limits.py)."""

    async def acquire(self, chat_id: str, paced: bool = True) -> None:
        """Wait until a message to `chat_id` may go, and count it."""

    def hold(self, seconds: float, chat_id: str | None = None) -> None:
        """After a flood-control answer: nothing goes to `chat_id` for `seconds`."""
