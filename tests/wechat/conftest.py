"""The app's WeChat and WeCom callbacks over HTTP, the loopback API hosts, and a scenario driver.

`services` is the sample district on SQLite with a FixedClock (Monday 2026-11-23 10:00); tests
that touch the channel's own SQL also run on PostgreSQL with
`@pytest.mark.parametrize("services", ["sqlite", "postgres"], indirect=True)`.
"""
from __future__ import annotations

import asyncio
import shutil
import ssl
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.services import build_chat, open_services
from bot.wechat.channel import WeChatChannel
from bot.wechat.routes import wechat_router
from bot.wecom.channel import WeComChannel
from bot.wecom.limits import MemberLimits
from bot.wecom.routes import wecom_router
from storage.clock import FixedClock
from storage.importer import import_grids, import_people
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES, _execute
from tests.fakes.wechat_api import WeChatApiFake
from tests.fakes.wechat_client import OfficialAccountClient, WeComClient
from tests.fakes.wecom_api import WeComApiFake
from tests.handlers.conftest import MONDAY_10, bind_staff, point  # noqa: F401 — fixtures
from tests.wechat.talk import ChannelTalk

TOKEN, APPID = "gridbot-callback-token", "wx-test-appid"
AES_KEY = "XQMKR4aJWuOSGW6GExaXosZaykvAHeY8xJU4nn+TIfQ"      # 43 characters, as WeChat issues
CORPID, AGENTID = "ww-test-corp", 1000002
SSL = ssl.create_default_context()
WECOM_TOKEN, WECOM_AES = "wecom-token", "JSkLhRY7TOd7MHajmoPcrrbI3LisqvPn4zHgJe7XybM"


class VirtualTime:
    """A monotonic clock that sleeping moves: pacing is tested without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


async def _sample_district(url: str) -> None:
    services = await open_services(Settings(database_url=url), clock=FixedClock(MONDAY_10))
    try:
        async with services.uow() as uow:
            await import_grids(uow, SAMPLE_DISTRICT, progress=False)
            await import_people(uow, SAMPLE_PEOPLE, progress=False)
            await uow.commit()
    finally:
        await services.close()


@pytest.fixture(scope="session")
def sample_sqlite(tmp_path_factory) -> Path:
    """The migrated sample district, built once; each test gets a copy."""
    path = tmp_path_factory.mktemp("wechat") / "sample.db"
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _sample_district(f"sqlite:///{path}")).result()
    return path


@pytest.fixture(params=["sqlite"])
async def services(request, tmp_path):
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sample_sqlite"), tmp_path / "chat.db")
        services = await open_services(Settings(database_url=f"sqlite:///{tmp_path / 'chat.db'}"),
                                       clock=FixedClock(MONDAY_10), migrate=False)
        yield services
        await services.close()
        return
    problem = request.getfixturevalue("postgres_problem")
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL required but not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    await _execute(f'CREATE SCHEMA "{schema}"')
    request.getfixturevalue("used_schemas").append(schema)
    url = make_url(POSTGRES_URL).update_query_dict({"schema": schema}).render_as_string(
        hide_password=False)
    await _sample_district(url)
    services = await open_services(Settings(database_url=url), clock=FixedClock(MONDAY_10),
                                   migrate=False)
    yield services
    await services.close()


@pytest.fixture
def virtual_time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
async def wechat_fake(services):
    async with WeChatApiFake(APPID, "wechat-secret", now=services.clock.now) as fake:
        yield fake


@pytest.fixture
async def wecom_fake(virtual_time):
    async with WeComApiFake(CORPID, "wecom-secret", AGENTID,
                            monotonic=virtual_time.monotonic) as fake:
        yield fake


@pytest.fixture
def settings(services, tmp_path, wechat_fake, wecom_fake) -> Settings:
    return Settings(
        database_url=services.settings.database_url, media_dir=tmp_path / "media",
        public_base_url="https://grid.example.cn",
        wechat_appid=APPID, wechat_secret="wechat-secret", wechat_token=TOKEN,
        wechat_aes_key=AES_KEY, wechat_api_url=wechat_fake.url, wechat_reply_budget=5.0,
        wecom_corpid=CORPID, wecom_agentid=AGENTID, wecom_secret="wecom-secret",
        wecom_token=WECOM_TOKEN, wecom_aes_key=WECOM_AES, wecom_api_url=wecom_fake.url,
        wecom_robot_url=wecom_fake.robot_url)


@dataclass
class Rig:
    """Everything a WeChat test touches."""

    services: object
    settings: Settings
    chat: object
    wechat: WeChatChannel
    wecom: WeComChannel
    http: httpx.AsyncClient
    official: OfficialAccountClient
    work: WeComClient
    wechat_fake: WeChatApiFake
    wecom_fake: WeComApiFake

    def unix_now(self) -> int:
        return int(self.services.clock.now().timestamp())


@pytest.fixture
async def rig(services, settings, wechat_fake, wecom_fake, virtual_time):
    chat = await build_chat(services)
    api_http = httpx.AsyncClient(timeout=10, verify=SSL)     # one TLS context for the whole run
    wechat = WeChatChannel(settings, services.uow, services.clock, http=api_http)
    limits = MemberLimits(settings.wecom_per_minute, settings.wecom_per_hour,
                          clock=virtual_time.monotonic, sleep=virtual_time.sleep)
    wecom = WeComChannel(settings, services.uow, services.clock, http=api_http, limits=limits)
    app = FastAPI()
    app.include_router(wechat_router(wechat, chat))
    app.include_router(wecom_router(wecom, chat))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gridbot.test")

    def now() -> int:
        return int(services.clock.now().timestamp())

    rig = Rig(services, settings, chat, wechat, wecom, http,
              OfficialAccountClient(http, TOKEN, APPID, AES_KEY, now),
              WeComClient(http, WECOM_TOKEN, CORPID, WECOM_AES, AGENTID, now),
              wechat_fake, wecom_fake)
    yield rig
    await http.aclose()
    await wechat.close()
    await wecom.close()


@pytest.fixture
async def plain(rig):
    """A 公众号 in plain mode (no EncodingAESKey) on the same database: its client and channel."""
    settings = rig.settings.model_copy(update={"wechat_aes_key": None})
    wechat = WeChatChannel(settings, rig.services.uow, rig.services.clock,
                           http=httpx.AsyncClient(timeout=10))
    app = FastAPI()
    app.include_router(wechat_router(wechat, rig.chat))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://plain.test")
    yield OfficialAccountClient(http, TOKEN, APPID, None, rig.unix_now), wechat
    await http.aclose()
    await wechat.close()


@pytest.fixture
async def talk(rig) -> ChannelTalk:
    talk = ChannelTalk(rig.services, rig.wechat, rig.wecom, rig.official, rig.work,
                       rig.wechat_fake, rig.wecom_fake)
    await bind_staff(rig.services, talk)
    return talk
