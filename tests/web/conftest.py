"""A seeded demo database copied per test, the web app over it, and an HTTP client in-process."""
from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import shape

from bot.config import SAMPLE_DISTRICT, Settings
from bot.services import Services, build_chat, open_services
from storage.migrate import upgrade
from web.app import create_demo_app
from web.demo_seed import seed_demo

LEADER_GRID = "JJ-01-01-03"


def _in_thread(work) -> Any:
    """Run a coroutine to the end from sync fixture code, whatever loop is around."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(work())))
    thread.start()
    thread.join()
    return result[0]


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Migrated and seeded once per run; each test gets a copy."""
    path = tmp_path_factory.mktemp("seeded") / "gridbot.db"

    async def work() -> dict[str, Any]:
        url = f"sqlite:///{path}"
        await upgrade(url)
        services = await open_services(Settings(database_url=url), migrate=False)
        try:
            return await seed_demo(services)
        finally:
            await services.close()
    return path, _in_thread(work)


@pytest.fixture(scope="session")
def point_in_leader_grid() -> tuple[float, float]:
    """(lat, lng) of a point inside 锦江畔3号楼, from the sample district file."""
    features = json.loads(Path(SAMPLE_DISTRICT).read_text(encoding="utf-8"))["features"]
    feature = next(f for f in features if f["properties"]["code"] == LEADER_GRID)
    inside = shape(feature["geometry"]).representative_point()
    return inside.y, inside.x


@dataclass
class Web:
    """The app as a browser sees it, plus the services behind it for checking the database."""

    client: httpx.AsyncClient
    services: Services
    media_dir: Path
    demo: dict[str, Any]
    sent: int = 0
    app: Any = None                # the ASGI app, for another client (a second browser)

    async def send(self, session: str, message_id: str | None = None, **body: Any) -> httpx.Response:
        self.sent += 1
        body["id"] = message_id or f"t{self.sent}"
        return await self.client.post(f"/api/chat/{session}/send", json=body)

    async def messages(self, session: str, after: int = 0, wait: float = 0) -> list[dict]:
        response = await self.client.get(f"/api/chat/{session}/messages",
                                          params={"after": after, "wait": wait})
        response.raise_for_status()
        return response.json()["messages"]

    async def last(self, session: str) -> dict:
        return (await self.messages(session))[-1]


@pytest.fixture
async def web(seeded_database: tuple[Path, dict[str, Any]],
              tmp_path: Path) -> AsyncIterator[Web]:
    template, demo = seeded_database
    path = tmp_path / "gridbot.db"
    shutil.copyfile(template, path)
    settings = Settings(database_url=f"sqlite:///{path}", media_dir=tmp_path / "media")
    services = await open_services(settings, migrate=False)
    chat = await build_chat(services)
    app = create_demo_app(services, chat, demo=demo)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as client:
        yield Web(client, services, settings.media_dir, demo, app=app)
    await services.close()
