"""The demo app over a seeded copy of the sample district, staff of every kind bound to a web
chat account, and a browser-like client that signs in to the console from a /console link."""
from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from bot.config import Settings
from bot.services import build_chat, open_services
from tests import scenarios
from tests.channels.talk_web import WebTalk
from tests.web.conftest import (  # noqa: F401 — fixtures
    Web,
    point_in_leader_grid,
    seeded_database,
)
from web.app import create_demo_app
from web.mailbox import WEB

# Each kind of staff the console serves, by their code in data/sample_people.csv.
STAFF = {
    "leader": "P0021",            # 陈飞, micro-grid 锦江畔3号楼 (JJ-01-01-03): the demo's leader
    "grid_leader": "P0005",       # 杨玉丽, grid 锦江畔小区 (JJ-01-01)
    "community": "P0002",         # 刘雪, community 江畔社区 (JJ-01)
    "street": "P0001",            # 梁红, the street's dispatcher (JJ)
    "department": "P0089",        # 孙芳, 城管 (a department of the street)
    "member": "P0072",            # 韩宁, a grid member of JJ-01-01 (sees, does not act)
    "other_leader": "P0010",      # 张磊, grid 月亮湾 (JJ-02-01), another community
}
LINK = re.compile(r"https?://\S+/console/login\?t=[\w-]+")


@dataclass
class Console:
    """The web app, the chat's talk, and a way to sign each staff member in."""

    web: Web
    talk: WebTalk
    app: Any

    def session(self, who: str) -> str:
        return "leader-demo" if who == "leader" else f"staff-{who}"

    async def link(self, who: str) -> str:
        """What /console answers in chat: the one-time link, as its path and query."""
        said = await self.talk.text(self.session(who), "/console")
        found = LINK.search(said[-1].text)
        assert found, said[-1].text
        parts = urlsplit(found.group(0))
        return f"{parts.path}?{parts.query}"

    def browser(self) -> httpx.AsyncClient:
        """A fresh cookie jar on the same app, as another browser would be."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                 base_url="http://web.test")

    async def sign_in(self, who: str, client: httpx.AsyncClient | None = None
                      ) -> httpx.AsyncClient:
        client = client or self.browser()
        path = await self.link(who)
        token = path.split("t=", 1)[1]
        assert (await client.get(path)).status_code == 200
        answer = await client.post("/console/login", data={"t": token})
        assert answer.status_code == 303, answer.text
        return client

    async def file_rubbish(self, point, user: str = "resident") -> str:
        await scenarios.onboard_resident(self.talk, user)
        return await scenarios.resident_files_rubbish(self.talk, user, point)


@pytest.fixture
async def console_app(seeded_database: tuple[Path, dict[str, Any]],  # noqa: F811
                      tmp_path: Path) -> AsyncIterator[Console]:
    template, demo = seeded_database
    path = tmp_path / "gridbot.db"
    shutil.copyfile(template, path)
    settings = Settings(database_url=f"sqlite:///{path}", media_dir=tmp_path / "media")
    services = await open_services(settings, migrate=False)
    chat = await build_chat(services)
    app = create_demo_app(services, chat, demo=demo)
    async with services.uow() as uow:
        for who, code in STAFF.items():
            person = await uow.people.by_staff_code(code)
            assert person is not None and person.id is not None
            if who != "leader":
                await uow.people.link(person.id, WEB, f"staff-{who}")
            if person.consent_at is None:
                person.consent_at = uow.clock.now()
                await uow.people.upsert(person)
        await uow.commit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as client:
        web = Web(client, services, settings.media_dir, demo)
        yield Console(web, WebTalk(client, services), app)
    await services.close()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, page[:500]
    return found.group(1)
