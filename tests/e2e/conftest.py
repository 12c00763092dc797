"""The real demo server on a free port, and headless Chromium to drive it.

Both are started once per test module (in the module's event loop): a browser launch and a
seeded database cost more than the tests that use them.
"""
from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from bot.config import Settings
from bot.services import Services
from bot.web_server import DemoServer, demo_app
from web.mailbox import OutboxBell

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).with_name("artifacts")


@dataclass
class Site:
    url: str
    services: Services
    bell: OutboxBell


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("GRIDBOT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not installed at {CHROMIUM}: GRIDBOT_REQUIRE_BROWSER=1 requires it")
        pytest.skip(f"Chromium not installed at {CHROMIUM}: browser test skipped (CI installs it;"
                    " set GRIDBOT_REQUIRE_BROWSER=1 to fail instead)")
    return CHROMIUM


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium),
                                                   args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """The seeded demo under uvicorn in this event loop, and the services behind it."""
    folder = tmp_path_factory.mktemp("demo")
    settings = Settings(database_url=f"sqlite:///{folder / 'demo.db'}", media_dir=folder / "media")
    # Bound and listening before uvicorn starts: the browser may connect at once, no waiting.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    async with demo_app(settings) as app:
        server = DemoServer(app, "127.0.0.1", port, log_level="warning")
        serving = asyncio.create_task(server.serve(sockets=[listener]))
        try:
            yield Site(f"http://127.0.0.1:{port}", app.state.services, app.state.bell)
        finally:
            server.should_exit = True
            await serving
            listener.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")  # screenshots are for looking at, not for git
    return ARTIFACTS
