"""Joint meetings survive the database: agenda, outcomes, attendees and record; one meeting
still to be held per unit; events keep their facts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domain import agenda, meetings
from domain.agenda import AgendaItem, AgendaState, Origin
from domain.grids import Grid, Level
from domain.meetings import MeetingState, Outcome
from storage.records import Person
from storage.repositories.meetings import StaleMeeting
from storage.uow import UnitOfWork

COMMUNITY = Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ")


async def _people(uow: UnitOfWork, count: int = 3) -> list[int]:
    async with uow:
        ids = [(await uow.people.upsert(Person(name=f"人{i}", kind="resident"))).id
               for i in range(count)]
        await uow.commit()
    return ids


async def _waiting(uow: UnitOfWork, leader: int, scope: str = "JJ-01",
                   codes=("YT-20261123-0001", "YT-20261123-0002")) -> list[AgendaItem]:
    """Leaders' items tabled at `scope`, one minute apart."""
    now, items = uow.clock.now(), []
    async with uow:
        for n, code in enumerate(codes):
            at = now - timedelta(days=5) + timedelta(minutes=n)
            item = AgendaItem(code, f"议题{n}", "…", Origin.LEADER, leader, "JJ-01-01", scope,
                              Level.COMMUNITY, at, at)
            events = [agenda.propose(item), agenda.put_on_agenda(item, at, leader)]
            await uow.agenda.record(item, events)
            items.append(item)
        await uow.commit()
    return items


async def test_a_meeting_comes_back_with_its_agenda_outcomes_attendees_and_record(uow):
    leader, owner, resident = await _people(uow)
    items = await _waiting(uow, leader)
    now = uow.clock.now()
    async with uow:
        code = await uow.meetings.next_code(now.date())
        meeting, scheduled = meetings.schedule(code, COMMUNITY, now + timedelta(days=3), items,
                                               now, leader)
        events = [scheduled, meetings.convene(meeting, items, leader, now),
                  meetings.attend(meeting, resident, leader, now),
                  meetings.record_minutes(meeting, "议定充电桩选址", leader, now),
                  meetings.take_up(meeting, items[0], Outcome.DECIDED, leader, now)]
        assert await uow.meetings.record(meeting, events)
        await uow.commit()
    async with uow:
        loaded = await uow.meetings.get(code)
        assert loaded == meeting
        assert loaded.agenda == (items[0].code, items[1].code)
        assert loaded.outcomes == {items[0].code: Outcome.DECIDED}
        assert await uow.meetings.history(code) == events
        assert [m.code for m in await uow.meetings.holding(items[1].code)] == [code]
        [came] = await uow.meetings.attended(resident, now - timedelta(days=1),
                                             now + timedelta(days=1))
        assert (came.meeting_code, came.kind, came.actor_id) == (code, "attended", resident)
        assert await uow.meetings.attended(owner, now - timedelta(days=1),
                                           now + timedelta(days=1)) == []


async def test_a_unit_has_one_meeting_still_to_be_held(uow):
    leader, *_ = await _people(uow)
    now = uow.clock.now()
    async with uow:
        first, event = meetings.schedule("HY-20261123-0001", COMMUNITY, now + timedelta(days=3),
                                         [], now, leader)
        assert await uow.meetings.record(first, [event])
        second, again = meetings.schedule("HY-20261123-0002", COMMUNITY,
                                          now + timedelta(days=9), [], now, leader)
        assert not await uow.meetings.record(second, [again])
        await uow.commit()
    async with uow:
        assert (await uow.meetings.scheduled_for("JJ-01")).code == first.code
        assert await uow.meetings.get(second.code) is None
        assert await uow.meetings.history(second.code) == []
        held = await uow.meetings.get(first.code)
        await uow.meetings.record(held, [meetings.convene(held, [], leader, now)])
        assert await uow.meetings.scheduled_for("JJ-01") is None
        assert await uow.meetings.record(second, [again])     # the next one, once it is held
        await uow.commit()
    async with uow:
        assert [m.code for m in await uow.meetings.of_units(["JJ-01"], upcoming=True)] == [
            second.code]
        assert [m.state for m in await uow.meetings.of_units(["JJ-01"], upcoming=False)] == [
            MeetingState.HELD]


async def test_a_second_writer_of_the_same_version_is_refused(uow):
    leader, *_ = await _people(uow)
    now = uow.clock.now()
    meeting, event = meetings.schedule("HY-20261123-0001", COMMUNITY, now + timedelta(days=3),
                                       [], now, leader)
    async with uow:
        await uow.meetings.record(meeting, [event])
        await uow.commit()
    async with uow:
        loaded = await uow.meetings.get(meeting.code)
        await uow.session.execute(text("UPDATE meeting SET version = version + 1"))
        with pytest.raises(StaleMeeting, match=meeting.code):
            await uow.meetings.record(loaded, [meetings.convene(loaded, [], leader, now)])


async def test_meeting_events_keep_their_facts_but_their_words_may_be_erased(uow):
    leader, *_ = await _people(uow)
    now = uow.clock.now()
    meeting, event = meetings.schedule("HY-20261123-0001", COMMUNITY, now + timedelta(days=3),
                                       [], now, leader)
    minuted = [meetings.convene(meeting, [], leader, now),
               meetings.record_minutes(meeting, "张秀兰说电梯坏了", leader, now)]
    async with uow:
        await uow.meetings.record(meeting, [event, *minuted])
        await uow.commit()
    for statement in ("UPDATE meeting_event SET kind = 'closed'", "DELETE FROM meeting_event"):
        async with uow:
            with pytest.raises(DBAPIError, match="events are immutable"):
                await uow.session.execute(text(statement))
    async with uow:
        await uow.meetings.forget_words_of(leader, "〔已删除〕")
        await uow.commit()
    async with uow:
        history = await uow.meetings.history(meeting.code)
        assert [(e.kind, e.reason) for e in history] == [
            ("scheduled", None), ("convened", None), ("minuted", "〔已删除〕")]


async def test_units_whose_items_wait_without_a_meeting_are_found_for_the_scheduler(uow):
    leader, *_ = await _people(uow)
    await _waiting(uow, leader, "JJ-01")
    await _waiting(uow, leader, "JJ-02", codes=("YT-20261123-0003",))
    now = uow.clock.now()
    async with uow:
        waiting = await uow.meetings.waiting_units(meetings.MEETING_LEVELS)
        assert [(w.unit_code, w.level) for w in waiting] == [
            ("JJ-01", Level.COMMUNITY), ("JJ-02", Level.COMMUNITY)]
        assert waiting[0].first_since == now - timedelta(days=5)
        meeting, event = meetings.schedule("HY-20261123-0001", COMMUNITY,
                                           now + timedelta(days=3), [], now, leader)
        await uow.meetings.record(meeting, [event])
        assert [w.unit_code for w in await uow.meetings.waiting_units(
            meetings.MEETING_LEVELS)] == ["JJ-02"]
        assert await uow.meetings.waiting_units([Level.STREET]) == []


async def test_meeting_numbers_count_per_day(uow):
    now = uow.clock.now()
    async with uow:
        first = await uow.meetings.next_code(now.date())
        second = await uow.meetings.next_code(now.date())
        other = await uow.meetings.next_code(now.date() + timedelta(days=1))
    assert (first[-4:], second[-4:], other[-4:]) == ("0001", "0002", "0001")


async def test_the_console_reads_items_held_at_or_raised_in_a_subtree_a_page_at_a_time(uow):
    leader, *_ = await _people(uow)
    await _waiting(uow, leader, "JJ-01")                      # raised in JJ-01-01, held at JJ-01
    await _waiting(uow, leader, "JJ-01-02", codes=("YT-20261123-0003",))
    async with uow:
        other = AgendaItem("YT-20261123-0004", "别处的议题", "…", Origin.LEADER, leader,
                           "JJ-02-01", "JJ-02", Level.COMMUNITY, uow.clock.now(),
                           uow.clock.now())
        await uow.agenda.record(other, [agenda.propose(other)])
        await uow.commit()
    every = list(AgendaState)
    async with uow:
        raised = await uow.agenda.in_places(["JJ-01-01"], every, list(Level))
        community = await uow.agenda.in_places(["JJ-01", "JJ-01-01", "JJ-01-02"], every,
                                               list(Level))
        open_ = await uow.agenda.in_places(["JJ-01", "JJ-02"], [AgendaState.OPEN], list(Level))
        grids = await uow.agenda.in_places(["JJ-01", "JJ-02"], every, [Level.GRID])
        pages = [await uow.agenda.in_places(["JJ-01-01"], every, list(Level), limit=2,
                                            offset=n) for n in (0, 2)]
    assert {i.code for i in raised} == {"YT-20261123-0001", "YT-20261123-0002",
                                        "YT-20261123-0003"}
    assert {i.code for i in community} == {i.code for i in raised}
    assert [i.code for i in open_] == ["YT-20261123-0004"] and grids == []
    assert [i.code for p in pages for i in p] == [i.code for i in raised]
    assert [i.created_at for i in raised] == sorted((i.created_at for i in raised), reverse=True)
