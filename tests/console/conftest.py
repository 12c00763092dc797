"""The demo app over a seeded copy of the sample district, staff of every kind bound to a web
chat account, and a browser-like client that signs in to the console from a /console link."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests import scenarios
from tests.channels.talk_web import WebTalk
from tests.web.conftest import (  # noqa: F401 — fixtures
    Web,
    point_in_leader_grid,
    seeded_database,
    web,
)
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
async def console_app(web: Web) -> AsyncIterator[Console]:  # noqa: F811
    services = web.services
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
    yield Console(web, WebTalk(web.client, services), web.app)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, page[:500]
    return found.group(1)
