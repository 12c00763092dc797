"""The district as GeoJSON for the page's map: every grid with a polygon, its listed leader."""
from __future__ import annotations

from typing import Any

from shapely.geometry import mapping

from domain.grids import Grid, GridTree
from storage.uow import UnitOfWork

DIGITS = 6  # about 0.1 m: plenty for a map, and a smaller file


async def district_geojson(uow: UnitOfWork, tree: GridTree) -> dict[str, Any]:
    """A FeatureCollection; each feature carries a point inside it for labels and pins.

    Leaders' names are public (网格长公示) as the roster lists them; their phones are not sent.
    A grid whose only leader came by invite, known by a chat account's name, shows none.
    """
    leaders = await uow.people.roster_leaders()
    features = []
    for grid in sorted(tree, key=lambda g: g.code):
        if grid.geometry is None or grid.geometry.is_empty:
            continue
        inside = grid.geometry.representative_point()
        features.append({
            "type": "Feature",
            "geometry": outline(grid),
            "properties": {"code": grid.code, "name": grid.name, "level": grid.level.value,
                           "parent": grid.parent, "leader": leaders.get(grid.code),
                           "inside": [round(inside.x, DIGITS), round(inside.y, DIGITS)]},
        })
    return {"type": "FeatureCollection", "features": features}


def outline(grid: Grid) -> dict[str, Any]:
    """A grid's polygon as a GeoJSON geometry, to about 0.1 m (it has one: `grid.geometry`)."""
    shape: dict[str, Any] = _rounded(mapping(grid.geometry))
    return shape


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value
