"""SECURITY.md's table of who may call each route is the list of routes `gridbot run` serves."""
from __future__ import annotations

import re
from contextlib import AsyncExitStack
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from bot.config import Settings
from bot.runner import assemble
from tests.fakes.telegram_api import TelegramEmulator

SECURITY_MD = Path(__file__).resolve().parents[2] / "SECURITY.md"
SECTION = "## Who may call each route of `gridbot run`"
ROW = re.compile(r"^\| (?P<paths>`[^|]+`) \| (?P<method>[A-Z]+) \|")
PARAM = re.compile(r"\{[^}]*\}")
# Open311's routes answer `.json` or `.xml`, which its table says once for all of them.
FORMAT = ".{fmt}"


def route_of(path: str) -> str:
    """A path as the table and the app are compared: no query, parameters unnamed."""
    return PARAM.sub("{}", path.split("?", 1)[0].removesuffix(FORMAT))


def documented() -> set[tuple[str, str]]:
    """(path, method) of every row in SECURITY.md's tables of `gridbot run`'s routes.

    A cell may name several paths: `/open311/v2/requests`, `requests/{id}` — the later ones
    relative to the first one's folder."""
    text = SECURITY_MD.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = set()
    for match in filter(None, map(ROW.match, section.splitlines())):
        first, *others = re.findall(r"`([^`]+)`", match["paths"])
        folder = first.rsplit("/", 1)[0]
        for path in [first, *(f"{folder}/{other}" for other in others)]:
            rows.add((route_of(path), match["method"]))
    return rows


def served(app, included: list[APIRouter]) -> set[tuple[str, str]]:
    """(path, method) of the app's own routes and of every router included into it."""
    routes: set[tuple[str, str]] = set()
    others = 0
    for route in [*app.routes, *(r for router in included for r in router.routes)]:
        if isinstance(route, APIRoute):
            routes |= {(route_of(route.path), method) for method in route.methods}
        elif isinstance(route, Mount):
            routes.add((route_of(route.path + "/..."), "GET"))
        else:
            others += 1   # how an included router shows among the app's routes
    assert others == len(included), "a route of a kind this test cannot read"
    return routes


async def test_security_md_lists_every_route(tmp_path: Path, monkeypatch):
    """Every channel on, Telegram by webhook: the most `gridbot run` can serve."""
    included: list[APIRouter] = []
    include = FastAPI.include_router

    def recording(app: FastAPI, router: APIRouter, **options) -> None:
        included.append(router)
        include(app, router, **options)
    monkeypatch.setattr(FastAPI, "include_router", recording)
    async with TelegramEmulator() as tg, AsyncExitStack() as stack:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'run.db'}", media_dir=tmp_path / "media",
            secret_key="k" * 40, telegram_token=tg.token, telegram_api_url=tg.base_url,
            telegram_mode="webhook", telegram_webhook_secret="w" * 32,
            wechat_appid="wx-test", wechat_secret="s", wechat_token="t",
            wecom_corpid="ww-test", wecom_agentid=1, wecom_secret="s", wecom_token="t",
            wecom_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
        runtime = await assemble(settings, stack)
        routes = served(runtime.app, included)
    table = documented()
    assert len(table) >= 10, "the table was not found in SECURITY.md"
    assert routes - table == set(), "served by `gridbot run` but missing from SECURITY.md"
    assert table - routes == set(), "in SECURITY.md but not served by `gridbot run`"
