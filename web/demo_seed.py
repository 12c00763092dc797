"""The demo's own data: the sample district and its staff, and a leader waiting in a browser pane."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from storage.importer import import_grids, import_people
from storage.uow import UnitOfWork
from web.mailbox import WEB

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_DISTRICT = SAMPLE_DIR / "sample_district.geojson"
SAMPLE_PEOPLE = SAMPLE_DIR / "sample_people.csv"
DEMO_SESSIONS = {"resident": "resident-demo", "rider": "rider-demo", "leader": "leader-demo"}
DEMO_MICRO_GRID = "JJ-01-01-03"   # 锦江畔3号楼


class SeedServices(Protocol):
    def uow(self) -> UnitOfWork: ...


class DemoSeedError(RuntimeError):
    """The sample data lacks what the demo needs."""


async def seed_demo(services: SeedServices, district: Path = SAMPLE_DISTRICT,
                    people: Path = SAMPLE_PEOPLE) -> dict[str, Any]:
    """Import the sample district (idempotent) and bind the leader pane to 锦江畔3号楼's leader.

    Returns what the page needs: the three panes' session ids and who the leader is.
    """
    async with services.uow() as uow:
        await import_grids(uow, district, progress=False)
        await import_people(uow, people, progress=False)
        leader_id = await uow.memberships.leader_of(DEMO_MICRO_GRID)
        grid = await uow.grids.get(DEMO_MICRO_GRID)
        leader = await uow.people.get(leader_id) if leader_id is not None else None
        if grid is None or leader is None:
            raise DemoSeedError(f"the sample data has no leader for {DEMO_MICRO_GRID}")
        await uow.people.link(leader.id, WEB, DEMO_SESSIONS["leader"])
        if leader.consent_at is None:
            leader.consent_at = uow.clock.now()
            await uow.people.upsert(leader)
        await uow.commit()
    return {"sessions": dict(DEMO_SESSIONS),
            "leader": {"name": leader.name, "grid": grid.name, "grid_code": grid.code,
                       "duty": leader.duty}}
