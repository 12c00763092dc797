"""Joint meetings (联席会议, and a grid's 一组一会): the agenda a unit takes up, and its record.

A unit at a meeting level meets on its level's rhythm. Its agenda is what reached it: the 议题
on the agenda at that unit (`AgendaState.ON_AGENDA`, scope the unit) and not yet decided, in
the order they arrived. Until the meeting is held its agenda follows what waits; once held it
is fixed, and what arrives later waits for the next one. The decisions are the items' own
(domain/agenda.py's `decide` and `decline`: owner, deadline, tasks); the meeting records that
it took each one, who came, and its minutes. Every step writes one immutable `MeetingEvent`
(docs/domain.md, 议事).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from domain.agenda import AgendaItem, AgendaState
from domain.calendar import SHANGHAI
from domain.grids import Grid, Level
from domain.refusals import DomainError, Refusal

# A micro-grid has no meeting of its own: its items climb to the grid's 一组一会.
MEETING_LEVELS = frozenset({Level.GRID, Level.COMMUNITY, Level.STREET, Level.COUNTY})


class MeetingState(StrEnum):
    SCHEDULED = "scheduled"   # a date, and the agenda as it stands
    HELD = "held"             # in session: attendance, minutes and decisions are recorded
    CLOSED = "closed"         # the record is complete


class Outcome(StrEnum):
    """What the meeting did with an item on its agenda."""

    DECIDED = "decided"
    DECLINED = "declined"


@dataclass(frozen=True)
class MeetingRules:
    """The configurable rhythm of the levels' meetings (docs/domain.md, 议事)."""

    # A level meets every so many months, on `day` at `hour` (China time), moved to the next
    # working day when it falls on a rest day.
    every_months: Mapping[Level, int] = field(default_factory=lambda: MappingProxyType({
        Level.GRID: 1, Level.COMMUNITY: 1, Level.STREET: 3, Level.COUNTY: 3}))
    day: int = 15
    hour: int = 9
    notice: timedelta = timedelta(days=2)   # the least time between scheduling and the meeting
    # A meeting is brought forward so that it falls this long before the first waiting item's
    # time at the level runs out (议题上移 would otherwise take the item away first).
    lead: timedelta = timedelta(days=1)


DEFAULT_MEETING_RULES = MeetingRules()


class MeetingIllegal(DomainError):
    """The meeting's state does not allow the action (minutes before it is held, say)."""

    def __init__(self, state: MeetingState, action: str):
        self.state, self.action = state, action
        super().__init__(Refusal.MEETING_ILLEGAL_STATE, state=state, action=action)


@dataclass(frozen=True)
class MeetingEvent:
    """One immutable line of a meeting's record."""

    meeting_code: str
    kind: str
    at: datetime
    actor_id: int | None = None
    from_state: MeetingState | None = None
    to_state: MeetingState | None = None
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))


@dataclass
class Meeting:
    code: str
    unit_code: str
    level: Level
    at: datetime                 # when it meets
    created_at: datetime
    scheduled_by: int | None = None   # None: the scheduler, on the level's rhythm
    state: MeetingState = MeetingState.SCHEDULED
    agenda: tuple[str, ...] = ()
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    attendees: set[int] = field(default_factory=set)
    minutes: str | None = None
    held_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def deferred(self) -> tuple[str, ...]:
        """Items on its agenda it took no decision on: they wait for the next meeting."""
        return tuple(code for code in self.agenda if code not in self.outcomes)


# Every kind of event a meeting's record may hold; each has a notice rule
# (handlers/meeting_notices.py).
MEETING_EVENT_KINDS = frozenset({"scheduled", "convened", "attended", "minuted", "took_up",
                                 "closed"})


def meeting_code(day: date, sequence: int) -> str:
    """The number of a meeting, e.g. HY-20261215-0002."""
    return f"HY-{day:%Y%m%d}-{sequence:04d}"


def waiting(items: Iterable[AgendaItem], unit_code: str) -> tuple[str, ...]:
    """The items that reached the unit and wait for its decision, first come first."""
    here = [i for i in items if i.scope_code == unit_code and i.state is AgendaState.ON_AGENDA]
    return tuple(i.code for i in sorted(here, key=lambda i: (i.level_since, i.code)))


def _step(meeting: Meeting, action: str, allowed: MeetingState, to: MeetingState
          ) -> MeetingState:
    if meeting.state is not allowed:
        raise MeetingIllegal(meeting.state, action)
    before, meeting.state = meeting.state, to
    return before


def _in_session(meeting: Meeting, action: str) -> None:
    if meeting.state is not MeetingState.HELD:
        raise MeetingIllegal(meeting.state, action)


def schedule(code: str, unit: Grid, at: datetime, items: Iterable[AgendaItem], now: datetime,
             actor_id: int | None = None) -> tuple[Meeting, MeetingEvent]:
    """A unit's next meeting, on a date still to come, with the agenda as it stands."""
    if unit.level not in MEETING_LEVELS:
        raise DomainError(Refusal.MEETING_NO_MEETINGS_HERE)
    if at <= now:
        raise DomainError(Refusal.MEETING_IN_THE_PAST)
    meeting = Meeting(code, unit.code, unit.level, at, now, actor_id,
                      agenda=waiting(items, unit.code))
    return meeting, MeetingEvent(code, "scheduled", now, actor_id, None, meeting.state,
                                 data={"unit": unit.code, "level": unit.level.value,
                                       "at": at.isoformat(), "agenda": list(meeting.agenda)})


def convene(meeting: Meeting, items: Iterable[AgendaItem], actor_id: int,
            now: datetime) -> MeetingEvent:
    """召开: the meeting is in session; its agenda is what waits at the unit now, and stays so."""
    before = _step(meeting, "convene", MeetingState.SCHEDULED, MeetingState.HELD)
    meeting.agenda, meeting.held_at = waiting(items, meeting.unit_code), now
    return MeetingEvent(meeting.code, "convened", now, actor_id, before, meeting.state,
                        data={"agenda": list(meeting.agenda)})


def attend(meeting: Meeting, person_id: int, recorded_by: int, now: datetime) -> MeetingEvent:
    """Someone came: the event is the attendee's (their 参与积分), recorded by the secretary."""
    _in_session(meeting, "record attendance at")
    if person_id in meeting.attendees:
        raise DomainError(Refusal.MEETING_ATTENDED_TWICE)
    meeting.attendees.add(person_id)
    return MeetingEvent(meeting.code, "attended", now, person_id, meeting.state, meeting.state,
                        data={"recorded_by": recorded_by})


def record_minutes(meeting: Meeting, text: str, actor_id: int, now: datetime) -> MeetingEvent:
    """会议纪要: what was said and agreed; a later entry amends the earlier one."""
    _in_session(meeting, "record minutes of")
    if not text or not text.strip():
        raise DomainError(Refusal.MEETING_NO_MINUTES)
    meeting.minutes = text.strip()
    return MeetingEvent(meeting.code, "minuted", now, actor_id, meeting.state, meeting.state,
                        meeting.minutes)


def take_up(meeting: Meeting, item: AgendaItem, outcome: Outcome, actor_id: int,
            now: datetime) -> MeetingEvent:
    """The meeting decides (or declines) an item on its agenda, once; the decision itself is
    the item's (`agenda.decide` or `agenda.decline`, called alongside)."""
    _in_session(meeting, "decide at")
    if item.code not in meeting.agenda or item.scope_code != meeting.unit_code:
        raise DomainError(Refusal.MEETING_NOT_ON_AGENDA, code=item.code)
    if item.code in meeting.outcomes or item.state is not AgendaState.ON_AGENDA:
        raise DomainError(Refusal.MEETING_ALREADY_TAKEN, code=item.code)
    meeting.outcomes[item.code] = outcome
    return MeetingEvent(meeting.code, "took_up", now, actor_id, meeting.state, meeting.state,
                        data={"item": item.code, "outcome": outcome.value})


def close(meeting: Meeting, actor_id: int, now: datetime) -> MeetingEvent:
    """The record is complete: it needs minutes; what it left undecided waits for the next."""
    if meeting.state is MeetingState.HELD and not meeting.minutes:
        raise DomainError(Refusal.MEETING_NO_MINUTES)
    before = _step(meeting, "close", MeetingState.HELD, MeetingState.CLOSED)
    meeting.closed_at = now
    return MeetingEvent(meeting.code, "closed", now, actor_id, before, meeting.state,
                        data={"decided": [c for c, o in meeting.outcomes.items()
                                          if o is Outcome.DECIDED],
                              "declined": [c for c, o in meeting.outcomes.items()
                                           if o is Outcome.DECLINED],
                              "deferred": list(meeting.deferred),
                              "attended": len(meeting.attendees)})


# --- the rhythm ---------------------------------------------------------------------------------

def _at_hour(day: date, rules: MeetingRules) -> datetime:
    return datetime.combine(day, time(rules.hour), SHANGHAI)


def _workday_from(day: date, workday: Callable[[date], bool] | None) -> date:
    for _ in range(31):
        if workday is None or workday(day):
            return day
        day += timedelta(days=1)
    return day


def regular_date(level: Level, after: datetime, rules: MeetingRules = DEFAULT_MEETING_RULES,
                 workday: Callable[[date], bool] | None = None) -> datetime:
    """The level's first regular meeting at or after `after`: on `rules.day` of a month of its
    rhythm (January, April, July, October for a quarterly level), the next working day when
    that is a rest day."""
    every = rules.every_months.get(level, 1)
    local = after.astimezone(SHANGHAI)
    year, month = local.year, local.month
    while True:
        if (month - 1) % every == 0:
            slot = _at_hour(_workday_from(date(year, month, min(rules.day, 28)), workday), rules)
            if slot >= after:
                return slot
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def next_meeting_at(level: Level, now: datetime, first_due: datetime | None = None,
                    rules: MeetingRules = DEFAULT_MEETING_RULES,
                    workday: Callable[[date], bool] | None = None) -> datetime:
    """When a unit with items waiting meets next: its level's next regular date at least
    `notice` ahead, brought forward to `lead` before `first_due` (when the first waiting item
    would move up) if that comes first, on a working day, but never sooner than `notice`."""
    soonest = now + rules.notice
    at = regular_date(level, soonest, rules, workday)
    if first_due is not None:
        early = (first_due - rules.lead).astimezone(SHANGHAI).date()
        for _ in range(7):      # back to a working day before the item's time runs out
            if workday is None or workday(early):
                break
            early -= timedelta(days=1)
        at = min(at, _at_hour(early, rules))
    if at < soonest:
        day = soonest.astimezone(SHANGHAI).date()
        at = _at_hour(day, rules)
        at = at if at >= soonest else _at_hour(day + timedelta(days=1), rules)
        at = _at_hour(_workday_from(at.astimezone(SHANGHAI).date(), workday), rules)
    return at
