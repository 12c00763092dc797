"""工单地图: a person's open orders over the grid polygons, each grid coloured by the lights of
its open orders, pins for the orders, and a heat layer of what was filed in a period.

The polygons are the map: no tile server. The orders are the console list's own (its scope and
statement, `order_list`), the lights the list rows' (`views.shade`), and a click on a grid opens
the list filtered to it. The page's script (web/static/console-map.js) draws what the page
carries in a JSON block with this server's copy of Leaflet; a table under the map says the same
without a script.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from domain.grids import Grid, GridTree, Level
from domain.orders import State
from handlers import catalogue, console, texts
from handlers.use_cases import work_time
from handlers.work import Work
from storage.order_filter import OrderFilter, OrderScope
from web.console import views
from web.console.pages import e, layout, link_with, notice, select
from web.district import outline

POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
LEAFLET = "/static/vendor/leaflet-1.9.4"
STYLES = (f"{LEAFLET}/leaflet.css",)
SCRIPTS = (f"{LEAFLET}/leaflet.js", "/static/vendor/leaflet.heat-0.2.0/leaflet-heat.js",
           "/static/console-map.js")
MOST_PINS = 2000
MOST_HEAT = 20_000
DEFAULT_WEEKS = "4"
HEAT_DIGITS = 4          # heat points pooled to about 10 m
SHADES = ("red", "yellow", "green")
OPEN = tuple(s for s in State if not s.is_final)


@dataclass(frozen=True)
class Pin:
    code: str
    lat: float
    lng: float
    light: str                # green, yellow, red, or "" without a running clock
    category: str
    place: str
    state: str
    due: str


@dataclass
class Cell:
    """A grid drawn in colour, with its open orders counted by light."""

    grid: Grid
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def open(self) -> int:
        return sum(self.counts.values())

    @property
    def light(self) -> str:
        """The tightest light of its open orders; "" when none has a running clock."""
        return next((shade for shade in SHADES if self.counts[shade]), "")


@dataclass(frozen=True)
class MapView:
    cells: list[Cell]
    outlines: list[Grid]      # the person's units above the cells (community, street)
    fine: list[Grid]          # the micro-grids inside the cells, drawn thin
    pins: list[Pin]
    heat: list[tuple[float, float, int]]    # pooled points: lat, lng, orders
    heat_orders: int
    more_pins: bool
    more_heat: bool
    weeks: str


def weeks_choice(raw: str) -> str:
    return raw if raw in texts.CONSOLE_WEEKS else DEFAULT_WEEKS


def _cell_of(tree: GridTree, code: str | None, cells: dict[str, Cell],
             level: Level) -> Cell | None:
    """The cell an order reported in grid `code` counts in: the cell on its chain, else (an
    order held in the scope but reported outside it) its grid at the cells' level."""
    if code is None or code not in tree:
        return None
    chain = tree.chain(code)
    for grid in chain:
        if grid.code in cells:
            return cells[grid.code]
    drawn = next((g for g in chain if g.level is level and g.geometry is not None), None)
    if drawn is None:
        return None
    cells[drawn.code] = Cell(drawn)
    return cells[drawn.code]


async def map_view(work: Work, scope: OrderScope, weeks: str) -> MapView:
    """The map of a person whose console scope is `scope`, the heat layer over `weeks`."""
    tree = work.deps.router.tree
    mine = [tree.get(c) for c in sorted(scope.grids) if c in tree]
    # A micro-grid's leader sees micro-grids; everyone else the grids (网格) of their area.
    level = (Level.MICRO_GRID if mine and all(g.level is Level.MICRO_GRID for g in mine)
             else Level.GRID)
    cells = {g.code: Cell(g) for g in mine if g.level is level and g.geometry is not None}
    wanted = OrderFilter(states=OPEN, sort="resolve_due", descending=False)
    found = await work.uow.order_list.page(scope, wanted, 1, MOST_PINS)
    more_pins = found.later
    pins = []
    for order in found.orders:
        shade = views.shade(work, order, work.now)
        cell = _cell_of(tree, order.grid_code, cells, level)
        if cell is not None:
            cell.counts[shade] += 1
        if order.lat is not None and order.lng is not None:
            pins.append(Pin(order.code, order.lat, order.lng, shade,
                            views.category_label(work, order.category),
                            console.place_of(work, order), catalogue.label(order.state),
                            work_time(order.resolve_due or order.sign_due)))
    since = work.now - timedelta(weeks=int(weeks_choice(weeks)))
    points, more_heat = await work.uow.order_map.points(scope, OrderFilter(since=since),
                                                        MOST_HEAT)
    pooled = Counter((round(lat, HEAT_DIGITS), round(lng, HEAT_DIGITS)) for lat, lng in points)
    drawn = [g for g in mine if g.geometry is not None]
    return MapView(
        sorted(cells.values(), key=lambda c: c.grid.code),
        [g for g in drawn if g.level.rank < level.rank],
        [g for g in drawn if g.level.rank > level.rank], pins,
        [(lat, lng, n) for (lat, lng), n in sorted(pooled.items())], len(points),
        more_pins, more_heat, weeks_choice(weeks))


def _counts(cell: Cell) -> str:
    if not cell.open:
        return texts.CONSOLE_MAP_NONE
    return texts.CONSOLE_MAP_COUNTS.format(open=cell.open, **{s: cell.counts[s] for s in SHADES})


def _feature(grid: Grid, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": outline(grid),
            "properties": {"code": grid.code, "name": grid.name, **properties}}


def map_data(view: MapView) -> dict[str, Any]:
    """What the page's script draws: GeoJSON of the polygons, the pins, the heat, the words."""
    def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": features}
    cells = [_feature(c.grid, light=c.light, href=link_with({"grid": c.grid.code}),
                      tooltip=texts.CONSOLE_MAP_TOOLTIP.format(name=c.grid.name,
                                                               counts=_counts(c)))
             for c in view.cells if c.grid.geometry is not None]
    return {
        "cells": collection(cells),
        "outlines": collection([_feature(g) for g in view.outlines]),
        "fine": collection([_feature(g) for g in view.fine]),
        "pins": [{"code": p.code, "lat": p.lat, "lng": p.lng, "light": p.light,
                  "category": p.category, "place": p.place, "state": p.state, "due": p.due,
                  "href": f"/console/orders/{p.code}"} for p in view.pins],
        "heat": [[lat, lng, n] for lat, lng, n in view.heat],
        "words": {"layers": texts.CONSOLE_MAP_LAYERS, "lights": texts.LIGHT_LABELS,
                  "columns": texts.CONSOLE_COLUMNS, "field": texts.CONSOLE_MAP_FIELD},
    }


def json_block(data: dict[str, Any]) -> str:
    """JSON for a <script type="application/json"> block: no "<", so it cannot close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(view: MapView) -> str:
    cols = texts.CONSOLE_MAP_COLUMNS
    head = "".join(f'<th scope="col">{e(cols[k])}</th>'
                   for k in ("grid", "open", "red", "yellow", "green", "list"))
    rows = []
    for cell in view.cells:
        shade = texts.LIGHT_LABELS.get(cell.light, "")
        badge = f'<span class="light {e(cell.light)}">{e(shade)}</span> ' if cell.light else ""
        rows.append(f'<tr data-grid="{e(cell.grid.code)}"><td>{badge}{e(cell.grid.name)}</td>'
                    f"<td>{cell.open}</td>"
                    + "".join(f"<td>{cell.counts[s]}</td>" for s in SHADES)
                    + f'<td><a href="{e(link_with({"grid": cell.grid.code}))}">'
                      f"{e(texts.CONSOLE_SHOW)}</a></td></tr>")
    return (f'<div class="scroll"><table class="figures cells"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def map_page(view: MapView, who: str, csrf: str) -> str:
    weeks = [(k, words) for k, words in texts.CONSOLE_WEEKS.items()]
    form = (f'<form method="get" action="/console/map" class="filters period">'
            f"{select('weeks', texts.CONSOLE_MAP_HEAT_WEEKS, weeks, view.weeks)}"
            f'<div class="buttons"><button type="submit" class="primary">'
            f"{e(texts.CONSOLE_FILTER)}</button></div></form>")
    legend = "".join(f'<li><span class="light {s}">{e(texts.LIGHT_LABELS[s])}</span></li>'
                     for s in SHADES)
    heat = texts.CONSOLE_MAP_HEAT_COUNT.format(weeks=texts.CONSOLE_WEEKS[view.weeks],
                                               n=view.heat_orders)
    said = ""
    if view.more_pins:
        said += notice(texts.CONSOLE_MAP_MORE_PINS.format(n=MOST_PINS), "warn")
    if view.more_heat:
        said += notice(texts.CONSOLE_MAP_MORE_HEAT.format(n=MOST_HEAT), "warn")
    body = (f"<h1>{e(texts.CONSOLE_MAP)}</h1>{form}{said}"
            f'<p class="hint">{e(texts.CONSOLE_MAP_HINT)}</p>'
            f'<ul class="legend">{legend}</ul>'
            f'<div id="map" class="map" role="region" aria-label="{e(texts.CONSOLE_MAP)}">'
            f'<p class="hint no-script">{e(texts.CONSOLE_MAP_NO_SCRIPT)}</p></div>'
            f'<p class="hint">{e(heat)}</p>'
            f"{_table(view)}"
            f'<script type="application/json" id="map-data">{json_block(map_data(view))}'
            "</script>")
    return layout(texts.CONSOLE_MAP, body, who, csrf, here="/console/map", styles=STYLES,
                  scripts=SCRIPTS)
