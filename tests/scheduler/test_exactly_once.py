"""Two scheduler processes on one database act exactly once: each reminder, 督办 and escalation."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.services import build_chat, open_services
from handlers.use_cases import Draft, file_order
from handlers.work import Work
from scheduler.settings import ClockSettings
from scheduler.sweeps import Sweeper
from storage.clock import FixedClock
from storage.importer import import_grids, import_people
from storage.tables import EventRow, OutboxRow
from tests.handlers.conftest import MONDAY_10, CoreTalk, bind_staff
from tests.scenarios import onboard_resident

ORDERS = 12
SMALL = ClockSettings(batch=3, plan_batch=4)   # many small batches: the two processes interleave


async def _district_with_orders(url: str, clock: FixedClock):
    services = await open_services(Settings(database_url=url), clock=clock)
    async with services.uow() as uow:
        await import_grids(uow, SAMPLE_DISTRICT, progress=False)
        await import_people(uow, SAMPLE_PEOPLE, progress=False)
        await uow.commit()
    chat = await build_chat(services)
    talk = CoreTalk(chat, clock)
    await bind_staff(services, talk)
    await onboard_resident(talk, "resident")
    async with services.uow() as uow:
        resident = await uow.people.by_channel("test", "resident")
        work = Work(uow, chat.deps)
        codes = [(await file_order(work, resident.id, Draft(
            "H01", f"垃圾没清运 {i}", grid="JJ-01-01-03"))).code for i in range(ORDERS)]
        await work.flush()
        await uow.commit()
    return services, chat.deps, codes


async def _both_sweep(first: Sweeper, second: Sweeper):
    return await asyncio.gather(first.sweep_all(), second.sweep_all())


async def test_two_schedulers_on_one_database_remind_and_escalate_exactly_once(db_url):
    clock = FixedClock(MONDAY_10)
    services, deps, codes = await _district_with_orders(db_url, clock)
    other = await open_services(Settings(database_url=db_url), clock=clock, migrate=False)
    try:
        other_deps = (await build_chat(other)).deps
        one, two = Sweeper(deps, SMALL), Sweeper(other_deps, SMALL)

        clock.advance(timedelta(hours=1, minutes=40))        # past 80 % of the sign limit
        reports = await _both_sweep(one, two)
        assert sum(r.fired["sign:0.8"] for r in reports) == ORDERS
        clock.advance(timedelta(days=8))                     # long overdue
        reports = await _both_sweep(one, two)
        assert sum(r.fired["overdue:supervise"] for r in reports) == ORDERS
        assert sum(r.acted for r in reports) == ORDERS and not any(r.failed for r in reports)

        async with services.uow() as uow:
            events = Counter((row.order_code, row.kind) for row in (await uow.session.execute(
                select(EventRow).where(EventRow.kind.in_(
                    ["reminded", "supervised", "escalated"])))).scalars())
            texts = Counter((row.address, row.payload["text"]) for row in (
                await uow.session.execute(select(OutboxRow))).scalars())
        for code in codes:
            for kind in ("reminded", "supervised", "escalated"):
                assert events[code, kind] == 1, (code, kind, events)
        reminders = [n for (to, text), n in texts.items() if to == "leader" and "80%" in text]
        supervised = [n for (to, text), n in texts.items() if to == "leader" and "督办" in text]
        upward = [n for (to, text), n in texts.items()
                  if to == "grid_leader" and text.startswith("🔴 督办")]
        assert reminders == [1] * ORDERS and supervised == [1] * ORDERS
        assert upward == [1] * ORDERS
    finally:
        await other.close()
        await services.close()
