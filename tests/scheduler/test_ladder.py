"""The scheduler's 议题上移: an item unsettled at its level for 30 days moves up one level, once."""
from __future__ import annotations

from datetime import timedelta

from domain.agenda import AgendaState
from domain.grids import Level
from handlers import agenda
from scheduler.sweeps import LADDER


async def test_an_unsettled_item_moves_up_once_per_period_and_a_rerun_moves_nothing(
        talk, services, sweeper):
    tree = talk.chat.deps.router.tree
    async with services.uow() as uow:
        leader = (await uow.people.by_channel("test", "grid_leader")).id
        item, _ = await agenda.raise_item(uow, tree, leader, "JJ-01-01", "楼道堆物清理", "…",
                                          services.clock.now())
        await uow.commit()
    assert (await sweeper.sweep(LADDER)).acted == 0                  # not yet its time
    services.clock.advance(timedelta(days=30, minutes=1))
    assert (await sweeper.sweep(LADDER)).fired == {"ladder:moved_up": 1}
    assert (await sweeper.sweep(LADDER)).acted == 0                  # a rerun: once only
    async with services.uow() as uow:
        moved = await uow.agenda.get(item.code)
    assert (moved.scope_code, moved.level, moved.state) == ("JJ-01", Level.COMMUNITY,
                                                            AgendaState.ON_AGENDA)
    services.clock.advance(timedelta(days=30, minutes=1))
    assert (await sweeper.sweep_all()).fired["ladder:moved_up"] == 1  # the community's turn
    async with services.uow() as uow:
        assert (await uow.agenda.get(item.code)).scope_code == "JJ"


async def test_the_ladder_sweep_tells_the_leaders_above_and_the_participants(
        talk, services, sweeper):
    """The scheduler's 上移 is told like a leader's: the community's leader gets the item to
    decide (and why it came), the proposer hears where it went."""
    from tests.scenarios import onboard_resident_at
    from tests.scheduler.conftest import mail

    await onboard_resident_at(talk, "resident", "锦江畔3号楼")
    tree = talk.chat.deps.router.tree
    async with services.uow() as uow:
        resident = (await uow.people.by_channel("test", "resident")).id
        leader = (await uow.people.by_channel("test", "grid_leader")).id
        item, _ = await agenda.propose(uow, tree, resident, "楼道堆物清理", "…",
                                       services.clock.now())
        await agenda.open_discussion(uow, tree, leader, item.code, services.clock.now())
        await uow.commit()
    services.clock.advance(timedelta(days=30, minutes=1))
    before = len(await mail(services, "community"))
    assert (await sweeper.sweep(LADDER)).fired == {"ladder:moved_up": 1}
    [reached] = (await mail(services, "community"))[before:]
    assert item.code in reached.text and "在锦江畔小区超过时限未决" in reached.text
    assert "决议" in [choice.label for choice in reached.choices]
    assert "已上移至江畔社区议程" in (await mail(services, "resident"))[-1].text
