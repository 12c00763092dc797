"""`gridbot run` as it is assembled for production (webhook mode) over the loopback Telegram."""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.runner import Runtime, assemble
from bot.services import open_services
from handlers.messages import Choice, Outbound
from storage.importer import import_grids, import_people
from tests.fakes.telegram_api import SECRET_HEADER, TelegramEmulator

SECRET = "webhook-secret-for-tests"
WEBHOOK = "/telegram/webhook"


async def seeded_settings(tmp_path: Path, tg: TelegramEmulator, library: str = "ptb") -> Settings:
    """Settings for `gridbot run` in webhook mode over a database holding the sample district."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}",
                        media_dir=tmp_path / "media", telegram_token=tg.token,
                        telegram_api_url=tg.base_url, telegram_library=library,
                        telegram_mode="webhook", telegram_webhook_secret=SECRET)
    services = await open_services(settings)
    try:
        async with services.uow() as uow:
            await import_grids(uow, SAMPLE_DISTRICT, progress=False)
            await import_people(uow, SAMPLE_PEOPLE, progress=False)
            await uow.commit()
    finally:
        await services.close()
    return settings


@dataclass
class Production:
    """The assembled runtime, an in-process client of its app, and the Telegram fake."""

    runtime: Runtime
    client: httpx.AsyncClient
    tg: TelegramEmulator

    async def post_update(self, body: bytes | dict, secret: str | None = SECRET) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        return await self.client.post(WEBHOOK, content=content, headers=headers)


@pytest.fixture
def library() -> str:
    """The Telegram library; a test may parametrize it."""
    return "ptb"


@pytest.fixture
async def production(tmp_path: Path, library: str) -> AsyncIterator[Production]:
    async with TelegramEmulator() as tg, AsyncExitStack() as stack:
        runtime = await assemble(await seeded_settings(tmp_path, tg, library), stack)
        # An unhandled error answers 500 as uvicorn would, instead of raising into the test.
        transport = httpx.ASGITransport(app=runtime.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gridbot.test") as client:
            yield Production(runtime, client, tg)


class WebhookTalk:
    """A scenario `talk` whose users' updates are posted to the webhook as Telegram would."""

    def __init__(self, production: Production):
        self.production, self.tg = production, production.tg
        self.sender = production.runtime.senders[0]
        self.ids: dict[str, int] = {}

    def _id(self, user: str) -> int:
        return self.ids.setdefault(user, 9_000 + len(self.ids))

    async def _post(self, user: str, update_id: int) -> list[Outbound]:
        before = len(self.inbox(user))
        answer = await self.production.post_update(self.tg.update(update_id))
        assert answer.status_code == 200, answer.text
        await self.sender.settle()
        while await self.sender.drain_once():
            pass
        return self.inbox(user)[before:]

    async def text(self, user: str, text: str, update_id: str | None = None) -> list[Outbound]:
        return await self._post(user, self.tg.user_sends_text(self._id(user), text))

    async def press(self, user: str, data: str, update_id: str | None = None) -> list[Outbound]:
        mine = [m.message_id for m in self.tg.sent if m.chat_id == self._id(user)]
        return await self._post(user, self.tg.user_presses(self._id(user), data,
                                                           mine[-1] if mine else 1))

    async def location(self, user: str, lat: float, lng: float,
                       update_id: str | None = None) -> list[Outbound]:
        return await self._post(user, self.tg.user_sends_location(self._id(user), lat, lng))

    def inbox(self, user: str) -> list[Outbound]:
        chat = self.ids.get(user)
        return [Outbound("telegram", str(m.chat_id), m.text or "",
                         tuple(Choice(label, data) for row in m.buttons for label, data in row))
                for m in self.tg.sent if m.chat_id == chat and m.method != "editMessageText"]


class Tracebacks(logging.Handler):
    """Collects every record at ERROR or above that carries a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.exc_text:
            self.records.append(record)


@pytest.fixture
def tracebacks() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
