"""The ASGI apps: the production app every `gridbot run` serves, and the demo's additions.

Production serves only what needs no account (health, the echo wall, the district map) and the
platform callbacks the runner adds, each authenticated by its platform. The web chat, with its
session ids in URLs and no sign-in, is the demo's channel only (`gridbot demo`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from handlers.chat import Chat
from storage.uow import UnitOfWork
from web.chat_channel import WebChannel, chat_routes
from web.console import add_demo_console, mount_console
from web.demo_seed import DEMO_SESSIONS
from web.district import district_geojson
from web.echo_wall import echo_wall_routes
from web.headers import NoReferrer
from web.limits import BodyLimit
from web.mailbox import WEB, OutboxBell, chained
from web.media_links import media_links
from web.metrics import CallbackTimer, allowed_networks, metrics_routes
from web.open311 import mount_open311

STATIC = Path(__file__).with_name("static")


class AppServices(Protocol):
    """What the web app needs of `bot.services.Services`."""

    settings: Any

    def uow(self) -> UnitOfWork: ...


def create_app(services: AppServices, chat: Chat, bell: OutboxBell | None = None) -> FastAPI:
    """The production app: public pages and health only; platform callbacks are added by the
    runner. Without a bell of the caller's, one is hooked to the chat's commits."""
    if bell is None:
        bell = OutboxBell()
        chat.deps.on_committed = chained(chat.deps.on_committed, bell.ring)
    media_dir = Path(services.settings.media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="gridbot", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.links = media_links(services.settings, media_dir)
    # Outermost first: refuse oversized bodies before anything reads them.
    app.add_middleware(NoReferrer)
    app.add_middleware(BodyLimit)
    app.add_middleware(CallbackTimer)
    app.state.services, app.state.bell = services, bell
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.include_router(echo_wall_routes(services, chat.deps))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(app.state.links.routes())   # private media: signed, short-lived links only
    mount_open311(app, services.uow, chat.deps)      # partner systems: API keys, echo-wall view
    app.include_router(metrics_routes(services.uow, allowed_networks(
        services.settings.metrics_from)))               # operations: configured addresses only
    mount_console(app, services.uow, chat.deps)      # staff: a session opened by a chat link
    district: dict[str, Any] = {}

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        async with services.uow() as uow:
            await uow.session.execute(text("SELECT 1"))
        return {"ok": True}

    @app.get("/api/district.geojson")
    async def district_map() -> JSONResponse:
        # The chat routes over the tree it loaded at start; the map shows that same tree.
        if not district:
            async with services.uow() as uow:
                district.update(await district_geojson(uow, chat.deps.router.tree))
        return JSONResponse(district, media_type="application/geo+json")

    return app


async def invalid_request(_: Request, error: Exception) -> JSONResponse:
    """422 naming what was wrong, without echoing the input back (it may be 1e999 or NaN,
    which JSON cannot carry, or a person's words)."""
    problems = error.errors() if isinstance(error, RequestValidationError) else []
    return JSONResponse({"detail": [{"loc": [str(part) for part in problem.get("loc", ())],
                                     "msg": problem.get("msg", ""), "type": problem.get("type")}
                                    for problem in problems]}, status_code=422)


def create_demo_app(services: AppServices, chat: Chat, demo: dict[str, Any] | None = None,
                    bell: OutboxBell | None = None) -> FastAPI:
    """The production app plus the demo's web chat: the demo page, the chat page and its API."""
    app = create_app(services, chat, bell)
    add_demo(app, chat, demo)
    return app


def add_demo(app: FastAPI, chat: Chat, demo: dict[str, Any] | None = None) -> None:
    """The web chat channel: anyone holding a session id acts as that session — demo only."""
    services = app.state.services
    channel = WebChannel(chat, services.uow, Path(services.settings.media_dir), app.state.bell,
                         app.state.links.link)
    app.state.channel = channel
    app.include_router(chat_routes(channel))
    add_demo_console(app, services.uow, chat.deps, {"leader": DEMO_SESSIONS["leader"]}, WEB)

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        return FileResponse(STATIC / "demo.html")

    @app.get("/chat", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC / "chat.html")

    @app.get("/api/demo")
    async def demo_info() -> dict[str, Any]:
        return demo or {"sessions": dict(DEMO_SESSIONS), "leader": None}
