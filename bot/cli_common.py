"""What every `gridbot` command shares: running a coroutine, failing with a message, services."""
from __future__ import annotations

import asyncio

import typer

from bot.config import DEMO_SECRET_KEY, Settings, load_settings
from bot.services import open_services

SECRET_MIN = 32


def run(coro):
    return asyncio.run(coro)


def strong_secret(settings: Settings) -> bool:
    key = settings.secret_key.get_secret_value() if settings.secret_key else ""
    return len(key) >= SECRET_MIN and key != DEMO_SECRET_KEY


def strong_webhook_secret(settings: Settings) -> bool:
    """Webhook mode's secret header is all that keeps strangers from posting updates."""
    if not settings.telegram_token or settings.telegram_mode != "webhook":
        return True
    return len(settings.telegram_webhook_secret or "") >= SECRET_MIN


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


async def with_services(work, settings: Settings | None = None):
    services = await open_services(settings or load_settings())
    try:
        return await work(services)
    finally:
        await services.close()
