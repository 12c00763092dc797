"""Grids in and out of the database; `tree()` is what routing and escalation read."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.grids import Grid, GridTree, Level
from domain.orders import State
from storage.records import Role
from storage.repositories._sql import insert
from storage.tables import GridRow, MembershipRow, WorkOrderRow

_GRID = GridRow.__table__
_ORDER = WorkOrderRow.__table__
_OPEN = (State.SUBMITTED.value, State.DISPATCHED.value, State.ACCEPTED.value)
_COLUMNS = ("code", "name", "level", "parent", "aliases", "geometry",
            "min_lat", "min_lng", "max_lat", "max_lng")


def grid_values(grids: Sequence[Grid]) -> list[dict[str, Any]]:
    """Grids as row values: WKB geometry and its bounding box (lng is x, lat is y)."""
    shapes = np.array([grid.geometry for grid in grids], dtype=object)
    wkb = shapely.to_wkb(shapes)
    bounds = shapely.bounds(shapes).tolist()  # NaN where there is no geometry
    values = []
    for grid, blob, (min_lng, min_lat, max_lng, max_lat) in zip(grids, wkb, bounds, strict=True):
        known = blob is not None and not math.isnan(min_lng)
        values.append({
            "code": grid.code, "name": grid.name, "level": grid.level.value,
            "parent": grid.parent, "aliases": list(grid.aliases),
            "geometry": blob if known else None,
            "min_lat": min_lat if known else None, "min_lng": min_lng if known else None,
            "max_lat": max_lat if known else None, "max_lng": max_lng if known else None,
        })
    return values


def _grids(rows: Sequence[Any], leaders: dict[str, int] | None = None) -> list[Grid]:
    shapes = shapely.from_wkb([row.geometry for row in rows])
    leaders = leaders or {}
    return [
        Grid(code=row.code, name=row.name, level=Level(row.level), parent=row.parent,
             aliases=tuple(row.aliases or ()), geometry=shape, leader_id=leaders.get(row.code))
        for row, shape in zip(rows, shapes, strict=True)
    ]


class GridRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def get(self, code: str) -> Grid | None:
        rows = (await self.session.execute(select(_GRID).where(_GRID.c.code == code))).all()
        if not rows:
            return None
        return _grids(rows, await self._leaders([code]))[0]

    async def all(self) -> list[Grid]:
        rows = (await self.session.execute(select(_GRID).order_by(_GRID.c.code))).all()
        return _grids(rows, await self._leaders())

    async def tree(self) -> GridTree:
        """The whole tree, each grid with its geometry and the leader bound to it."""
        return GridTree(await self.all())

    async def codes(self) -> dict[str, tuple[Level, str | None]]:
        """Every grid's level and parent, without geometry: cheap enough for 41,000 grids."""
        query = select(_GRID.c.code, _GRID.c.level, _GRID.c.parent)
        return {code: (Level(level), parent)
                for code, level, parent in (await self.session.execute(query)).all()}

    async def upsert(self, grids: Iterable[Grid]) -> tuple[int, int]:
        """Insert new grids and update known ones; parents must come first. (created, updated)"""
        values = grid_values(list(grids))
        if not values:
            return 0, 0
        known = await self._existing([v["code"] for v in values])
        await self.upsert_values(values)
        return len(values) - len(known), len(known)

    async def upsert_values(self, values: list[dict[str, Any]]) -> None:
        """The bulk path behind `upsert`, for values already made by `grid_values`."""
        statement = insert(self.session, _GRID)
        statement = statement.on_conflict_do_update(
            index_elements=["code"],
            set_={name: statement.excluded[name] for name in _COLUMNS if name != "code"},
        )
        await self.session.execute(statement, values)

    async def unheld_orders(self, limit: int = 1000) -> list[tuple[str, str | None]]:
        """Open orders that no person holds (code, unit), oldest first: a chain without staff."""
        query = (select(_ORDER.c.code, _ORDER.c.unit_code)
                 .where(_ORDER.c.state.in_(_OPEN), _ORDER.c.assignee_id.is_(None))
                 .order_by(_ORDER.c.created_at, _ORDER.c.code).limit(limit))
        return [(code, unit) for code, unit in (await self.session.execute(query)).all()]

    async def _existing(self, codes: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(codes), 1000):
            chunk = codes[start:start + 1000]
            query = select(_GRID.c.code).where(_GRID.c.code.in_(chunk))
            found.update((await self.session.execute(query)).scalars())
        return found

    async def _leaders(self, codes: list[str] | None = None) -> dict[str, int]:
        """Grid code → leader; of two leaders on one grid the longest-standing (lowest id) wins."""
        query = (select(col(MembershipRow.grid_code), col(MembershipRow.person_id))
                 .where(col(MembershipRow.role) == Role.LEADER.value)
                 .order_by(col(MembershipRow.person_id).desc()))
        if codes is not None:
            query = query.where(col(MembershipRow.grid_code).in_(codes))
        return dict((await self.session.execute(query)).all())
