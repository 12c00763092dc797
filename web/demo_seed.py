"""The demo's own data: the sample district and its staff, waiting in browser panes.

Every holder the demo routes to has a pane: the leader of 锦江畔3号楼 for what lands in the
building, and the street's dispatcher for what a department or the street holds (a quick
category such as a loose manhole cover goes there).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from storage.importer import import_grids, import_people
from storage.records import Person, Role
from storage.uow import UnitOfWork
from web.mailbox import WEB

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_DISTRICT = SAMPLE_DIR / "sample_district.geojson"
SAMPLE_PEOPLE = SAMPLE_DIR / "sample_people.csv"
DEMO_SESSIONS = {"resident": "resident-demo", "rider": "rider-demo", "leader": "leader-demo",
                 "dispatcher": "dispatcher-demo"}
DEMO_MICRO_GRID = "JJ-01-01-03"   # 锦江畔3号楼
DEMO_STREET = "JJ"
# The operator of the demo: the street's dispatcher, who holds what no grid holds.
DEMO_OPERATOR = "P0001"


class SeedServices(Protocol):
    def uow(self) -> UnitOfWork: ...


class DemoSeedError(RuntimeError):
    """The sample data lacks what the demo needs."""


async def seed_demo(services: SeedServices, district: Path = SAMPLE_DISTRICT,
                    people: Path = SAMPLE_PEOPLE) -> dict[str, Any]:
    """Import the sample district (idempotent) and bind the staff panes to their people.

    Returns what the page needs: the panes' session ids, who the leader and the dispatcher are.
    """
    async with services.uow() as uow:
        await import_grids(uow, district, progress=False)
        await import_people(uow, people, progress=False)
        leader_id = await uow.memberships.leader_of(DEMO_MICRO_GRID)
        grid, street = await uow.grids.get(DEMO_MICRO_GRID), await uow.grids.get(DEMO_STREET)
        leader = await uow.people.get(leader_id) if leader_id is not None else None
        posts = await uow.memberships.of_grid(DEMO_STREET, Role.DISPATCHER)
        dispatcher = await uow.people.get(posts[0].person_id) if posts else None
        if grid is None or leader is None or street is None or dispatcher is None:
            raise DemoSeedError(f"the sample data has no leader for {DEMO_MICRO_GRID} "
                                f"or no dispatcher for {DEMO_STREET}")
        await _bind(uow, leader, DEMO_SESSIONS["leader"])
        await _bind(uow, dispatcher, DEMO_SESSIONS["dispatcher"])
        await uow.commit()
    return {"sessions": dict(DEMO_SESSIONS),
            "leader": {"name": leader.name, "grid": grid.name, "grid_code": grid.code,
                       "duty": leader.duty},
            "dispatcher": {"name": dispatcher.name, "grid": street.name,
                           "grid_code": street.code, "duty": dispatcher.duty}}


async def _bind(uow: UnitOfWork, person: Person, session: str) -> None:
    """The person answers in the pane `session`, consent given (the demo's staff are ours)."""
    assert person.id is not None   # read from the database
    await uow.people.link(person.id, WEB, session)
    if person.consent_at is None:
        person.consent_at = uow.clock.now()
        await uow.people.upsert(person)
