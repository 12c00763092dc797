"""Run the demo: services, sample data, the chat and the web app under uvicorn.

This is an entry point (like `bot/cli.py`), so it may use the composition root in `bot/`.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from bot.config import Settings
from bot.services import build_chat, open_services
from web.app import create_demo_app
from web.demo_seed import seed_demo
from web.mailbox import OutboxBell

log = logging.getLogger(__name__)
GRACEFUL_SHUTDOWN_S = 2


@asynccontextmanager
async def demo_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The seeded demo app; its database connections close when the block ends."""
    services = await open_services(settings)
    try:
        demo = await seed_demo(services)
        bell = OutboxBell()
        chat = await build_chat(services, on_committed=bell.ring)
        yield create_demo_app(services, chat, demo=demo, bell=bell)
    finally:
        await services.close()


class DemoServer(uvicorn.Server):
    """uvicorn that first releases the pages' long-polls, so stopping takes no 20 s wait."""

    def __init__(self, app: FastAPI, host: str, port: int, log_level: str = "info"):
        # log_config=None: logging is set up once by `bot.logs` (JSON lines, redacted, access
        # log without query strings); uvicorn's own dictConfig would replace it.
        super().__init__(uvicorn.Config(app, host=host, port=port, log_level=log_level,
                                        lifespan="off", log_config=None,
                                        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S))
        self.bell: OutboxBell = app.state.bell

    async def shutdown(self, sockets: list | None = None) -> None:
        self.bell.close()
        await super().shutdown(sockets=sockets)


async def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the demo page and the web chat until interrupted (Ctrl-C)."""
    async with demo_app(settings) as app:
        log.info("demo at http://%s:%d/", host, port)
        await DemoServer(app, host, port).serve()
