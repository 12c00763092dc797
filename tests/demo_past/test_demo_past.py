"""`gridbot demo` opens on three weeks of the sample district's history, made by the use cases."""
from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.config import Settings
from bot.services import build_chat, open_services
from domain.orders import State
from handlers import use_cases
from handlers.work import Work
from storage.clock import FixedClock
from storage.records import Person
from storage.tables import EventRow, OutboxRow, WorkOrderRow
from web.demo_past import seed_past

LEADER_GRID = "JJ-01-01-03"
START = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


async def _play(services, media_dir):
    deps = (await build_chat(services)).deps
    now = services.clock.now()
    filed = await seed_past(services.sessions, deps, now, media_dir)
    return deps, now, filed


async def _orders(services) -> list[tuple]:
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(WorkOrderRow.code, WorkOrderRow.state, WorkOrderRow.category,
                   WorkOrderRow.returns, WorkOrderRow.escalations, WorkOrderRow.reopens,
                   WorkOrderRow.satisfaction, WorkOrderRow.created_at)
            .order_by(WorkOrderRow.code))
        return [tuple(row) for row in rows]


async def test_after_seeding_every_state_has_an_order_and_the_wall_shows_after_photos(web):
    _, now, filed = await _play(web.services, web.media_dir)
    orders = await _orders(web.services)
    assert len(orders) == filed >= 40
    states = Counter(row[1] for row in orders)
    assert {state.value for state in State} <= set(states), states
    assert sum(r[3] for r in orders) and sum(r[4] for r in orders) and sum(r[5] for r in orders)
    assert sum(1 for r in orders if r[6]) >= 20                       # rated
    assert min(r[7] for r in orders) < now - timedelta(days=14)       # a few weeks of it
    async with web.services.uow() as uow:
        latest = (await uow.session.execute(select(func.max(EventRow.at)))).scalar_one()
        waiting = (await uow.session.execute(
            select(WorkOrderRow.sign_due, WorkOrderRow.resolve_due, WorkOrderRow.state)
            .where(WorkOrderRow.state.in_(["submitted", "dispatched", "accepted"])))).all()
    assert latest <= now                                              # nothing in the future
    assert all(resolve_by is None or resolve_by > now for _, resolve_by, _ in waiting)
    assert all(sign_by > now for sign_by, _, state in waiting if state != "accepted")
    wall = (await web.client.get("/api/echo-wall.json")).json()
    entries = wall["entries"] if isinstance(wall, dict) else wall
    assert len(entries) >= 20
    assert any(entry.get("photo") for entry in entries)
    page = await web.client.get("/echo-wall")
    assert page.status_code == 200 and entries[0]["code"] in page.text


async def test_the_past_tells_nobody_and_a_live_report_gets_a_fresh_code_and_its_leader(
        web, point_in_leader_grid):
    deps, _, _ = await _play(web.services, web.media_dir)
    async with web.services.uow() as uow:
        assert (await uow.session.execute(select(func.count()).select_from(OutboxRow))
                ).scalar_one() == 0
    assert await web.messages("leader-demo") == []                # the panes open empty
    history = {row[0] for row in await _orders(web.services)}
    lat, lng = point_in_leader_grid
    async with web.services.uow() as uow:
        resident = await uow.people.upsert(Person(name="新居民", kind="resident"))
        work = Work(uow, deps)
        order = await use_cases.file_order(work, resident.id, use_cases.Draft(
            category="H01", description="楼下垃圾没人清运", lat=lat, lng=lng, grid=LEADER_GRID))
        await work.flush()
        await uow.commit()
        leader = await uow.memberships.leader_of(LEADER_GRID)
    today = sorted(code for code in history if code[:11] == order.code[:11])
    assert order.code not in history
    assert not today or order.code > today[-1]                    # numbered after the past
    assert order.assignee_id == leader
    assert any(order.code in message.get("text", "") for message in
               await web.messages("leader-demo"))


async def test_the_past_is_the_same_on_every_start(seeded_database, tmp_path):
    template, _ = seeded_database
    made = []
    for n in (1, 2):
        path = tmp_path / f"{n}.db"
        shutil.copyfile(template, path)
        services = await open_services(Settings(database_url=f"sqlite:///{path}"),
                                       clock=FixedClock(START), migrate=False)
        try:
            await _play(services, tmp_path / f"media{n}")
            made.append([row[:6] for row in await _orders(services)])
            assert (await _play(services, tmp_path / f"media{n}"))[2] == 0   # --no-fresh: none
            assert [row[:6] for row in await _orders(services)] == made[-1]
        finally:
            await services.close()
    assert made[0] == made[1]
