"""A district's grids from GeoJSON, checked feature by feature before anything is written."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely import GeometryType
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.validation import explain_validity

from domain.grids import TOP_LEVELS, Grid, Level
from storage.import_report import GridImportError

LEVEL_NAMES = ", ".join(level.value for level in Level)
_AREAS = ("Polygon", "MultiPolygon")
_UNREADABLE = (ShapelyError, ValueError, TypeError, IndexError, KeyError, AttributeError)


def read_collection(source: Mapping[str, Any] | str | Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection given as a dict or a file path."""
    if isinstance(source, str | Path):
        try:
            with open(source, encoding="utf-8") as file:
                source = json.load(file)
        except (OSError, json.JSONDecodeError) as exc:
            raise GridImportError(f"{source}: cannot read GeoJSON: {exc}") from None
    if not isinstance(source, Mapping) or source.get("type") != "FeatureCollection":
        raise GridImportError("not a GeoJSON FeatureCollection")
    features = source.get("features")
    if not isinstance(features, list):
        raise GridImportError("the FeatureCollection has no list of features")
    return features


def parse_grids(features: Sequence[Any],
                known: Mapping[str, tuple[Level, str | None]]) -> list[Grid]:
    """Every feature as a Grid, parents first; `known` is what the database already holds."""
    grids: list[Grid] = []
    raw: list[Any] = []
    first_at: dict[str, int] = {}
    for index, feature in enumerate(features):
        grid, geometry = _grid(index, feature)
        if grid.code in first_at:
            raise GridImportError(f"feature {index} ({grid.code}): code appears twice in the file"
                                  f" (first as feature {first_at[grid.code]})")
        first_at[grid.code] = index
        grids.append(grid)
        raw.append(geometry)
    areas = _areas(grids, raw)
    grids = [replace(grid, geometry=area) for grid, area in zip(grids, areas, strict=True)]
    _check_tree(grids, first_at, known)
    return sorted(grids, key=lambda grid: grid.level.rank)


def _grid(index: int, feature: Any) -> tuple[Grid, Any]:
    """The grid without its geometry, and its GeoJSON geometry checked for kind."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise GridImportError(f"feature {index}: not a GeoJSON Feature")
    props = feature.get("properties") or {}
    code = _text(props.get("code"))
    if code is None:
        raise GridImportError(f"feature {index}: code is missing")
    where = f"feature {index} ({code})"
    name = _text(props.get("name"))
    if name is None:
        raise GridImportError(f"{where}: name is missing")
    try:
        level = Level(props.get("level", ""))
    except ValueError:
        raise GridImportError(
            f"{where}: level {props.get('level')!r} is not one of {LEVEL_NAMES}") from None
    parent = _text(props.get("parent"))
    if parent is None and level not in TOP_LEVELS:
        raise GridImportError(f"{where}: a {level.value} needs a parent")
    if parent is not None and level is Level.COUNTY:
        raise GridImportError(f"{where}: a county has no parent, but parent is {parent!r}")
    aliases = props.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise GridImportError(f"{where}: aliases must be a list of strings")
    geometry = feature.get("geometry")
    if geometry is None and level is Level.MICRO_GRID:
        raise GridImportError(f"{where}: a micro_grid needs a Polygon or MultiPolygon geometry")
    kind = geometry.get("type") if isinstance(geometry, Mapping) else None
    if geometry is not None and kind not in _AREAS:
        raise GridImportError(f"{where}: geometry is a {kind}, not a Polygon or MultiPolygon")
    grid = Grid(code=code, name=name, level=level, parent=parent,
                aliases=tuple(a.strip() for a in aliases if a.strip()))
    return grid, geometry


def _areas(grids: list[Grid], raw: list[Any]) -> list[Any]:
    """Shapely geometries for the GeoJSON ones (list position = feature index), all valid."""
    areas: list[Any] = [None] * len(raw)
    for kind, build in (("Polygon", _polygons), ("MultiPolygon", _multipolygons)):
        at = [i for i, geometry in enumerate(raw) if geometry is not None
              and geometry["type"] == kind]
        if not at:
            continue
        try:
            built = list(build([raw[i].get("coordinates") for i in at]))
        except _UNREADABLE:
            built = [_shape(i, grids[i], raw[i]) for i in at]
        for i, area in zip(at, built, strict=True):
            areas[i] = area
    present = [i for i, area in enumerate(areas) if area is not None]
    found = np.array([areas[i] for i in present], dtype=object)
    for i, ok in zip(present, shapely.is_valid(found) & ~shapely.is_empty(found), strict=True):
        if not ok:
            reason = "it is empty" if areas[i].is_empty else explain_validity(areas[i])
            raise GridImportError(f"feature {i} ({grids[i].code}): geometry is not a valid"
                                  f" {raw[i]['type']}: {reason}")
    return areas


def _shape(index: int, grid: Grid, geometry: Mapping[str, Any]) -> Any:
    try:
        return shape(geometry)
    except _UNREADABLE as exc:
        raise GridImportError(
            f"feature {index} ({grid.code}): geometry cannot be read: {exc!r}") from None


def _polygons(items: list[Any]) -> Any:
    """Many Polygons at once: shapely's one-by-one `shape` takes seconds for 41,000."""
    coords: list[Any] = []
    ring_ends, polygon_ends = [0], [0]
    for rings in items:
        for ring in rings:
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise ValueError("an open or short ring: let shapely say what is wrong")
            coords.extend(ring)
            ring_ends.append(len(coords))
        polygon_ends.append(len(ring_ends) - 1)
    offsets = (np.asarray(ring_ends), np.asarray(polygon_ends))
    return shapely.from_ragged_array(GeometryType.POLYGON, np.asarray(coords, dtype=float),
                                     offsets)


def _multipolygons(items: list[Any]) -> list[Any]:
    return [shapely.multipolygons(list(_polygons(polygons))) for polygons in items]


def _check_tree(grids: list[Grid], first_at: Mapping[str, int],
                known: Mapping[str, tuple[Level, str | None]]) -> None:
    """Parents exist (in the file or the database) and each level sits below its parent's."""
    levels = {code: level for code, (level, _) in known.items()}
    levels.update({grid.code: grid.level for grid in grids})
    for grid in grids:
        if grid.parent is None:
            continue
        where = f"feature {first_at[grid.code]} ({grid.code})"
        parent_level = levels.get(grid.parent)
        if parent_level is None:
            raise GridImportError(f"{where}: parent {grid.parent!r} does not exist"
                                  " in the file or the database")
        if parent_level.rank >= grid.level.rank:
            raise GridImportError(f"{where}: a {grid.level.value} cannot sit under"
                                  f" {grid.parent} which is a {parent_level.value}")
    # A grid already stored keeps its parent; the file must not change that parent's level
    # so that the stored child would no longer fit below it.
    for code, (level, parent) in known.items():
        if (code not in first_at and parent is not None and parent in first_at
                and levels[parent].rank >= level.rank):
            raise GridImportError(
                f"feature {first_at[parent]} ({parent}): as a {levels[parent].value} it cannot"
                f" stay the parent of {code}, a {level.value} already in the database")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
