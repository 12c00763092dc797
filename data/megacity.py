"""A synthetic megacity around Beijing for benchmarks: streets → communities → grids → micro-grids.

Micro-grids are the cells of one jittered lattice (≈ 150 m), so neighbours share edges and never
overlap. A grid is a 5 × 2 block of cells, a community 2 × 4 grids, a street 3 × 5 communities:
10 micro-grids per grid, 8 grids per community, 15 communities per street. Blocks are filled in
order and the last ones may be partial, so any count of micro-grids can be asked for.

    python -m data.megacity --micro-grids 41000 --out /tmp/city.geojson
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

from shapely.geometry import Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

CENTRE_LAT, CENTRE_LNG = 39.9042, 116.4074
CELL_M = 150.0
JITTER_M = 30.0
M_PER_DEG_LAT = 111_034.0
M_PER_DEG_LNG = 111_320.0 * math.cos(math.radians(CENTRE_LAT))
# (children across, children down) at each level; cells per block follow from them.
GRID_BLOCK = (5, 2)
COMMUNITY_BLOCK = (2, 4)
STREET_BLOCK = (3, 5)
GRID_W, GRID_H = GRID_BLOCK
COMMUNITY_W, COMMUNITY_H = COMMUNITY_BLOCK[0] * GRID_W, COMMUNITY_BLOCK[1] * GRID_H
STREET_W, STREET_H = STREET_BLOCK[0] * COMMUNITY_W, STREET_BLOCK[1] * COMMUNITY_H


class ProbePoint(NamedTuple):
    """A test location; `micro_grid` is the code it was drawn inside, None when outside."""

    lat: float
    lng: float
    micro_grid: str | None


def generate(micro_grids: int = 41_000, seed: int = 1) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (as a dict) with exactly `micro_grids` micro-grids."""
    if micro_grids < 1:
        raise ValueError("micro_grids must be at least 1")
    per_street = STREET_W * STREET_H
    streets = math.ceil(micro_grids / per_street)
    across = max(1, round(math.sqrt(streets * STREET_H / STREET_W)))
    down = math.ceil(streets / across)
    corners = _lattice(random.Random(seed), across * STREET_W, down * STREET_H)
    city = _City(corners, micro_grids)
    for s in range(streets):
        city.street(s, (s % across) * STREET_W, (s // across) * STREET_H)
    features = city.levels["street"] + city.levels["community"] + city.levels["grid"]
    features += city.levels["micro_grid"]
    return {"type": "FeatureCollection", "bbox": _bbox(city.levels["micro_grid"]),
            "features": features}


class _City:
    """Walks the blocks, emitting features; stops once the requested count is reached.

    Each builder returns (geometry, full): a full block's outline is walked along the lattice,
    only a partial one (the last of each level) needs a polygon union.
    """

    def __init__(self, corners: list[list[tuple[float, float]]], wanted: int):
        self.corners = corners
        self.left = wanted
        self.levels: dict[str, list[dict[str, Any]]] = {
            "street": [], "community": [], "grid": [], "micro_grid": []}

    def street(self, s: int, x: int, y: int) -> None:
        code = f"BJ{s + 1:03d}"
        across, down = STREET_BLOCK
        parts = [self.community(f"{code}-{k + 1:02d}", code,
                                x + (k % across) * COMMUNITY_W, y + (k // across) * COMMUNITY_H)
                 for k in range(self._take(across * down, COMMUNITY_W * COMMUNITY_H))]
        geometry, _ = self._outline(parts, across * down, x, y, STREET_W, STREET_H)
        self._emit("street", code, f"第{s + 1}街道", None, geometry)

    def community(self, code: str, parent: str, x: int, y: int) -> tuple[dict, bool]:
        across, down = COMMUNITY_BLOCK
        parts = [self.grid(f"{code}-{k + 1:02d}", code,
                           x + (k % across) * GRID_W, y + (k // across) * GRID_H)
                 for k in range(self._take(across * down, GRID_W * GRID_H))]
        outline = self._outline(parts, across * down, x, y, COMMUNITY_W, COMMUNITY_H)
        self._emit("community", code, f"{code}社区", parent, outline[0])
        return outline

    def grid(self, code: str, parent: str, x: int, y: int) -> tuple[dict, bool]:
        count = min(self.left, GRID_W * GRID_H)
        self.left -= count
        parts = []
        for k in range(count):
            parts.append((self._block(x + k % GRID_W, y + k // GRID_W, 1, 1), True))
            self._emit("micro_grid", f"{code}-{k + 1:02d}", f"{code}-{k + 1:02d}号楼", code,
                       parts[-1][0])
        outline = self._outline(parts, GRID_W * GRID_H, x, y, GRID_W, GRID_H)
        self._emit("grid", code, f"{code}网格", parent, outline[0])
        return outline

    def _take(self, children: int, cells_per_child: int) -> int:
        """How many children the cells still wanted will reach into."""
        return min(children, math.ceil(self.left / cells_per_child))

    def _block(self, x: int, y: int, w: int, h: int) -> dict[str, Any]:
        """The outline of a w × h block of cells, through every lattice corner, anticlockwise."""
        c = self.corners
        path = [(x + i, y) for i in range(w)] + [(x + w, y + j) for j in range(h)]
        path += [(x + w - i, y + h) for i in range(w)] + [(x, y + h - j) for j in range(h + 1)]
        return {"type": "Polygon", "coordinates": [[list(c[i][j]) for i, j in path]]}

    def _outline(self, parts: list[tuple[dict, bool]], children: int, x: int, y: int, w: int,
                 h: int) -> tuple[dict, bool]:
        if len(parts) == children and all(full for _, full in parts):
            return self._block(x, y, w, h), True
        union = orient(unary_union([shape(geometry) for geometry, _ in parts]), 1.0)
        return _rounded(mapping(union)), False

    def _emit(self, level: str, code: str, name: str, parent: str | None,
              geometry: dict[str, Any]) -> None:
        self.levels[level].append({
            "type": "Feature",
            "properties": {"code": code, "name": name, "level": level, "parent": parent},
            "geometry": geometry,
        })


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _lattice(rng: random.Random, width: int, height: int) -> list[list[tuple[float, float]]]:
    """Jittered cell corners as (lng, lat), indexed [column][row], centred on Beijing."""
    half_w, half_h = width * CELL_M / 2, height * CELL_M / 2
    jitter = rng.uniform
    return [[(round(CENTRE_LNG + (i * CELL_M - half_w + jitter(-JITTER_M, JITTER_M))
                    / M_PER_DEG_LNG, 6),
              round(CENTRE_LAT + (j * CELL_M - half_h + jitter(-JITTER_M, JITTER_M))
                    / M_PER_DEG_LAT, 6))
             for j in range(height + 1)]
            for i in range(width + 1)]


def _bbox(micro_grids: list[dict[str, Any]]) -> list[float]:
    """[west, south, east, north] of the covered area."""
    lngs, lats = [], []
    for feature in micro_grids:
        for lng, lat in feature["geometry"]["coordinates"][0]:
            lngs.append(lng)
            lats.append(lat)
    return [min(lngs), min(lats), max(lngs), max(lats)]


def iter_points(fc: dict[str, Any], n: int, seed: int = 1,
                outside_share: float = 0.1) -> Iterator[ProbePoint]:
    """n random WGS-84 points: most inside a random micro-grid, `outside_share` beyond the city.

    An inside point carries the code of the micro-grid it was drawn in; an outside point lies
    beyond the bounding box of every micro-grid, so it is in none.
    """
    rng = random.Random(seed)
    micro = [f for f in fc["features"] if f["properties"]["level"] == "micro_grid"]
    west, south, east, north = _bbox(micro)
    margin_x, margin_y = (east - west) * 0.2 + 0.001, (north - south) * 0.2 + 0.001
    polygons: dict[int, Polygon] = {}
    for _ in range(n):
        if rng.random() < outside_share:
            while True:
                lng = rng.uniform(west - margin_x, east + margin_x)
                lat = rng.uniform(south - margin_y, north + margin_y)
                if not (west <= lng <= east and south <= lat <= north):
                    yield ProbePoint(lat, lng, None)
                    break
            continue
        index = rng.randrange(len(micro))
        polygon = polygons.get(index) or polygons.setdefault(index, shape(micro[index]["geometry"]))
        x0, y0, x1, y1 = polygon.bounds
        while True:
            lng, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if polygon.contains(Point(lng, lat)):
                yield ProbePoint(lat, lng, micro[index]["properties"]["code"])
                break


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic megacity as GeoJSON.")
    parser.add_argument("--micro-grids", type=int, default=41_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="-", help="file to write, - for standard output")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    fc = generate(args.micro_grids, args.seed)
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    if args.out == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text)
    counts: dict[str, int] = {}
    for feature in fc["features"]:
        counts[feature["properties"]["level"]] = counts.get(feature["properties"]["level"], 0) + 1
    print(f"{counts} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
