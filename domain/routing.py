"""Routing: which grid a report belongs to, from a point or from an address.

A point lands on the smallest grid whose polygon covers it (borders count). On a border shared
by grids of the same level the lowest code wins, so the answer never depends on load order.
What cannot be routed goes to a dispatcher's queue, named ``queue:<code>`` (``queue:JJ``): the
community's when the report names a community or lies near one, else the street's (the
fallback street: a county takes no report itself, and a place matched only to the county goes
to the street that takes what nothing else can).
A report whose smallest match is a community or a street goes to that unit's queue as well,
since only a dispatcher can pick a grid for it. Nothing is dropped.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, shape
from shapely.ops import nearest_points

from domain.addresses import AddressMatcher, Candidate
from domain.geo import distance_m, gcj02_to_wgs84
from domain.grids import Grid, GridTree, Level, queue_of

_METRES_PER_DEGREE = 111_320.0
_POLYGONAL = ("Polygon", "MultiPolygon")


class GridImportError(ValueError):
    """A GeoJSON feature that cannot become a Grid; the message names the feature and field."""


def grids_from_geojson(fc: dict[str, Any]) -> list[Grid]:
    """Grids from a parsed GeoJSON FeatureCollection (properties code, name, level, parent…)."""
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        raise GridImportError("not a FeatureCollection: field 'type' must be 'FeatureCollection'")
    features = fc.get("features")
    if not isinstance(features, list):
        raise GridImportError("FeatureCollection: field 'features' must be a list")
    return [_grid_from_feature(i, feature) for i, feature in enumerate(features)]


def _grid_from_feature(index: int, feature: object) -> Grid:
    where = f"feature {index}"
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise GridImportError(f"{where}: field 'properties' must be an object")
    props = feature["properties"]
    code = props.get("code")
    if not isinstance(code, str) or not code.strip():
        raise GridImportError(f"{where}: field 'code' must be a non-empty string")
    where = f"feature {index} ({code})"
    name = props.get("name")
    if not isinstance(name, str) or not name.strip():
        raise GridImportError(f"{where}: field 'name' must be a non-empty string")
    try:
        level = Level(props.get("level"))
    except ValueError:
        allowed = ", ".join(level.value for level in Level)
        raise GridImportError(
            f"{where}: field 'level' must be one of {allowed}, got {props.get('level')!r}"
        ) from None
    parent = props.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent):
        raise GridImportError(f"{where}: field 'parent' must be a code or null")
    aliases = props.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise GridImportError(f"{where}: field 'aliases' must be a list of non-empty names")
    leader_id = props.get("leader_id")
    if leader_id is not None and (not isinstance(leader_id, int) or isinstance(leader_id, bool)):
        raise GridImportError(f"{where}: field 'leader_id' must be an integer or null")
    return Grid(
        code=code,
        name=name,
        level=level,
        parent=parent,
        aliases=tuple(aliases),
        geometry=_geometry(where, feature.get("geometry")),
        leader_id=leader_id,
    )


def _geometry(where: str, raw: object) -> shapely.Geometry | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("type") not in _POLYGONAL:
        raise GridImportError(f"{where}: field 'geometry' must be a Polygon, MultiPolygon or null")
    try:
        if raw["type"] == "Polygon":
            # Straight to Polygon: shape() spends a third of a 41,000-grid import on checks.
            rings = raw["coordinates"]
            geometry = Polygon(rings[0], rings[1:]) if rings else Polygon()
        else:
            geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as err:
        raise GridImportError(f"{where}: field 'geometry' cannot be read: {err}") from None
    if geometry.is_empty:
        raise GridImportError(f"{where}: field 'geometry' is an empty polygon")
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise GridImportError(f"{where}: field 'geometry' is not a valid polygon: {reason}")
    return geometry


class GridIndex:
    """A spatial index over every grid that has a polygon; points are (lat, lng) in WGS-84."""

    def __init__(self, tree: GridTree):
        # One STRtree per level, smallest level first: most points are settled by the first,
        # whose polygons are small and few per bounding box. Within a level grids are sorted by
        # code, so the minimum covering position is the lowest code (the border rule).
        self._levels: list[tuple[shapely.STRtree, list[Grid]]] = []
        for level in sorted(Level, key=lambda lv: -lv.rank):
            grids = sorted(
                (g for g in tree if g.level is level and g.geometry is not None),
                key=lambda g: g.code,
            )
            if grids:
                self._levels.append((shapely.STRtree([g.geometry for g in grids]), grids))
        self._by_level = {grids[0].level: (t, grids) for t, grids in self._levels}
        self._buckets = _Buckets.over(self._levels[0][1]) if self._levels else None

    def __len__(self) -> int:
        return sum(len(grids) for _, grids in self._levels)

    def locate(self, lat: float, lng: float) -> Grid | None:
        """The smallest grid covering the point, or None when no polygon does."""
        levels = self._levels
        if self._buckets is not None:
            found = self._buckets.locate(lat, lng)
            if found is not None:
                return found
            levels = levels[1:]
        point = shapely.Point(lng, lat)
        for tree, grids in levels:
            # For a point, "intersects" a polygon is "covered by" it: the boundary counts.
            hits = tree.query(point, predicate="intersects")
            if hits.size:
                return grids[int(hits.min())]
        return None

    def locate_many(self, lats: Sequence[float], lngs: Sequence[float]) -> list[str | None]:
        """The code of the smallest covering grid for each point, vectorised; None where none."""
        points = shapely.points(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
        found: list[str | None] = [None] * len(points)
        left = np.arange(len(points))
        for tree, grids in self._levels:
            if not left.size:
                break
            point_at, grid_at = tree.query(points[left], predicate="intersects")
            best = np.full(len(left), len(grids), dtype=np.intp)
            np.minimum.at(best, point_at, grid_at)
            hit = best < len(grids)
            for i, g in zip(left[hit].tolist(), best[hit].tolist(), strict=True):
                found[i] = grids[g].code
            left = left[~hit]
        return found

    def nearest(self, lat: float, lng: float, level: Level, within_m: float) -> Grid | None:
        """The grid of `level` whose polygon is nearest the point, if within `within_m` metres."""
        if level not in self._by_level:
            return None
        tree, grids = self._by_level[level]
        point = shapely.Point(lng, lat)
        # A metre is the most degrees along a parallel, so this bound misses nothing.
        reach = within_m / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
        found = []
        bound = None if math.isinf(reach) else reach
        for i in tree.query_nearest(point, max_distance=bound, all_matches=True).tolist():
            on_edge, _ = nearest_points(grids[i].geometry, point)
            metres = distance_m((lat, lng), (on_edge.y, on_edge.x))
            if metres <= within_m:
                found.append((metres, grids[i].code, grids[i]))
        return min(found)[2] if found else None


class _Buckets:
    """Equal cells over the bounding boxes of the smallest level's grids, for single points.

    A dict lookup, a bounding-box test and one prepared intersects_xy cost less than making a
    shapely Point and querying an STRtree for each point (bench/README.md, routing). Grids keep
    their code order inside a cell, so the first covering one is the lowest code (the border
    rule). Cells are keyed by one int and hold grid positions, so building them allocates few
    objects the garbage collector must walk next to a big GeoJSON.
    """

    _MOST_CELLS_PER_GRID = 256
    _ROW = 1 << 32  # cell key = column * _ROW + row

    def __init__(self, grids: list[Grid], bounds: np.ndarray, origin: tuple[float, float],
                 size: tuple[float, float]):
        self._grids = grids
        self._geoms = [g.geometry for g in grids]
        self._min_x, self._min_y, self._max_x, self._max_y = bounds.T.tolist()
        self._x0, self._y0 = origin
        self._w, self._h = size
        self._cells: dict[int, list[int]] = {}

    @classmethod
    def over(cls, grids: list[Grid]) -> _Buckets | None:
        """Cells about one median grid wide; None when a grid is too wide for cells to help."""
        geoms = np.array([g.geometry for g in grids], dtype=object)
        shapely.prepare(geoms)
        bounds = shapely.bounds(geoms)
        origin = (float(bounds[:, 0].min()), float(bounds[:, 1].min()))
        size = (
            float(np.median(bounds[:, 2] - bounds[:, 0])) or 1e-9,
            float(np.median(bounds[:, 3] - bounds[:, 1])) or 1e-9,
        )
        # The same float arithmetic as in locate(), so a point on a cell edge finds its grids.
        xs = np.floor((bounds[:, [0, 2]] - origin[0]) / size[0]).astype(np.int64)
        ys = np.floor((bounds[:, [1, 3]] - origin[1]) / size[1]).astype(np.int64)
        spans = (xs[:, 1] - xs[:, 0] + 1) * (ys[:, 1] - ys[:, 0] + 1)
        if spans.size == 0 or spans.max() > cls._MOST_CELLS_PER_GRID:
            return None
        buckets = cls(grids, bounds, origin, size)
        cells = buckets._cells
        x_from, x_to = xs[:, 0].tolist(), xs[:, 1].tolist()
        y_from, y_to = ys[:, 0].tolist(), ys[:, 1].tolist()
        for k in range(len(grids)):
            for i in range(x_from[k], x_to[k] + 1):
                for j in range(y_from[k], y_to[k] + 1):
                    cells.setdefault(i * cls._ROW + j, []).append(k)
        return buckets

    def locate(self, lat: float, lng: float) -> Grid | None:
        i = math.floor((lng - self._x0) / self._w)
        j = math.floor((lat - self._y0) / self._h)
        for k in self._cells.get(i * self._ROW + j, ()):
            if (
                self._min_x[k] <= lng <= self._max_x[k]
                and self._min_y[k] <= lat <= self._max_y[k]
                and shapely.intersects_xy(self._geoms[k], lng, lat)
            ):
                return self._grids[k]
        return None


@dataclass
class Route:
    """Where a report goes: its grid, the escalation chain, and a queue when nobody fits.

    `fallback` is None when a grid or micro-grid was found. Otherwise it names the queue, and
    `grid` is the community or street matched (None when nothing matched); `chain` and
    `leader_id` then belong to the unit that owns the queue.
    """

    grid: Grid | None
    chain: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    leader_id: int | None = None
    fallback: str | None = None


class Router:
    """Routes a report by point (WGS-84 or GCJ-02) or by address text."""

    def __init__(
        self, tree: GridTree, index: GridIndex, matcher: AddressMatcher, near_m: float = 300.0
    ):
        self.tree = tree
        self.index = index
        self.matcher = matcher
        self.near_m = near_m

    def route_point(self, lat: float, lng: float, gcj02: bool = False) -> Route:
        """Route a location; WeChat sends GCJ-02, so pass gcj02=True for its Location_X/Y."""
        if gcj02:
            lat, lng = gcj02_to_wgs84(lat, lng)
        grid = self.index.locate(lat, lng)
        if grid is not None and grid.level is not Level.COUNTY:
            return self._to(grid)
        near = self.index.nearest(lat, lng, Level.COMMUNITY, self.near_m)
        return self._to_queue(near or self._street_near(lat, lng))

    def route_address(self, text: str) -> Route:
        """Route an address; the best candidate wins, a tie between places goes up the tree."""
        candidates = self.matcher.match(text)
        if not candidates:
            return self._to_queue(self._default_street(), candidates)
        best = self.tree.get(candidates[0].code)
        tied = [
            c.code
            for c in candidates
            if c.score == candidates[0].score and self.tree.get(c.code).level is best.level
        ]
        if len(tied) > 1:
            return self._to(self._common_ancestor(tied), candidates)
        return self._to(best, candidates)

    def _to(self, grid: Grid, candidates: list[Candidate] | None = None) -> Route:
        if grid.level is Level.COUNTY:
            return self._to_queue(self._default_street(), candidates)
        if grid.level.rank <= Level.COMMUNITY.rank:
            return self._to_queue(grid, candidates, located=True)
        return Route(
            grid=grid,
            chain=[g.code for g in self.tree.chain(grid.code)],
            candidates=candidates or [],
            leader_id=self._leader(grid.code),
        )

    def _to_queue(
        self, unit: Grid, candidates: list[Candidate] | None = None, located: bool = False
    ) -> Route:
        """A dispatcher's queue: the route's chain and leader are that community's or street's."""
        return Route(
            grid=unit if located else None,
            chain=[g.code for g in self.tree.chain(unit.code)],
            candidates=candidates or [],
            leader_id=self._leader(unit.code),
            fallback=queue_of(unit.code),
        )

    def _leader(self, code: str) -> int | None:
        found = self.tree.leader_on_chain(code)
        return found[1] if found else None

    def _street_near(self, lat: float, lng: float) -> Grid:
        street = self.index.nearest(lat, lng, Level.STREET, math.inf)
        return street or self._default_street()

    def _default_street(self) -> Grid:
        return self.tree.fallback_street()

    def _common_ancestor(self, codes: list[str]) -> Grid:
        """The smallest grid on every chain: where a tie between places is decided."""
        chains = [self.tree.chain(code) for code in codes]
        shared = {g.code for g in chains[0]}.intersection(*({g.code for g in c} for c in chains))
        return next((g for g in chains[0] if g.code in shared), self._default_street())
