"""`gridbot run` as assembled for production, staff bound in Telegram, and partners' keys."""
from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.web_server import DemoServer
from tests.handlers.conftest import bind_staff
from tests.security.conftest import (  # noqa: F401 — fixtures
    Production,
    WebhookTalk,
    library,
    production,
    tracebacks,
)
from tests.web.conftest import point_in_leader_grid  # noqa: F401 — fixture

API = "/open311/v2"


@dataclass
class Partners:
    """The production app with staff bound in chat, and a way to hand out keys."""

    production: Production
    talk: WebhookTalk

    @property
    def client(self) -> httpx.AsyncClient:
        return self.production.client

    async def key(self, name: str) -> str:
        raw = f"o311_test_{name}_" + "k" * 20
        async with self.production.runtime.services.uow() as uow:
            await uow.api_keys.create(name, raw)
            await uow.commit()
        return raw

    async def revoke(self, name: str) -> None:
        async with self.production.runtime.services.uow() as uow:
            await uow.api_keys.revoke(name)
            await uow.commit()

    async def post(self, path: str, **fields: Any) -> httpx.Response:
        return await self.client.post(API + path, data={k: str(v) for k, v in fields.items()})

    async def get(self, path: str, **query: Any) -> httpx.Response:
        return await self.client.get(API + path, params=query)

    async def file(self, key: str, point: tuple[float, float], code: str = "H01",
                   description: str = "楼下垃圾三天没人清运了") -> str:
        answer = await self.post("/requests.json", api_key=key, service_code=code,
                                 lat=point[0], long=point[1], description=description)
        assert answer.status_code == 200, answer.text
        return answer.json()[0]["service_request_id"]

    async def delivered(self) -> None:
        """Everything owed has been sent to the Telegram fake."""
        sender = self.production.runtime.senders[0]
        await sender.settle()
        while await sender.drain_once():
            pass


@pytest.fixture
async def partners(production: Production) -> Partners:  # noqa: F811
    talk = WebhookTalk(production)
    await bind_staff(production.runtime.services, talk)
    return Partners(production, talk)


@pytest.fixture
async def served(production: Production) -> AsyncIterator[str]:  # noqa: F811
    """The same app under uvicorn on a loopback port, for clients that speak real HTTP."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = DemoServer(production.runtime.app, "127.0.0.1", sock.getsockname()[1])
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
