"""The scheduler's 联席会议: a unit with items waiting gets its next meeting once, on its level's
rhythm and before the first item's time there runs out."""
from __future__ import annotations

from datetime import timedelta

from domain.agenda import DEFAULT_RULES
from domain.calendar import SHANGHAI
from domain.grids import Level
from handlers import agenda
from scheduler.sweeps import MEETINGS


async def test_a_unit_with_items_waiting_gets_one_meeting_in_time_and_a_rerun_adds_none(
        talk, services, sweeper):
    tree = talk.chat.deps.router.tree
    async with services.uow() as uow:
        leader = (await uow.people.by_channel("test", "grid_leader")).id
        item, _ = await agenda.raise_item(uow, tree, leader, "JJ-01-01", "楼道堆物清理", "…",
                                          services.clock.now())
        await uow.commit()
    assert (await sweeper.sweep(MEETINGS)).acted == 0                # open, not yet waiting
    async with services.uow() as uow:
        await agenda.convene(uow, tree, leader, item.code, services.clock.now())
        await uow.commit()
    report = await sweeper.sweep_all()
    assert report.fired[f"{MEETINGS}:scheduled"] == 1
    assert (await sweeper.sweep(MEETINGS)).acted == 0                # once only
    async with services.uow() as uow:
        meeting = await uow.meetings.scheduled_for("JJ-01-01")
        waiting = await uow.agenda.get(item.code)
    assert (meeting.level, meeting.agenda, meeting.scheduled_by) == (Level.GRID, (item.code,),
                                                                     None)
    local = meeting.at.astimezone(SHANGHAI)
    assert local.hour == 9 and talk.chat.deps.calendar.is_workday(local.date())
    assert services.clock.now() + timedelta(days=2) <= meeting.at \
        < waiting.level_since + DEFAULT_RULES.settle_within


async def test_a_meeting_the_scheduler_sets_is_told_to_the_units_staff_with_its_items(
        talk, services, sweeper):
    from tests.scheduler.conftest import mail

    tree = talk.chat.deps.router.tree
    async with services.uow() as uow:
        leader = (await uow.people.by_channel("test", "grid_leader")).id
        item, _ = await agenda.raise_item(uow, tree, leader, "JJ-01-01", "楼道堆物清理", "…",
                                          services.clock.now())
        await agenda.convene(uow, tree, leader, item.code, services.clock.now())
        await uow.commit()
    assert (await sweeper.sweep(MEETINGS)).fired == {f"{MEETINGS}:scheduled": 1}
    async with services.uow() as uow:
        meeting = await uow.meetings.scheduled_for("JJ-01-01")
    told = [m.text for m in await mail(services, "grid_leader") if meeting.code in m.text]
    assert len(told) == 1 and item.code in told[0] and "网格“一组一会”" in told[0]
    assert meeting.at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") in told[0]
    assert not [m for m in await mail(services, "community") if meeting.code in m.text]
