"""Routing: which grid a report belongs to, from a point or from an address.

A point lands on the smallest grid whose polygon covers it (borders count). On a border shared
by grids of the same level the lowest code wins, so the answer never depends on load order.
What cannot be routed goes to a dispatcher's queue, named ``queue:<code>``: the community's when
the report names a community or lies near one, else the street's. Nothing is dropped.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.ops import nearest_points

from domain.addresses import AddressMatcher, Candidate
from domain.geo import distance_m, gcj02_to_wgs84
from domain.grids import Grid, GridTree, Level

QUEUE_PREFIX = "queue:"
_METRES_PER_DEGREE = 111_320.0
_POLYGONAL = ("Polygon", "MultiPolygon")


class GridImportError(ValueError):
    """A GeoJSON feature that cannot become a Grid; the message names the feature and field."""


def queue_of(code: str) -> str:
    """The dispatcher queue of a community or street: ``queue:JJ``."""
    return f"{QUEUE_PREFIX}{code}"


def grids_from_geojson(fc: dict) -> list[Grid]:
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
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as err:
        raise GridImportError(f"{where}: field 'geometry' cannot be read: {err}") from None
    if geometry.is_empty or not geometry.is_valid:
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

    def __len__(self) -> int:
        return sum(len(grids) for _, grids in self._levels)

    def locate(self, lat: float, lng: float) -> Grid | None:
        """The smallest grid covering the point, or None when no polygon does."""
        point = shapely.Point(lng, lat)
        for tree, grids in self._levels:
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


@dataclass
class Route:
    """Where a report goes: its grid, the escalation chain, and a queue when nobody fits."""

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
        if grid is not None:
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
        return min(self.tree.roots(), key=lambda g: g.code)

    def _common_ancestor(self, codes: list[str]) -> Grid:
        """The smallest grid on every chain: where a tie between places is decided."""
        chains = [self.tree.chain(code) for code in codes]
        shared = {g.code for g in chains[0]}.intersection(*({g.code for g in c} for c in chains))
        return next((g for g in chains[0] if g.code in shared), self._default_street())
