"""Telegram transports (python-telegram-bot or aiogram) behind one shape, `Transport`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

from bot.delivery import DeliveryError, RetryAfter, TransientError, Undeliverable
from bot.telegram.transport import CallbackDataTooLong, Receive, Transport, Unreachable

PRODUCTION_API = "https://api.telegram.org"
# Updates handled at once (each person's still in order). A dialog update waits for its
# commit, and the chat commits whatever waits together: more in flight carries more dialog
# updates a second, at no cost to a bare echo bot (bench/README.md has the figures).
AT_ONCE = 128

__all__ = [
    "AT_ONCE",
    "PRODUCTION_API",
    "CallbackDataTooLong",
    "DeliveryError",
    "Receive",
    "RetryAfter",
    "TransientError",
    "Transport",
    "TransportOptions",
    "Undeliverable",
    "Unreachable",
    "make_transport",
]


class TransportOptions(TypedDict, total=False):
    """A library's own tuning: `poll_timeout` for both, `pool_size` and `http` for
    python-telegram-bot only (aiogram refuses them)."""

    poll_timeout: int
    pool_size: int | None
    http: str


def make_transport(library: Literal["ptb", "aiogram"], token: str, api_url: str = PRODUCTION_API,
                   media_dir: Path | str = "media", mode: Literal["polling", "webhook"] = "polling",
                   webhook_secret: str | None = None, *, webhook_url: str | None = None,
                   concurrency: int = 1, **options: Unpack[TransportOptions]) -> Transport:
    """A transport on the chosen library; webhook mode needs a secret, `webhook_url` registers it."""
    if mode not in ("polling", "webhook"):
        raise ValueError(f"mode must be 'polling' or 'webhook', not {mode!r}")
    if mode == "webhook" and not webhook_secret:
        raise ValueError("webhook mode needs webhook_secret, or anyone could post updates")
    # Checked by the library's transport, which takes the options it knows.
    common: dict[str, Any] = dict(mode=mode, webhook_secret=webhook_secret,
                                  webhook_url=webhook_url, concurrency=concurrency, **options)
    if library == "ptb":
        from bot.telegram.ptb import PtbTransport
        return PtbTransport(token, api_url, Path(media_dir), **common)
    if library == "aiogram":
        from bot.telegram.aio import AiogramTransport
        return AiogramTransport(token, api_url, Path(media_dir), **common)
    raise ValueError(f"library must be 'ptb' or 'aiogram', not {library!r}")
