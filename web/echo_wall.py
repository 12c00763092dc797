"""The public echo wall (回音壁): GET /echo-wall (a page, no script) and GET /api/echo-wall.json.

Entries are shown exactly as published (the "published" events' data, already scrubbed); each
grid's 三率 and on-time rate over the last 30 days come from the same SQL as the digests.
What is closed but not yet published is published before the wall is read (the scheduler's
minute would otherwise show a rated order in the rates and not among the entries).
"""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from html import escape
from pathlib import Path
from string import Template
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)

from domain.categories import Taxonomy
from domain.grids import GridTree, Level
from domain.metrics import Rates
from handlers import texts
from handlers.column import read_column
from handlers.deps import Deps
from handlers.digest import percent, rollup
from handlers.echo_wall import PHOTO_DIR, EchoChannels, publish_due
from storage.media import MediaVault, is_name
from storage.uow import UnitOfWork
from web.echo_column import render_column

PAGE = Template((Path(__file__).with_name("static") / "echo" / "wall.html")
                .read_text(encoding="utf-8"))
RATES_DAYS = 30
RATES_FRESH_S = 60.0
LIMIT = 50
PHOTOS = "/echo-wall/photos"
Limit = Annotated[int, Query(ge=1, le=500)]


def rating_class(rating: str) -> str:
    """The style of an entry's rating word (looked up when drawn: the words are the catalogue's)."""
    return {texts.ECHO_RATING_GOOD: "good", texts.ECHO_RATING_FAIR: "fair",
            texts.ECHO_RATING_BAD: "bad"}.get(rating, "none")


class EchoWall:
    """Reads the wall for a community and a category; the rates are kept a minute."""

    def __init__(self, uow: Callable[[], UnitOfWork], tree: GridTree, taxonomy: Taxonomy,
                 publish: Callable[[], Awaitable[list[str]]] | None = None):
        self.uow, self.tree, self.taxonomy, self.publish = uow, tree, taxonomy, publish
        self._rates: tuple[float, dict[str, Rates]] | None = None

    def communities(self) -> list[Any]:
        return sorted((g for g in self.tree if g.level is Level.COMMUNITY), key=lambda g: g.code)

    def categories(self, top: str | None = None) -> list[str] | None:
        """The category codes a filter names: one code, a top-level name, or all (None)."""
        if not top:
            return None
        if top in self.taxonomy:
            return [top]
        if top in self.taxonomy.top_levels():
            return [c.code for c in self.taxonomy.children(top)]
        return []

    async def read(self, community: str | None, category: str | None,
                   limit: int = LIMIT) -> dict[str, Any]:
        if self.publish is not None and await self.publish():
            self._rates = None   # what was just published counts in the rates too
        area = community if community and community in self.tree else None
        below = self._below(area) if area else None
        uow: UnitOfWork = self.uow()
        async with uow:
            entries = await uow.publishing.wall(below, self.categories(category), limit)
            rates = await self._recent_rates(uow)
            now = uow.clock.now()
            column = (await read_column(uow, self.tree, self.taxonomy, area,
                                        now - timedelta(days=RATES_DAYS), now, now)
                      if area else None)
        grids = [g for g in sorted(self.tree, key=lambda g: g.code)
                 if g.level is Level.GRID and (below is None or g.code in below)]
        return {"filters": {"community": area, "category": category or None},
                "entries": [{**e, "photo_url": photo_url(e.get("photo"))} for e in entries],
                "column": column,
                "grids": [_grid_rates(self.tree, g, rates.get(g.code, Rates())) for g in grids]}

    def _below(self, code: str) -> set[str]:
        found, stack = set(), [code]
        while stack:
            current = stack.pop()
            found.add(current)
            stack.extend(child.code for child in self.tree.children(current))
        return found

    async def _recent_rates(self, uow: UnitOfWork) -> dict[str, Rates]:
        if self._rates is None or time.monotonic() - self._rates[0] > RATES_FRESH_S:
            now = uow.clock.now()
            raw, _ = await uow.publishing.figures(now - timedelta(days=RATES_DAYS), now, now)
            self._rates = (time.monotonic(), rollup(raw, self.tree))
        return self._rates[1]


def photo_url(photo: str | None) -> str | None:
    """The public URL of a wall photo ("echo/<hash>.jpg"); None for anything else."""
    shelf, _, name = (photo or "").partition("/")
    return f"{PHOTOS}/{name}" if shelf == PHOTO_DIR and is_name(name) else None


def _grid_rates(tree: GridTree, grid: Any, rates: Rates) -> dict[str, Any]:
    response, solved, satisfied = rates.three_rates
    community = tree.ancestor_at(grid.code, Level.COMMUNITY)
    return {"code": grid.code, "name": grid.name,
            "community": community.name if community else None, "response": response,
            "solved": solved, "satisfied": satisfied, "on_time": rates.on_time_rate}


def render_page(wall: EchoWall, data: dict[str, Any]) -> str:
    chosen = data["filters"]
    communities = [("", texts.ECHO_ALL_COMMUNITIES)] + [(g.code, g.name)
                                                        for g in wall.communities()]
    categories = [("", texts.ECHO_ALL_CATEGORIES)] + [
        (c.code, c.label) for c in wall.taxonomy if c.publishable]
    return PAGE.safe_substitute(
        title=escape(texts.ECHO_PAGE_TITLE), motto=escape(texts.ECHO_PAGE_MOTTO),
        note=escape(texts.ECHO_PAGE_NOTE), filter=escape(texts.ECHO_FILTER),
        communities=_options(communities, chosen["community"]),
        categories=_options(categories, chosen["category"]),
        rates_title=escape(texts.ECHO_RATES_TITLE),
        rates_head="".join(f"<th>{escape(h)}</th>" for h in texts.ECHO_RATES_HEAD),
        rates="".join(_rate_row(g) for g in data["grids"]),
        column=render_column(data["column"]),
        entries_title=escape(texts.ECHO_ENTRIES_TITLE),
        entries="".join(_card(e) for e in data["entries"])
        or f'<p class="empty">{escape(texts.ECHO_EMPTY)}</p>')


def _options(pairs: list[tuple[str, str]], chosen: str | None) -> str:
    return "".join(f'<option value="{escape(v)}"{" selected" if v == (chosen or "") else ""}>'
                   f"{escape(label)}</option>" for v, label in pairs)


def _rate_row(grid: dict[str, Any]) -> str:
    figures = [grid[k] for k in ("response", "solved", "satisfied", "on_time")]
    cells = [grid["name"]] + [percent(f) for f in figures]
    # A grid with no figure yet: kept on a wide screen, folded away on a phone (wall.css).
    opening = "<tr>" if any(f is not None for f in figures) else '<tr class="idle">'
    return opening + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"


def _card(entry: dict[str, Any]) -> str:
    label = texts.ECHO_LABELS
    on_time = entry.get("on_time")
    timing = ("", "") if on_time is None else (
        ("ontime", texts.ECHO_ON_TIME) if on_time else ("late", texts.ECHO_LATE))
    photo = (f'<img src="{escape(entry["photo_url"])}" alt="{escape(texts.WALL_PHOTO_ALT)}" loading="lazy">'
             if entry.get("photo_url") else "")
    rows = [(label["place"], escape(entry["place"])),
            (label["reported"], escape(_short(entry["reported_at"]))),
            (label["closed"], (f'{escape(_short(entry["closed_at"]))} '
                               f'<span class="{timing[0]}">{escape(timing[1])}</span>')),
            (label["unit"], escape(entry["unit"])), (label["summary"], escape(entry["summary"]))]
    return (f'<article class="entry"><header><span class="code">{escape(entry["code"])}</span>'
            f'<span class="category">{escape(entry["category"])}</span>'
            f'<span class="rating {rating_class(entry["rating"])}">'
            f'{escape(entry["rating"])}</span></header>{photo}<dl>'
            + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl></article>")


def _short(iso: str | None) -> str:
    return f"{iso[:10]} {iso[11:16]}" if iso else "—"


def echo_wall_routes(services: Any, deps: Deps) -> APIRouter:
    """The wall's routes over the services' database and the chat's grid tree and taxonomy."""
    settings = services.settings
    channels = EchoChannels(settings.echo_wall_telegram_chat, settings.echo_wall_wecom_robot,
                            Path(settings.media_dir))

    async def publish() -> list[str]:
        codes = await publish_due(services.uow(), deps, channels)
        if codes and deps.on_committed:
            deps.on_committed()   # the posts to the wall's channels leave now
        return codes

    wall = EchoWall(services.uow, deps.router.tree, deps.taxonomy, publish)
    router = APIRouter()

    @router.get("/echo-wall", response_class=HTMLResponse)
    async def page(community: str | None = None, category: str | None = None,
                   limit: Limit = LIMIT) -> HTMLResponse:
        return HTMLResponse(render_page(wall, await wall.read(community, category, limit)))

    @router.get("/api/echo-wall.json")
    async def data(community: str | None = None, category: str | None = None,
                   limit: Limit = LIMIT) -> JSONResponse:
        return JSONResponse(await wall.read(community, category, limit))

    photos = MediaVault(Path(services.settings.media_dir) / PHOTO_DIR)

    @router.get(PHOTOS + "/{name}", include_in_schema=False)
    async def photo(name: str) -> Response:
        # Only the wall's own re-encoded copies: the vault opens nothing but its hash names.
        path = photos.path_of(name)
        if path is None:
            return Response(status_code=404)
        return FileResponse(path, media_type="image/jpeg",
                            headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/wall", include_in_schema=False)
    async def short_link() -> RedirectResponse:
        return RedirectResponse("/echo-wall")

    return router
