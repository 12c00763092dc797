"""The ASGI app: the demo page, the single chat page, the web chat API and the district map."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from handlers.chat import Chat
from storage.uow import UnitOfWork
from web.chat_channel import WebChannel, chat_routes
from web.demo_seed import DEMO_SESSIONS
from web.district import district_geojson
from web.echo_wall import echo_wall_routes
from web.mailbox import OutboxBell, chained
from web.media_links import media_links

STATIC = Path(__file__).with_name("static")


class AppServices(Protocol):
    """What the web app needs of `bot.services.Services`."""

    settings: Any

    def uow(self) -> UnitOfWork: ...


def create_app(services: AppServices, chat: Chat, demo: dict[str, Any] | None = None,
               bell: OutboxBell | None = None) -> FastAPI:
    """The app over a chat; without a bell of the caller's, one is hooked to the chat's commits."""
    if bell is None:
        bell = OutboxBell()
        chat.deps.on_committed = chained(chat.deps.on_committed, bell.ring)
    media_dir = Path(services.settings.media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    links = media_links(services.settings, media_dir)
    channel = WebChannel(chat, services.uow, media_dir, bell, links.link)
    app = FastAPI(title="gridbot", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services, app.state.channel = services, channel
    app.include_router(chat_routes(channel))
    app.include_router(echo_wall_routes(services, chat.deps))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(links.routes())   # private media: signed, short-lived links only
    district: dict[str, Any] = {}

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        return FileResponse(STATIC / "demo.html")

    @app.get("/chat", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC / "chat.html")

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        async with services.uow() as uow:
            await uow.session.execute(text("SELECT 1"))
        return {"ok": True}

    @app.get("/api/demo")
    async def demo_info() -> dict[str, Any]:
        return demo or {"sessions": dict(DEMO_SESSIONS), "leader": None}

    @app.get("/api/district.geojson")
    async def district_map() -> JSONResponse:
        # The chat routes over the tree it loaded at start; the map shows that same tree.
        if not district:
            async with services.uow() as uow:
                district.update(await district_geojson(uow, chat.deps.router.tree))
        return JSONResponse(district, media_type="application/geo+json")

    return app
