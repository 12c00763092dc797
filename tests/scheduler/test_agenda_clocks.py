"""The scheduler's clocks on a decided 议题: 监督 at 80 % of the time, 督办 when the deadline
passes, and the end of 评议 when the rating window runs out — each once, each told."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.services import build_chat, open_services
from domain.agenda import AgendaState
from handlers import agenda
from scheduler.settings import ClockSettings
from scheduler.sweeps import AGENDA, Sweeper
from storage.agenda_tables import AgendaEventRow
from storage.clock import FixedClock
from storage.importer import import_grids, import_people
from storage.tables import OutboxRow
from tests.handlers.conftest import MONDAY_10, CoreTalk, bind_staff
from tests.scheduler.conftest import mail

DEADLINE = timedelta(days=10)


async def _decided(talk, services) -> tuple[str, int]:
    """A grid leader's item on the grid's agenda, decided with the micro-grid leader as owner
    and ten days to do it."""
    tree, now = talk.chat.deps.router.tree, services.clock.now()
    async with services.uow() as uow:
        grid_leader = (await uow.people.by_channel("test", "grid_leader")).id
        owner = (await uow.people.by_channel("test", "leader")).id
        item, _ = await agenda.raise_item(uow, tree, grid_leader, "JJ-01-01", "楼道堆物清理",
                                          "…", now)
        await agenda.convene(uow, tree, grid_leader, item.code, now)
        await agenda.decide(uow, tree, grid_leader, item.code, "清理并加装监控", owner,
                            now + DEADLINE, ("清理", "加装监控"), now)
        await uow.commit()
    return item.code, owner


async def test_the_owner_is_reminded_once_then_supervised_once_with_the_leaders(
        talk, services, sweeper):
    code, _ = await _decided(talk, services)
    assert (await sweeper.sweep(AGENDA)).acted == 0                  # nothing due yet
    services.clock.advance(timedelta(days=7, hours=23))
    assert (await sweeper.sweep(AGENDA)).acted == 0                  # before 80 %
    services.clock.advance(timedelta(hours=1, minutes=1))
    assert (await sweeper.sweep(AGENDA)).fired == {"agenda:reminded": 1}
    assert (await sweeper.sweep_all()).fired[f"{AGENDA}:reminded"] == 0   # once only
    [reminder] = [m for m in await mail(services, "leader") if code in m.text]
    assert reminder.text.startswith("⏰") and "当前进度 0%" in reminder.text
    assert "报告进展" in [choice.label for choice in reminder.choices]

    services.clock.advance(timedelta(days=2))                        # past the deadline
    assert (await sweeper.sweep(AGENDA)).fired == {"agenda:supervised": 1}
    assert (await sweeper.sweep(AGENDA)).acted == 0
    services.clock.advance(timedelta(days=30))
    assert (await sweeper.sweep_all()).fired[f"{AGENDA}:supervised"] == 0
    owner_told = [m for m in await mail(services, "leader") if "督办" in m.text]
    leaders_told = [m for m in await mail(services, "grid_leader") if "督办" in m.text]
    assert len(owner_told) == 1 and len(leaders_told) == 1
    assert code in leaders_told[0].text and "已超过完成时限" in leaders_told[0].text
    async with services.uow() as uow:
        kinds = [e.kind for e in await uow.agenda.history(code)]
        assert (await uow.agenda.get(code)).state is AgendaState.DECIDED   # a remark only
    assert (kinds.count("reminded"), kinds.count("supervised")) == (1, 1)


async def test_a_sweep_that_comes_late_supervises_without_a_stale_reminder(
        talk, services, sweeper):
    code, _ = await _decided(talk, services)
    services.clock.advance(DEADLINE + timedelta(hours=1))
    assert (await sweeper.sweep(AGENDA)).fired == {"agenda:supervised": 1}
    told = [m.text for m in await mail(services, "leader") if code in m.text]
    assert told and not [text for text in told if text.startswith("⏰")]


async def test_an_item_carried_out_in_time_is_never_reminded_nor_supervised(
        talk, services, sweeper):
    code, owner = await _decided(talk, services)
    async with services.uow() as uow:
        await agenda.report_progress(uow, owner, code, 100, "已清理完毕", services.clock.now())
        await uow.commit()
    services.clock.advance(DEADLINE + timedelta(days=1))             # past the old deadline
    assert (await sweeper.sweep(AGENDA)).fired == {"agenda:closed": 1}   # 7 days of 评议
    assert not [m for m in await mail(services, "leader") if code in m.text and (
        m.text.startswith("⏰") or "督办" in m.text)]


async def test_judging_ends_when_the_rating_window_runs_out_and_the_proposer_is_told(
        talk, services, sweeper):
    code, owner = await _decided(talk, services)
    rules = talk.chat.deps.agenda_rules
    async with services.uow() as uow:
        await agenda.report_progress(uow, owner, code, 100, "已清理完毕", services.clock.now())
        await uow.commit()
    services.clock.advance(rules.rating_window - timedelta(minutes=1))
    assert (await sweeper.sweep(AGENDA)).acted == 0                  # still judging
    services.clock.advance(timedelta(minutes=2))
    assert (await sweeper.sweep(AGENDA)).fired == {"agenda:closed": 1}
    assert (await sweeper.sweep_all()).fired[f"{AGENDA}:closed"] == 0
    async with services.uow() as uow:
        item = await uow.agenda.get(code)
    assert item.state is AgendaState.CLOSED and item.closed_at == services.clock.now()
    closing = [m for m in await mail(services, "grid_leader") if "评议结束" in m.text]
    assert len(closing) == 1 and code in closing[0].text and "0 人评议" in closing[0].text


ITEMS = 9


async def test_two_schedulers_on_one_database_remind_supervise_and_close_exactly_once(db_url):
    clock = FixedClock(MONDAY_10)
    services = await open_services(Settings(database_url=db_url), clock=clock)
    async with services.uow() as uow:
        await import_grids(uow, SAMPLE_DISTRICT, progress=False)
        await import_people(uow, SAMPLE_PEOPLE, progress=False)
        await uow.commit()
    chat = await build_chat(services)
    await bind_staff(services, CoreTalk(chat, clock))
    other = await open_services(Settings(database_url=db_url), clock=clock, migrate=False)
    try:
        tree, now = chat.deps.router.tree, clock.now()
        async with services.uow() as uow:
            grid_leader = (await uow.people.by_channel("test", "grid_leader")).id
            owner = (await uow.people.by_channel("test", "leader")).id
            codes = []
            for i in range(ITEMS):
                item, _ = await agenda.raise_item(uow, tree, grid_leader, "JJ-01-01",
                                                  f"议题 {i}", "…", now)
                await agenda.convene(uow, tree, grid_leader, item.code, now)
                await agenda.decide(uow, tree, grid_leader, item.code, "办", owner,
                                    now + DEADLINE, ("办",), now)
                codes.append(item.code)
            await uow.commit()
        small = ClockSettings(batch=2, plan_batch=2)   # small batches: the two interleave
        one = Sweeper(chat.deps, small)
        two = Sweeper((await build_chat(other)).deps, small)

        async def both() -> Counter[str]:
            reports = await asyncio.gather(one.sweep(AGENDA), two.sweep(AGENDA))
            assert not any(r.failed for r in reports)
            return reports[0].fired + reports[1].fired

        clock.advance(DEADLINE * 0.8 + timedelta(minutes=1))
        assert await both() == {"agenda:reminded": ITEMS}
        clock.advance(DEADLINE)
        assert await both() == {"agenda:supervised": ITEMS}
        async with services.uow() as uow:
            for code in codes:
                await agenda.report_progress(uow, owner, code, 100, "完成", clock.now())
            await uow.commit()
        clock.advance(chat.deps.agenda_rules.rating_window + timedelta(minutes=1))
        assert await both() == {"agenda:closed": ITEMS}
        assert await both() == {}

        async with services.uow() as uow:
            events = Counter(row.kind for row in (await uow.session.execute(
                select(AgendaEventRow).where(AgendaEventRow.kind.in_(
                    ["reminded", "supervised", "closed"])))).scalars())
            told = Counter(row.payload["text"] for row in (await uow.session.execute(
                select(OutboxRow).where(OutboxRow.address == "grid_leader"))).scalars())
        assert events == {"reminded": ITEMS, "supervised": ITEMS, "closed": ITEMS}
        assert sorted(n for text, n in told.items() if "督办" in text) == [1] * ITEMS
        assert sorted(n for text, n in told.items() if "评议结束" in text) == [1] * ITEMS
    finally:
        await other.close()
        await services.close()
