"""The demo's own data: the sample district and its staff, waiting in browser panes.

Every holder the demo routes to has a pane: the leader of 锦江畔3号楼 for what lands in the
building, and the street's dispatcher for what a department or the street holds (a quick
category such as a loose manhole cover goes there).
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from handlers import agenda, texts
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
DEMO_AGENDA_GRID = "JJ-01-01"     # 锦江畔小区: its 议题 in 商议 waits for the demo's resident
DEMO_SUPPORTS = 6
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
        await seed_agenda(uow)
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


async def seed_agenda(uow: UnitOfWork) -> str | None:
    """One 议题 in 商议 at 锦江畔小区, unless it has one: a neighbour proposed it three days
    ago, the grid's leader opened it, some neighbours support it and a few commented. Made by
    the use cases; nobody is told (the demo's panes open empty). Returns its number."""
    tree = await uow.grids.tree()
    if DEMO_AGENDA_GRID not in tree or await uow.agenda.in_scopes([DEMO_AGENDA_GRID], limit=1):
        return None
    leader = await uow.memberships.leader_of(DEMO_AGENDA_GRID)
    if leader is None:
        raise DemoSeedError(f"the sample data has no leader for {DEMO_AGENDA_GRID}")
    homes = [grid.code for grid in tree.children(DEMO_AGENDA_GRID)] or [DEMO_AGENDA_GRID]
    at = uow.clock.now() - timedelta(days=3)
    neighbours = []
    for n in range(DEMO_SUPPORTS + 1):
        person = await uow.people.upsert(Person(
            name=texts.DEMO_NEIGHBOUR.format(n=n + 1), kind="resident",
            home_grid=homes[n % len(homes)], consent_at=at))
        assert person.id is not None   # just written
        neighbours.append(person.id)
    proposer, *supporters = neighbours
    item, _ = await agenda.propose(uow, tree, proposer, texts.DEMO_AGENDA_TITLE,
                                   texts.DEMO_AGENDA_BODY, at)
    at += timedelta(hours=2)
    await agenda.open_discussion(uow, tree, leader, item.code, at)
    for n, person_id in enumerate(supporters):
        at += timedelta(hours=5)
        await agenda.support(uow, tree, person_id, item.code, at)
        if n < len(texts.DEMO_AGENDA_COMMENTS):
            await agenda.comment(uow, tree, person_id, item.code,
                                 texts.DEMO_AGENDA_COMMENTS[n], at + timedelta(minutes=7))
    return item.code
