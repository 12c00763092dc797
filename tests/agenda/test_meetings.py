"""Joint meetings' use cases: a community's meeting takes up what reached it, records who came,
its minutes and a decision per item through the item's own rules; only its leaders act."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.agenda import AgendaState
from domain.meetings import MeetingState, Outcome
from domain.refusals import DomainError, Refusal
from handlers import agenda, meetings
from tests.agenda.test_use_cases import TREE, People, district


async def tabled(uow, p: People, title: str = "小区门口加装充电桩") -> str:
    """The grid leader's item, moved up to the community's agenda (beyond the grid's power)."""
    now = uow.clock.now()
    async with uow:
        item, _ = await agenda.raise_item(uow, TREE, p.leader, "JJ-01-01", title, "…", now)
        await agenda.move_up(uow, TREE, p.leader, item.code, "需社区协调场地", now)
        await uow.commit()
    return item.code


async def held(uow, p: People) -> tuple[str, list[str]]:
    codes = [await tabled(uow, p), await tabled(uow, p, "楼道堆物清理")]
    now = uow.clock.now()
    async with uow:
        meeting, _ = await meetings.schedule(uow, TREE, p.dispatcher, "JJ-01",
                                             now + timedelta(days=3), now)
        await meetings.convene(uow, TREE, p.dispatcher, meeting.code, now + timedelta(days=3))
        await uow.commit()
    return meeting.code, codes


async def test_a_community_meeting_decides_an_item_with_an_owner_and_a_deadline(uow):
    p = await district(uow)
    code, (first, second) = await held(uow, p)
    now = uow.clock.now()
    async with uow:
        came = await meetings.record_attendance(uow, TREE, p.dispatcher, code,
                                                [p.leader, p.neighbours[0], p.leader], now)
        await meetings.record_minutes(uow, TREE, p.dispatcher, code,
                                      "议定由物业加装充电桩，联系人13812345678", now)
        with pytest.raises(DomainError) as stranger:          # an owner from outside the unit
            await meetings.decide(uow, TREE, p.dispatcher, code, first, "社区协调物业加装",
                                  p.owner, now + timedelta(days=60), ("选址", "施工"), now)
        taken, decided = await meetings.decide(uow, TREE, p.dispatcher, code, first,
                                               "社区协调物业加装", p.leader,
                                               now + timedelta(days=60), ("选址", "施工"), now)
        closed = await meetings.close(uow, TREE, p.dispatcher, code, now)
        await uow.commit()
    assert [e.actor_id for e in came] == [p.leader, p.neighbours[0]]
    assert stranger.value.key == "MEETING_NO_SUCH_OWNER"
    assert taken[0].data == {"item": first, "outcome": "decided"}
    assert [e.kind for e in decided] == ["decided"]
    assert closed[0].data["deferred"] == [second]
    async with uow:
        item = await uow.agenda.get(first)
        meeting = await uow.meetings.get(code)
        waiting = await uow.agenda.get(second)
    assert (item.state, item.owner_id, item.tasks) == (AgendaState.DECIDED, p.leader,
                                                       ("选址", "施工"))
    assert (meeting.state, meeting.outcomes) == (MeetingState.CLOSED, {first: Outcome.DECIDED})
    assert "13812345678" not in meeting.minutes            # minutes are scrubbed
    assert waiting.state is AgendaState.ON_AGENDA          # it waits for the next meeting


async def test_a_decision_keeps_the_items_own_rules_and_a_refusal_records_nothing(uow):
    p = await district(uow)
    code, (first, _) = await held(uow, p)
    now = uow.clock.now()
    async with uow:
        with pytest.raises(DomainError) as incomplete:      # 定人定责定时限: no task
            await meetings.decide(uow, TREE, p.dispatcher, code, first, "加装", p.leader,
                                  now + timedelta(days=60), (), now)
    async with uow:
        assert (await uow.meetings.get(code)).outcomes == {}
        assert (await uow.agenda.get(first)).state is AgendaState.ON_AGENDA
        await meetings.decline(uow, TREE, p.dispatcher, code, first, "场地不足", now)
        with pytest.raises(DomainError) as twice:
            await meetings.decline(uow, TREE, p.dispatcher, code, first, "再议", now)
        await uow.commit()
    assert incomplete.value.key == Refusal.AGENDA_DECISION_INCOMPLETE
    assert twice.value.key == Refusal.MEETING_ALREADY_TAKEN
    async with uow:
        assert (await uow.agenda.get(first)).state is AgendaState.DECLINED


async def test_only_a_leader_of_the_unit_or_above_schedules_and_runs_its_meeting(uow):
    p = await district(uow)
    await tabled(uow, p)
    now = uow.clock.now()
    async with uow:
        with pytest.raises(DomainError) as grid_leader:      # below the community
            await meetings.schedule(uow, TREE, p.leader, "JJ-01", now + timedelta(days=3), now)
        meeting, _ = await meetings.schedule(uow, TREE, p.dispatcher, "JJ-01",
                                             now + timedelta(days=3), now)
        with pytest.raises(DomainError) as second:
            await meetings.schedule(uow, TREE, p.dispatcher, "JJ-01", now + timedelta(days=5),
                                    now)
        with pytest.raises(DomainError) as convene:
            await meetings.convene(uow, TREE, p.neighbours[0], meeting.code, now)
        await meetings.convene(uow, TREE, p.dispatcher, meeting.code, now)
        with pytest.raises(DomainError) as outsider:          # staff with no post around it
            await meetings.record_attendance(uow, TREE, p.dispatcher, meeting.code,
                                             [p.owner], now)
        with pytest.raises(DomainError) as unknown:
            await meetings.close(uow, TREE, p.dispatcher, "HY-20000101-0001", now)
    assert [e.value.key for e in (grid_leader, second, convene, outsider, unknown)] == [
        "AGENDA_NOT_ALLOWED", "MEETING_PENDING", "AGENDA_NOT_ALLOWED", "MEETING_NOT_INVITED",
        "MEETING_UNKNOWN"]


async def test_the_scheduler_gives_each_unit_with_items_waiting_its_next_meeting_once(uow):
    p = await district(uow)
    await tabled(uow, p)
    now = uow.clock.now()
    for sweep in range(2):
        async with uow:
            scheduled = await meetings.sweep_meetings(uow, TREE, now)
            await uow.commit()
        assert [e.data["unit"] for e in scheduled] == (["JJ-01"] if sweep == 0 else [])
    async with uow:
        meeting = await uow.meetings.scheduled_for("JJ-01")
        assert meeting.scheduled_by is None and len(meeting.agenda) == 1
        assert now + timedelta(days=2) <= meeting.at <= now + timedelta(days=30)
