"""Import a district: grids from GeoJSON, staff from CSV — all or nothing, and idempotent."""
from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from tqdm import tqdm

from storage.clock import Clock, SystemClock
from storage.grid_file import parse_grids, read_collection
from storage.import_report import GridImportError, ImportFailed, ImportReport, PeopleImportError
from storage.people_file import StaffLine, read_staff
from storage.repositories._sql import insert
from storage.repositories.grids import GridRepository, grid_values
from storage.tables import MembershipRow, PersonRow, non_null
from storage.uow import UnitOfWork

__all__ = ["GridImportError", "ImportFailed", "ImportReport", "PeopleImportError",
           "import_grids", "import_people"]

CHUNK = 1000
STAFF = "staff"  # the kind of person a staff list holds
QUIET_BELOW = 2000  # no progress bar for files this small


async def import_grids(target: UnitOfWork | AsyncSession,
                       source: Mapping[str, Any] | str | Path,
                       progress: bool = True) -> ImportReport:
    """Create or update every grid of a FeatureCollection; a bad feature writes nothing."""
    # Reading and checking 41,000 polygons takes a second: keep the event loop answering.
    features = await asyncio.to_thread(read_collection, source)
    async with _transaction(target) as (session, _):
        grids = GridRepository(session)
        known = await grids.codes()
        parsed = await asyncio.to_thread(parse_grids, features, known)
        values = await asyncio.to_thread(grid_values, parsed)
        with _bar(len(values), "grids", progress) as bar:
            for start in range(0, len(values), CHUNK):
                chunk = values[start:start + CHUNK]
                await grids.upsert_values(chunk)
                bar.update(len(chunk))
    created = sum(1 for grid in parsed if grid.code not in known)
    return ImportReport(created=created, updated=len(parsed) - created, total=len(parsed))


async def import_people(target: UnitOfWork | AsyncSession, path: str | Path,
                        progress: bool = True) -> ImportReport:
    """Create or update staff by their code and give them their roles; a bad line writes nothing.

    Roles are only ever added: a role given by invite survives a re-import.
    """
    async with _transaction(target) as (session, clock):
        grid_codes = set(await GridRepository(session).codes())
        lines = await asyncio.to_thread(read_staff, path, grid_codes)
        people = _people(lines)
        codes = list(people)
        known = await _ids(session, codes)
        now = clock.now()
        with _bar(len(people) + len(lines), "people", progress) as bar:
            for start in range(0, len(codes), CHUNK):
                chunk = [dict(people[code], created_at=now) for code in codes[start:start + CHUNK]]
                await _upsert_people(session, chunk)
                bar.update(len(chunk))
            ids = await _ids(session, codes)
            roles = [{"person_id": ids[line.code], "grid_code": line.grid, "role": line.role.value}
                     for line in lines]
            for start in range(0, len(roles), CHUNK):
                statement = insert(session, MembershipRow.__table__).on_conflict_do_nothing()
                await session.execute(statement, roles[start:start + CHUNK])
                bar.update(len(roles[start:start + CHUNK]))
    created = sum(1 for code in codes if code not in known)
    return ImportReport(created=created, updated=len(codes) - created, total=len(codes))


def _people(lines: list[StaffLine]) -> dict[str, dict[str, Any]]:
    """One person per code; a later line fills in a phone or duty an earlier one left empty."""
    people: dict[str, dict[str, Any]] = {}
    for line in lines:
        person = people.setdefault(line.code, {"staff_code": line.code, "name": line.name,
                                               "phone": None, "duty": None, "kind": STAFF,
                                               "party_member": False, "party_group": None})
        person["phone"] = line.phone or person["phone"]
        person["duty"] = line.duty or person["duty"]
        person["party_member"] = line.party_member or person["party_member"]
        person["party_group"] = line.party_group or person["party_group"]
    return people


async def _upsert_people(session: AsyncSession, values: list[dict[str, Any]]) -> None:
    statement = insert(session, PersonRow.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["staff_code"],
        set_={name: statement.excluded[name] for name in ("name", "phone", "duty", "kind",
                                                          "party_member", "party_group")})
    await session.execute(statement, values)


async def _ids(session: AsyncSession, codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), CHUNK):
        query = (select(non_null(PersonRow.staff_code), non_null(PersonRow.id))
                 .where(col(PersonRow.staff_code).in_(codes[start:start + CHUNK])))
        found.update(((code, id_) for code, id_ in await session.execute(query)))
    return found


@asynccontextmanager
async def _transaction(
        target: UnitOfWork | AsyncSession) -> AsyncIterator[tuple[AsyncSession, Clock]]:
    """One transaction: its own when the caller has none, else a savepoint in the caller's."""
    if isinstance(target, UnitOfWork):
        if target.is_open:
            async with target.session.begin_nested():
                yield target.session, target.clock
            return
        async with target:
            yield target.session, target.clock
            await target.commit()
        return
    if target.in_transaction():
        async with target.begin_nested():
            yield target, SystemClock()
        return
    async with target.begin():
        yield target, SystemClock()


def _bar(total: int, unit: str, progress: bool) -> tqdm[NoReturn]:
    return tqdm(total=total, unit=f" {unit}", file=sys.stderr, leave=False,
                disable=not progress or total < QUIET_BELOW)
