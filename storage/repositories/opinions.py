"""民意直报: opinions as sent, for the chosen level's staff, and scrubbed for everyone else."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.grids import Level
from domain.opinions import Opinion
from storage.agenda_tables import OpinionRow
from storage.tables import WorkOrderRow

_OPINION = OpinionRow.__table__
_COLUMNS = tuple(_OPINION.columns)
_ORDER = WorkOrderRow.__table__
# Reports that stand for nothing the public may count: a duplicate, or not a real matter.
_NOT_COUNTED = ("invalid", "merged")


def _opinion(row: Any) -> Opinion:
    return Opinion(row.person_id, row.grid_code, row.target_code, Level(row.level), row.text,
                   row.public, row.topic, row.at, row.id)


class OpinionRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, opinion: Opinion) -> int:
        """Keep an opinion; its id."""
        values = {"person_id": opinion.person_id, "grid_code": opinion.grid_code,
                  "target_code": opinion.target_code, "level": opinion.level.value,
                  "text": opinion.text, "public": opinion.public, "topic": opinion.topic,
                  "at": opinion.at}
        result = await self.session.execute(_OPINION.insert().returning(_OPINION.c.id), values)
        return int(result.scalar_one())

    async def sent_to(self, target_code: str, start: datetime, end: datetime,
                      limit: int = 200) -> list[Opinion]:
        """What reached one grid of a level in [start, end), as written: for its staff only."""
        query = (select(*_COLUMNS).where(_OPINION.c.target_code == target_code,
                                         _OPINION.c.at >= start, _OPINION.c.at < end)
                 .order_by(_OPINION.c.at, _OPINION.c.id).limit(limit))
        return [_opinion(row) for row in (await self.session.execute(query)).all()]

    async def from_places(self, grid_codes: Iterable[str], start: datetime, end: datetime,
                          limit: int = 500) -> list[Opinion]:
        """Opinions sent from these grids in [start, end), their words scrubbed: what 群众反映
        may show. The words as written never leave this method."""
        query = (select(*_COLUMNS).where(_OPINION.c.grid_code.in_(list(grid_codes)),
                                         _OPINION.c.at >= start, _OPINION.c.at < end)
                 .order_by(_OPINION.c.at, _OPINION.c.id).limit(limit))
        return [_public(row) for row in (await self.session.execute(query)).all()]

    async def reports_by_category(self, grid_codes: Iterable[str], start: datetime,
                                  end: datetime) -> dict[str, int]:
        """Reports filed in these grids in [start, end), by category: counts, never words."""
        query = (select(_ORDER.c.category, func.count())
                 .where(_ORDER.c.grid_code.in_(list(grid_codes)), _ORDER.c.created_at >= start,
                        _ORDER.c.created_at < end, _ORDER.c.state.not_in(_NOT_COUNTED))
                 .group_by(_ORDER.c.category))
        return {category: int(n) for category, n in (await self.session.execute(query)).all()}

    async def of_person(self, person_id: int) -> list[Opinion]:
        query = select(*_COLUMNS).where(_OPINION.c.person_id == person_id).order_by(_OPINION.c.at)
        return [_opinion(row) for row in (await self.session.execute(query)).all()]

    async def forget_older_than(self, before: datetime) -> int:
        """Retention: opinions sent before `before` keep only their scrubbed words and no
        link to who sent them; how many were cut."""
        result = await self.session.execute(
            update(_OPINION).where(_OPINION.c.at < before, _OPINION.c.person_id.is_not(None))
            .values(text=_OPINION.c.public, person_id=None))
        return int(getattr(result, "rowcount", 0) or 0)

    async def forget_words_of(self, person_id: int, marker: str) -> None:
        """Erasure (/delete): the person's words become `marker` and the link to them goes;
        that an opinion reached a level, and when, stays for the figures."""
        await self.session.execute(update(_OPINION).where(_OPINION.c.person_id == person_id)
                                   .values(text=marker, public=marker, person_id=None))


def _public(row: Any) -> Opinion:
    opinion = _opinion(row)
    return Opinion(None, opinion.grid_code, opinion.target_code, opinion.level, opinion.public,
                   opinion.public, opinion.topic, opinion.at, opinion.id)
