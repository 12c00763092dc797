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
