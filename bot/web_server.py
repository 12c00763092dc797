"""Run the demo: services, sample data, the chat and the web app under uvicorn.

An entry point beside `bot/cli.py`: it uses the composition root, so it lives in `bot/`.
A demo app (one with the web chat) also gets its terminal: a short start naming its pages,
then one line per order filed and per hand-over (see `Narrator`).
"""
from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.server import HANDLED_SIGNALS

from bot.config import Settings
from bot.logs import DEMO_LOGGER, zone_name
from bot.services import build_chat, open_services
from domain.calendar import SHANGHAI
from domain.grids import grid_of
from handlers import texts
from handlers.deps import Deps
from web.app import create_demo_app
from web.demo_seed import seed_demo
from web.mailbox import OutboxBell

log = logging.getLogger(__name__)
told = logging.getLogger(DEMO_LOGGER)
GRACEFUL_SHUTDOWN_S = 2
QUIET_WAIT_S = 30.0   # a sweep's commit may not ring the bell: look again at least this often
HANDED_ON = ("submitted", "dispatched", "escalated", "returned")
DEMO_LOG_FILE = Path(".demo") / "gridbot.log"


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


class Narrator:
    """Tells the terminal what happens to orders, from their history: who holds a new one,
    where one is handed on, and when it is signed for, resolved or closed."""

    def __init__(self, deps: Deps, bell: OutboxBell):
        self.deps, self.bell = deps, bell
        self.seen: set[tuple[str, str, datetime]] = set()

    async def run(self) -> None:
        async with self.deps.uow() as uow:
            since = uow.clock.now()
        while not self.bell.closed:
            rang = self.bell.rings
            try:
                since = await self.tell(since)
            except Exception:   # the terminal's story must never stop the demo
                log.exception("narrator: could not read the orders' history")
            await self.bell.wait(rang, QUIET_WAIT_S)

    async def tell(self, since: datetime) -> datetime:
        async with self.deps.uow() as uow:
            events = await uow.events.between(since, since + timedelta(days=3650))
            filed = {e.order_code for e in events if e.kind == "submitted"}
            for event in events:
                key = (event.order_code, event.kind, event.at)
                if key in self.seen or event.kind not in texts.EVENT_LABELS or (
                        event.kind == "dispatched" and event.order_code in filed):
                    continue   # a new order's first dispatch is told on its line
                self.seen.add(key)
                order = await uow.orders.get(event.order_code)
                holder = (await uow.people.get(order.assignee_id)
                          if order and order.assignee_id else None)
                told.info("%s", self.line(event.kind, order, holder))
        return max((event.at for event in events), default=since)

    def line(self, kind: str, order: Any, holder: Any) -> str:
        """`WG-… 提交: what @ where → who (unit)`, `WG-… 上报 → who (unit)`, `WG-… 签收`."""
        words = f"{order.code if order else ''} {texts.EVENT_LABELS[kind]}"
        if order is None or kind not in HANDED_ON:
            return words
        tree = self.deps.router.tree
        unit = grid_of(order.unit_code)
        where = tree.get(unit).name if unit in tree else (order.unit_code or "?")
        to = f" → {holder.name if holder else '?'} ({where})"
        if kind != "submitted":
            return words + to
        place = f" @ {tree.get(order.grid_code).name}" if order.grid_code in tree else ""
        return f"{words}: {self.deps.taxonomy.get(order.category).label}{place}{to}"


class DemoServer(uvicorn.Server):
    """uvicorn that first releases the pages' long-polls, so stopping takes no 20 s wait."""

    def __init__(self, app: FastAPI, host: str, port: int, log_level: str = "info"):
        # log_config=None: logging is set up once by `bot.logs` (JSON lines, redacted, access
        # log without query strings); uvicorn's own dictConfig would replace it.
        super().__init__(uvicorn.Config(app, host=host, port=port, log_level=log_level,
                                        lifespan="off", log_config=None,
                                        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S))
        self.bell: OutboxBell = app.state.bell
        self.app, self.host, self.port = app, host, port
        self.narrating: asyncio.Task[None] | None = None

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        """uvicorn's, but the Ctrl-C or SIGTERM that stopped serving is not raised again after:
        the runner still settles its senders and closes the database then, and the re-raised
        signal would cancel that half-way (a traceback on every stop)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        before = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        channel = getattr(self.app.state, "channel", None)   # only a demo app has the web chat
        if self.started and channel is not None:
            self.narrating = asyncio.create_task(Narrator(channel.chat.deps, self.bell).run())
            for line in banner(self.host, self.port):
                told.info("%s", line)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.bell.close()
        if self.narrating is not None:   # let a look at the history end: no query is cut off
            await asyncio.wait([self.narrating], timeout=GRACEFUL_SHUTDOWN_S)
            self.narrating.cancel()
        await super().shutdown(sockets=sockets)


def banner(host: str, port: int) -> list[str]:
    """What a person needs at the start: the two pages, where the rest is, how to stop."""
    base = f"http://{host}:{port}"
    return [f"gridbot demo is running (times below: {zone_name(SHANGHAI)})",
            f"  the demo page:  {base}/   (a resident, a rider, a grid leader, the street)",
            f"  the echo wall:  {base}/echo-wall",
            f"  every log line: {DEMO_LOG_FILE}",
            "  press Ctrl-C to stop"]


async def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the demo page and the web chat until interrupted (Ctrl-C)."""
    async with demo_app(settings) as app:
        await DemoServer(app, host, port).serve()
