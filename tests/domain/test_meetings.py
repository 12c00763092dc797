"""Joint meetings (联席会议): the agenda is what waits at the unit, each item is decided once,
the record needs minutes, and each level meets on its rhythm before its items' time runs out."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from domain import agenda, meetings
from domain.agenda import AgendaItem, AgendaState, Origin
from domain.calendar import SHANGHAI
from domain.grids import Grid, Level
from domain.meetings import (
    MeetingIllegal,
    MeetingRules,
    MeetingState,
    Outcome,
    next_meeting_at,
    regular_date,
)
from domain.refusals import DomainError, Refusal

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRETARY, OWNER, RESIDENT = 2, 3, 40
COMMUNITY = Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ")
MICRO = Grid("JJ-01-01-01", "一号微网格", Level.MICRO_GRID, "JJ-01-01")


def item(n: int, scope: str = "JJ-01", state: AgendaState = AgendaState.ON_AGENDA,
         arrived: datetime = T0) -> AgendaItem:
    return AgendaItem(f"YT-20261201-{n:04d}", f"议题{n}", "…", Origin.LEADER, SECRETARY,
                      "JJ-01-01", scope, Level.COMMUNITY, T0, arrived, state=state)


def waiting_items() -> list[AgendaItem]:
    return [item(2, arrived=T0 + timedelta(hours=2)), item(1, arrived=T0 + timedelta(hours=1)),
            item(3, scope="JJ-02"), item(4, state=AgendaState.OPEN),
            item(5, state=AgendaState.DECIDED)]


def held(items: list[AgendaItem] | None = None):
    meeting, _ = meetings.schedule("HY-20261201-0001", COMMUNITY, T0 + timedelta(days=14),
                                   items if items is not None else waiting_items(), T0,
                                   SECRETARY)
    meetings.convene(meeting, items if items is not None else waiting_items(), SECRETARY,
                     T0 + timedelta(days=14))
    return meeting


def test_a_meeting_takes_up_what_waits_at_its_unit_first_come_first():
    meeting, event = meetings.schedule("HY-20261201-0001", COMMUNITY, T0 + timedelta(days=3),
                                       waiting_items(), T0, SECRETARY)
    assert meeting.agenda == ("YT-20261201-0001", "YT-20261201-0002")
    assert (event.kind, event.to_state, event.data["agenda"]) == (
        "scheduled", MeetingState.SCHEDULED, list(meeting.agenda))


def test_a_micro_grid_meets_at_its_grid_and_no_meeting_is_set_in_the_past():
    with pytest.raises(DomainError) as micro:
        meetings.schedule("HY-1", MICRO, T0 + timedelta(days=3), [], T0)
    with pytest.raises(DomainError) as past:
        meetings.schedule("HY-1", COMMUNITY, T0, [], T0)
    assert (micro.value.key, past.value.key) == (Refusal.MEETING_NO_MEETINGS_HERE,
                                                 Refusal.MEETING_IN_THE_PAST)


def test_convening_fixes_the_agenda_and_later_arrivals_wait_for_the_next_meeting():
    meeting, _ = meetings.schedule("HY-1", COMMUNITY, T0 + timedelta(days=3), [], T0)
    assert meeting.agenda == ()
    event = meetings.convene(meeting, waiting_items(), SECRETARY, T0 + timedelta(days=3))
    assert (meeting.state, meeting.agenda, event.data["agenda"]) == (
        MeetingState.HELD, ("YT-20261201-0001", "YT-20261201-0002"),
        ["YT-20261201-0001", "YT-20261201-0002"])
    late = item(9)
    with pytest.raises(DomainError) as refused:
        meetings.take_up(meeting, late, Outcome.DECIDED, SECRETARY, T0)
    assert refused.value.key == Refusal.MEETING_NOT_ON_AGENDA


def test_each_item_is_decided_once_and_only_while_it_is_still_here():
    items = waiting_items()
    meeting = held(items)
    first = next(i for i in items if i.code == "YT-20261201-0001")
    event = meetings.take_up(meeting, first, Outcome.DECIDED, SECRETARY, T0)
    agenda.decide(first, SECRETARY, "物业牵头", OWNER, T0 + timedelta(days=30), ("施工",), T0)
    assert event.data == {"item": first.code, "outcome": "decided"}
    with pytest.raises(DomainError) as twice:
        meetings.take_up(meeting, first, Outcome.DECLINED, SECRETARY, T0)
    second = next(i for i in items if i.code == "YT-20261201-0002")
    second.scope_code = "JJ"          # moved up since the meeting convened
    with pytest.raises(DomainError) as gone:
        meetings.take_up(meeting, second, Outcome.DECIDED, SECRETARY, T0)
    assert (twice.value.key, gone.value.key) == (Refusal.MEETING_ALREADY_TAKEN,
                                                 Refusal.MEETING_NOT_ON_AGENDA)


def test_people_come_once_and_the_attendee_is_the_events_actor():
    meeting = held()
    event = meetings.attend(meeting, RESIDENT, SECRETARY, T0)
    assert (event.kind, event.actor_id, event.data["recorded_by"]) == (
        "attended", RESIDENT, SECRETARY)
    with pytest.raises(DomainError) as twice:
        meetings.attend(meeting, RESIDENT, SECRETARY, T0)
    assert twice.value.key == Refusal.MEETING_ATTENDED_TWICE


def test_closing_needs_minutes_and_lists_what_waits_for_the_next_meeting():
    meeting = held()
    with pytest.raises(DomainError) as bare:
        meetings.close(meeting, SECRETARY, T0)
    with pytest.raises(DomainError):
        meetings.record_minutes(meeting, "  ", SECRETARY, T0)
    meetings.record_minutes(meeting, "议定充电桩选址", SECRETARY, T0)
    meetings.record_minutes(meeting, "议定充电桩选址；下月复议电梯", SECRETARY, T0)
    event = meetings.close(meeting, SECRETARY, T0)
    assert bare.value.key == Refusal.MEETING_NO_MINUTES
    assert meeting.minutes == "议定充电桩选址；下月复议电梯"
    assert event.data["deferred"] == ["YT-20261201-0001", "YT-20261201-0002"]


def test_nothing_is_recorded_before_the_meeting_is_held_or_after_it_closed():
    meeting, _ = meetings.schedule("HY-1", COMMUNITY, T0 + timedelta(days=3), [], T0)
    for act in (lambda: meetings.attend(meeting, RESIDENT, SECRETARY, T0),
                lambda: meetings.record_minutes(meeting, "纪要", SECRETARY, T0),
                lambda: meetings.close(meeting, SECRETARY, T0)):
        with pytest.raises(MeetingIllegal):
            act()
    meetings.convene(meeting, [], SECRETARY, T0)
    meetings.record_minutes(meeting, "纪要", SECRETARY, T0)
    meetings.close(meeting, SECRETARY, T0)
    with pytest.raises(MeetingIllegal) as closed:
        meetings.record_minutes(meeting, "补记", SECRETARY, T0)
    assert closed.value.params["state"] is MeetingState.CLOSED


def test_meeting_events_are_immutable():
    _, event = meetings.schedule("HY-1", COMMUNITY, T0 + timedelta(days=3), [], T0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.kind = "closed"   # type: ignore[misc]
    with pytest.raises(TypeError):
        event.data["agenda"] = ["YT-x"]   # type: ignore[index]


# --- the rhythm ---------------------------------------------------------------------------------

def weekdays(day: date) -> bool:
    return day.weekday() < 5


def local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def test_communities_meet_monthly_and_streets_quarterly_on_the_15th_at_nine():
    after = datetime(2027, 2, 16, tzinfo=SHANGHAI)
    assert local(regular_date(Level.COMMUNITY, after)) == datetime(2027, 3, 15, 9,
                                                                   tzinfo=SHANGHAI)
    assert local(regular_date(Level.STREET, after)) == datetime(2027, 4, 15, 9, tzinfo=SHANGHAI)
    assert local(regular_date(Level.GRID, after, MeetingRules(day=1))) == datetime(
        2027, 3, 1, 9, tzinfo=SHANGHAI)


def test_a_meeting_on_a_rest_day_moves_to_the_next_working_day():
    # 2027-05-15 is a Saturday
    at = regular_date(Level.COMMUNITY, datetime(2027, 5, 2, tzinfo=SHANGHAI), workday=weekdays)
    assert local(at) == datetime(2027, 5, 17, 9, tzinfo=SHANGHAI)


def test_a_meeting_is_brought_forward_before_the_first_items_time_runs_out():
    now = datetime(2027, 3, 16, 10, tzinfo=SHANGHAI)          # just after the March meeting
    due = datetime(2027, 4, 10, 10, tzinfo=SHANGHAI)          # the item would move up then
    assert local(next_meeting_at(Level.COMMUNITY, now)) == datetime(2027, 4, 15, 9,
                                                                    tzinfo=SHANGHAI)
    assert local(next_meeting_at(Level.COMMUNITY, now, due, workday=weekdays)) == datetime(
        2027, 4, 9, 9, tzinfo=SHANGHAI)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)),
       st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120)),
       st.sampled_from(sorted(meetings.MEETING_LEVELS)))
def test_the_next_meeting_is_a_working_morning_with_notice_and_never_after_a_regular_one(
        naive_now, wait, level):
    rules = MeetingRules()
    now = naive_now.replace(tzinfo=SHANGHAI)
    due = now + wait
    at = next_meeting_at(level, now, due, rules, weekdays)
    regular = regular_date(level, now + rules.notice, rules, weekdays)
    assert at >= now + rules.notice and at <= max(regular, now + rules.notice + timedelta(days=4))
    assert local(at).hour == rules.hour and weekdays(local(at).date())
    # In time for the item whenever there is room to give notice first.
    if due - rules.lead - now > rules.notice + timedelta(days=4):
        assert at < due


# --- any order of acts keeps the meeting's record whole -----------------------------------------

class MeetingLife(RuleBasedStateMachine):
    """Acts in any order: the state moves only scheduled → held → closed, each item is taken
    up at most once, only from the agenda, and a closed meeting accepts nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.items = [item(n, arrived=T0 + timedelta(minutes=n)) for n in range(1, 4)]
        self.meeting, _ = meetings.schedule("HY-1", COMMUNITY, T0 + timedelta(days=3),
                                            self.items, T0, SECRETARY)
        self.events: list = []

    def _try(self, act) -> None:
        before = (self.meeting.state, dict(self.meeting.outcomes), set(self.meeting.attendees),
                  self.meeting.minutes)
        try:
            self.events.append(act())
        except DomainError:
            assert before == (self.meeting.state, dict(self.meeting.outcomes),
                              set(self.meeting.attendees), self.meeting.minutes)

    @rule()
    def convene(self) -> None:
        self._try(lambda: meetings.convene(self.meeting, self.items, SECRETARY, T0))

    @rule(person=st.integers(40, 43))
    def attend(self, person: int) -> None:
        self._try(lambda: meetings.attend(self.meeting, person, SECRETARY, T0))

    @rule(words=st.sampled_from(["", "议定", "议定；复议"]))
    def minutes(self, words: str) -> None:
        self._try(lambda: meetings.record_minutes(self.meeting, words, SECRETARY, T0))

    @rule(n=st.integers(0, 2), outcome=st.sampled_from(Outcome))
    def take_up(self, n: int, outcome: Outcome) -> None:
        chosen = self.items[n]

        def act():
            event = meetings.take_up(self.meeting, chosen, outcome, SECRETARY, T0)
            chosen.state = (AgendaState.DECIDED if outcome is Outcome.DECIDED
                            else AgendaState.DECLINED)
            return event
        self._try(act)

    @precondition(lambda self: self.meeting.state is not MeetingState.SCHEDULED)
    @rule()
    def close(self) -> None:
        self._try(lambda: meetings.close(self.meeting, SECRETARY, T0))

    @invariant()
    def the_record_holds_together(self) -> None:
        kinds = [e.kind for e in self.events]
        assert kinds.count("convened") <= 1 and kinds.count("closed") <= 1
        assert set(self.meeting.outcomes) <= set(self.meeting.agenda)
        assert [e.data["item"] for e in self.events if e.kind == "took_up"] == \
            list(self.meeting.outcomes)
        if self.meeting.state is MeetingState.CLOSED:
            assert self.meeting.minutes and kinds[-1] == "closed"
        changes = [(e.from_state, e.to_state) for e in self.events if e.from_state != e.to_state]
        assert changes in ([], [(MeetingState.SCHEDULED, MeetingState.HELD)],
                           [(MeetingState.SCHEDULED, MeetingState.HELD),
                            (MeetingState.HELD, MeetingState.CLOSED)])


TestMeetingLife = MeetingLife.TestCase
TestMeetingLife.settings = settings(max_examples=80, stateful_step_count=25, deadline=None)
