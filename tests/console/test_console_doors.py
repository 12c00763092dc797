"""SECURITY.md names every console route, and production serves the console but no demo door."""
from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import httpx

from bot.config import Settings
from bot.runner import assemble
from web.console.routes import console_routes
from web.console.session import ConsoleSessions

SECURITY = Path(__file__).resolve().parents[2] / "SECURITY.md"


def test_security_md_lists_every_console_route():
    listed = SECURITY.read_text(encoding="utf-8")
    router = console_routes(None, None, ConsoleSessions(b"k" * 32, timedelta(hours=8)),  # type: ignore[arg-type]
                            lambda path: None)
    paths = {route.path for route in router.routes}
    assert "/console/orders/{code}/act" in paths and "/console/login" in paths
    assert [p for p in paths if f"`{p}" not in listed] == []
    assert "`/console/demo/leader`" in listed   # the demo's door, in the demo's table


async def test_production_serves_the_console_and_no_demo_door(tmp_path):
    async with AsyncExitStack() as stack:
        runtime = await assemble(Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}",
                                          media_dir=tmp_path), stack)
        transport = httpx.ASGITransport(app=runtime.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://run.test") as client:
            assert (await client.get("/console")).status_code == 401
            assert (await client.get("/console/login", params={"t": "x"})).status_code == 200
            assert (await client.get("/console/demo/leader")).status_code == 404
