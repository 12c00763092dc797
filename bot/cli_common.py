"""What every `gridbot` command shares: running a coroutine, failing with a message, services."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer

from bot.config import DEMO_SECRET_KEY, Settings, load_settings
from bot.services import Services, open_services

SECRET_MIN = 32
_T = TypeVar("_T")


def run(coro: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run(coro)


def strong_secret(settings: Settings) -> bool:
    key = settings.secret_key.get_secret_value() if settings.secret_key else ""
    return len(key) >= SECRET_MIN and key != DEMO_SECRET_KEY


def strong_webhook_secret(settings: Settings) -> bool:
    """Webhook mode's secret header is all that keeps strangers from posting updates."""
    if not settings.telegram_token or settings.telegram_mode != "webhook":
        return True
    return len(settings.telegram_webhook_secret or "") >= SECRET_MIN


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


async def with_services(work: Callable[[Services], Awaitable[_T]],
                        settings: Settings | None = None) -> _T:
    services = await open_services(settings or load_settings())
    try:
        return await work(services)
    finally:
        await services.close()
