"""Joint meetings' use cases (联席会议): each loads, asks who may act, calls the domain, records,
returns the events.

Who may act is 议事's rule (handlers/agenda.py): a leader or dispatcher of the meeting's unit
or above schedules, convenes, records attendance, minutes and decisions, and closes. A
decision at a meeting is the item's own decision, taken through the agenda's use case (owner,
deadline, tasks, its own check) and recorded by the meeting as taken there. Attending earns a
resident 参与积分 (domain/points.py). Doors (the console, chat, the scheduler) call these in an
open unit of work and commit once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from domain import meetings
from domain.agenda import DEFAULT_RULES, AgendaEvent, AgendaItem, AgendaRules, AgendaState
from domain.grids import GridTree
from domain.meetings import (
    DEFAULT_MEETING_RULES,
    MEETING_LEVELS,
    Meeting,
    MeetingEvent,
    MeetingRules,
    Outcome,
)
from domain.privacy import scrub
from domain.refusals import DomainError
from handlers import agenda
from storage.uow import UnitOfWork

Recorded = tuple[list[MeetingEvent], list[AgendaEvent]]


async def _meeting(uow: UnitOfWork, code: str) -> Meeting:
    meeting = await uow.meetings.get(code)
    if meeting is None:
        raise DomainError("MEETING_UNKNOWN", code=code)
    return meeting


async def _led(uow: UnitOfWork, tree: GridTree, person_id: int, code: str) -> Meeting:
    """The meeting, if the person leads its unit (or a unit above it)."""
    meeting = await _meeting(uow, code)
    await agenda.must_lead(uow, tree, person_id, meeting.unit_code)
    return meeting


async def _waiting_at(uow: UnitOfWork, unit_code: str) -> list[AgendaItem]:
    return await uow.agenda.in_scopes([unit_code], (AgendaState.ON_AGENDA,), limit=200)


async def _done(uow: UnitOfWork, meeting: Meeting, events: list[MeetingEvent]
                ) -> list[MeetingEvent]:
    await uow.meetings.record(meeting, events)
    return events


async def schedule(uow: UnitOfWork, tree: GridTree, person_id: int, unit_code: str,
                   at: datetime, now: datetime) -> tuple[Meeting, list[MeetingEvent]]:
    """A leader sets the unit's next meeting; a unit waits for one meeting at a time."""
    if unit_code not in tree:
        raise DomainError("MEETING_NOT_ALLOWED")
    await agenda.must_lead(uow, tree, person_id, unit_code)
    if await uow.meetings.scheduled_for(unit_code) is not None:
        raise DomainError("MEETING_PENDING")
    code = await uow.meetings.next_code(now.date())
    meeting, event = meetings.schedule(code, tree.get(unit_code), at,
                                       await _waiting_at(uow, unit_code), now, person_id)
    if not await uow.meetings.record(meeting, [event]):
        raise DomainError("MEETING_PENDING")
    return meeting, [event]


async def convene(uow: UnitOfWork, tree: GridTree, person_id: int, code: str,
                  now: datetime) -> list[MeetingEvent]:
    """召开: in session, with the agenda of what waits at the unit now."""
    meeting = await _led(uow, tree, person_id, code)
    items = await _waiting_at(uow, meeting.unit_code)
    return await _done(uow, meeting, [meetings.convene(meeting, items, person_id, now)])


async def _of_the_unit(uow: UnitOfWork, tree: GridTree, person_id: int, unit: str) -> bool:
    """Whose the unit's meeting is: residents who live under it, and staff with a post under
    it or on its chain (they come, and a decision's owner is one of them)."""
    person = await uow.people.get(person_id)
    if person is None:
        return False
    home = person.home_grid
    if home is not None and home in tree and tree.is_above(unit, home):
        return True
    return any(post.grid_code in tree and (tree.is_above(unit, post.grid_code)
                                           or tree.is_above(post.grid_code, unit))
               for post in await uow.memberships.of_person(person_id))


async def record_attendance(uow: UnitOfWork, tree: GridTree, person_id: int, code: str,
                            attendees: Iterable[int], now: datetime) -> list[MeetingEvent]:
    """Who came: each once; someone already recorded is left as they are."""
    meeting = await _led(uow, tree, person_id, code)
    events = []
    for attendee in dict.fromkeys(attendees):
        if attendee in meeting.attendees:
            continue
        if not await _of_the_unit(uow, tree, attendee, meeting.unit_code):
            raise DomainError("MEETING_NOT_INVITED")
        events.append(meetings.attend(meeting, attendee, person_id, now))
    return await _done(uow, meeting, events)


async def record_minutes(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, text: str,
                         now: datetime) -> list[MeetingEvent]:
    """会议纪要, scrubbed: the unit's staff read it, and a record outlives the people in it."""
    meeting = await _led(uow, tree, person_id, code)
    return await _done(uow, meeting, [meetings.record_minutes(meeting, scrub(text.strip()),
                                                              person_id, now)])


async def _item_here(uow: UnitOfWork, meeting: Meeting, item_code: str) -> AgendaItem:
    item = await uow.agenda.get(item_code)
    if item is None or item_code not in meeting.agenda:
        raise DomainError("MEETING_NOT_ON_AGENDA", code=item_code)
    return item


async def decide(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, item_code: str,
                 decision: str, owner_id: int, deadline: datetime, tasks: tuple[str, ...],
                 now: datetime) -> Recorded:
    """决议 at the meeting: the item's decision (owner, deadline, tasks), taken by the meeting."""
    meeting = await _led(uow, tree, person_id, code)
    item = await _item_here(uow, meeting, item_code)
    if not await _of_the_unit(uow, tree, owner_id, meeting.unit_code):
        raise DomainError("MEETING_NO_SUCH_OWNER")
    taken = meetings.take_up(meeting, item, Outcome.DECIDED, person_id, now)
    decided = await agenda.decide(uow, tree, person_id, item_code, decision, owner_id,
                                  deadline, tasks, now)
    return await _done(uow, meeting, [taken]), decided


async def decline(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, item_code: str,
                  reason: str, now: datetime) -> Recorded:
    """决议 at the meeting, declined with the reason the residents are told."""
    meeting = await _led(uow, tree, person_id, code)
    item = await _item_here(uow, meeting, item_code)
    taken = meetings.take_up(meeting, item, Outcome.DECLINED, person_id, now)
    declined = await agenda.decline(uow, tree, person_id, item_code, reason, now)
    return await _done(uow, meeting, [taken]), declined


async def close(uow: UnitOfWork, tree: GridTree, person_id: int, code: str,
                now: datetime) -> list[MeetingEvent]:
    """The record is complete; what it left undecided waits for the unit's next meeting."""
    meeting = await _led(uow, tree, person_id, code)
    return await _done(uow, meeting, [meetings.close(meeting, person_id, now)])


async def sweep_meetings(uow: UnitOfWork, tree: GridTree, now: datetime,
                         rules: MeetingRules = DEFAULT_MEETING_RULES,
                         agenda_rules: AgendaRules = DEFAULT_RULES,
                         workday: Callable[[date], bool] | None = None,
                         batch: int = 100) -> list[MeetingEvent]:
    """The scheduler's: each unit with items waiting and no meeting scheduled gets its next
    one, on its level's rhythm and before the first item's time at the level runs out. A
    second scheduler finds the unit served (the database keeps one scheduled meeting a unit)."""
    events: list[MeetingEvent] = []
    for unit in await uow.meetings.waiting_units(MEETING_LEVELS, batch):
        if unit.unit_code not in tree:
            continue
        at = meetings.next_meeting_at(unit.level, now,
                                      unit.first_since + agenda_rules.settle_within, rules,
                                      workday)
        code = await uow.meetings.next_code(now.date())
        meeting, event = meetings.schedule(code, tree.get(unit.unit_code), at,
                                           await _waiting_at(uow, unit.unit_code), now)
        if await uow.meetings.record(meeting, [event]):
            events.append(event)
    return events
