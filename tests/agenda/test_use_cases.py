"""议事 use cases: who may do what, and a matter's way from a proposal to the residents' rating."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.agenda import AgendaState
from domain.grids import Grid, GridTree, Level
from domain.orders import Satisfaction, Urgency, WorkOrder
from domain.refusals import DomainError
from handlers import agenda
from storage.records import Person

TREE = GridTree([Grid("JJ", "锦江街道", Level.STREET),
                 Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
                 Grid("JJ-01-01", "第一网格", Level.GRID, "JJ-01"),
                 Grid("JJ-01-02", "第二网格", Level.GRID, "JJ-01"),
                 Grid("JJ-01-01-01", "一号微网格", Level.MICRO_GRID, "JJ-01-01")])


class People:
    proposer: int
    outsider: int
    leader: int
    dispatcher: int
    owner: int
    neighbours: list[int]


async def district(uow) -> People:
    p = People()
    async with uow:
        await uow.grids.upsert(list(TREE))

        async def person(name, home=None, kind="resident"):
            return (await uow.people.upsert(Person(name=name, kind=kind, home_grid=home))).id
        p.proposer = await person("提议人", "JJ-01-01-01")
        p.outsider = await person("邻网格居民", "JJ-01-02")
        p.neighbours = [await person(f"邻居{i}", "JJ-01-01") for i in range(10)]
        p.leader = await person("网格长", kind="staff")
        p.dispatcher = await person("社区书记", kind="staff")
        p.owner = await person("物业经理", kind="staff")
        await uow.memberships.add(p.leader, "JJ-01-01", "leader")
        await uow.memberships.add(p.dispatcher, "JJ-01", "dispatcher")
        await uow.commit()
    return p


async def test_a_proposal_goes_from_ten_supports_to_the_communitys_decision_and_a_rating(uow):
    p = await district(uow)
    now = uow.clock.now()
    async with uow:
        item, events = await agenda.propose(uow, TREE, p.proposer, "小区门口加装充电桩",
                                            "电动车飞线充电，联系我13812345678", now)
        await uow.commit()
    assert (item.scope_code, item.level, events[0].to_state) == (
        "JJ-01-01", Level.GRID, AgendaState.PROPOSED)
    assert "13812345678" not in item.body          # what the neighbours read is scrubbed
    async with uow:
        await agenda.open_discussion(uow, TREE, p.leader, item.code, now)
        await agenda.comment(uow, TREE, p.neighbours[0], item.code, "支持！", now)
        said = []
        for neighbour in p.neighbours:
            said += await agenda.support(uow, TREE, neighbour, item.code, now)
        await uow.commit()
    assert [e.kind for e in said][-2:] == ["supported", "scheduled"]   # the tenth +1
    async with uow:
        [moved] = await agenda.move_up(uow, TREE, p.leader, item.code, "需社区协调场地", now)
        with pytest.raises(DomainError) as grid_leader:     # the grid's leader is below it now
            await agenda.decide(uow, TREE, p.leader, item.code, "加装", p.owner,
                                now + timedelta(days=60), ("选址",), now)
        await agenda.decide(uow, TREE, p.dispatcher, item.code, "社区协调物业加装", p.owner,
                            now + timedelta(days=60), ("选址", "施工"), now)
        await agenda.report_progress(uow, p.owner, item.code, 100, "已投用", now)
        await agenda.rate(uow, TREE, p.neighbours[3], item.code, Satisfaction.SATISFIED, now)
        await agenda.close(uow, item.code, now + timedelta(days=7))
        await uow.commit()
    assert moved.data["to"] == "JJ-01" and grid_leader.value.key == "AGENDA_NOT_ALLOWED"
    async with uow:
        done = await uow.agenda.get(item.code)
        assert (done.state, done.level, done.owner_id) == (AgendaState.CLOSED, Level.COMMUNITY,
                                                           p.owner)
        assert len(done.supporters) == 10 and done.ratings == {
            p.neighbours[3]: Satisfaction.SATISFIED}


async def test_only_residents_of_the_scope_support_comment_and_rate(uow):
    p = await district(uow)
    now = uow.clock.now()
    async with uow:
        item, _ = await agenda.raise_item(uow, TREE, p.leader, "JJ-01-01", "楼道堆物清理", "…", now)
        for act in (agenda.support(uow, TREE, p.outsider, item.code, now),
                    agenda.comment(uow, TREE, p.outsider, item.code, "我也说两句", now)):
            with pytest.raises(DomainError) as refused:
                await act
            assert refused.value.key == "AGENDA_NOT_ALLOWED"
        with pytest.raises(DomainError) as stranger:
            await agenda.raise_item(uow, TREE, p.leader, "JJ-01-02", "不是我的网格", "…", now)
        assert stranger.value.key == "AGENDA_NOT_ALLOWED"
        with pytest.raises(DomainError) as unknown:
            await agenda.support(uow, TREE, p.neighbours[0], "YT-20260101-0001", now)
        assert unknown.value.key == "AGENDA_UNKNOWN"


async def test_a_leader_lifts_orders_into_an_item_and_the_orders_point_to_it(uow):
    p = await district(uow)
    now = uow.clock.now()
    mine = WorkOrder("WG-20261123-0001", "市政设施/路灯", Urgency.NORMAL, p.proposer, "整条路路灯不亮",
                     now, grid_code="JJ-01-01-01")
    theirs = WorkOrder("WG-20261123-0002", "市政设施/路灯", Urgency.NORMAL, p.outsider, "路灯不亮",
                       now, grid_code="JJ-01-02")
    async with uow:
        await uow.orders.add(mine)
        await uow.orders.add(theirs)
        with pytest.raises(DomainError):
            await agenda.lift_orders(uow, TREE, p.leader, [mine.code, theirs.code], "路灯改造",
                                     "…", now)
        item, events, marks = await agenda.lift_orders(uow, TREE, p.leader, [mine.code],
                                                       "路灯改造", "多次报修仍不亮，需整体改造", now)
        await uow.commit()
    assert (item.scope_code, item.state, events[0].data["orders"]) == (
        "JJ-01-01", AgendaState.OPEN, [mine.code])
    assert [(m.order_code, m.kind) for m in marks] == [(mine.code, "lifted")]
    async with uow:
        assert await uow.agenda.lifted_into(mine.code) == item.code
        assert [e.data["agenda"] for e in await uow.events.for_order(mine.code)
                if e.kind == "lifted"] == [item.code]
        assert await uow.agenda.lifted_into(theirs.code) is None


async def test_the_scheduler_moves_an_unsettled_item_up_once_after_thirty_days(uow):
    p = await district(uow)
    now = uow.clock.now()
    async with uow:
        item, _ = await agenda.propose(uow, TREE, p.proposer, "增设快递柜", "…", now)
        await uow.commit()
    later = now + timedelta(days=30)
    for sweep in range(2):
        async with uow:
            moved = await agenda.sweep_ladder(uow, TREE, later)
            await uow.commit()
        assert [e.data["to"] for e in moved] == (["JJ-01"] if sweep == 0 else [])
    async with uow:
        assert (await uow.agenda.get(item.code)).state is AgendaState.ON_AGENDA
