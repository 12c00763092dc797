"""双积分: residents' participation points from order and agenda events, capped per month."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.agenda import AgendaEvent
from domain.meetings import MeetingEvent
from domain.orders import Event
from domain.points import (
    ATTENDED,
    ParticipationRules,
    monthly_totals,
    participation_awards,
)

AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def order(code: str, reporter: int, dispatched: bool, minutes: int = 0) -> list[Event]:
    at = AT + timedelta(minutes=minutes)
    events = [Event(code, "submitted", at, reporter)]
    if dispatched:
        events += [Event(code, "dispatched", at, 99), Event(code, "dispatched", at, 99)]
    return events


def act(kind: str, person: int, minutes: int = 0) -> AgendaEvent:
    return AgendaEvent("YT-20261110-0001", kind, AT + timedelta(minutes=minutes), person)


def test_each_way_of_taking_part_earns_its_points_once():
    awards = participation_awards(
        order("WG-1", 1, True) + order("WG-2", 1, False),
        [act("supported", 1), act("commented", 1), act(ATTENDED, 1), act("opened", 1),
         act("supported", 2)],
        meeting_events=[MeetingEvent("HY-20261110-0001", ATTENDED, AT, 1),
                        MeetingEvent("HY-20261110-0001", "minuted", AT, 1)])
    assert sorted((a.reason, a.points) for a in awards if a.person_id == 1) == [
        ("comment", 1), ("meeting", 5), ("real_report", 5), ("support", 1)]
    assert [(a.person_id, a.points) for a in awards if a.person_id != 1] == [(2, 1)]


def test_a_month_earns_at_most_a_hundred_and_the_next_month_starts_afresh():
    rules = ParticipationRules()
    many = [e for i in range(30) for e in order(f"WG-{i}", 1, True, minutes=i)]
    next_month = [act("commented", 1, minutes=60 * 24 * 25)]
    awards = participation_awards(many, next_month, rules)
    assert monthly_totals(awards, "2026-11", rules) == {1: 100}
    assert monthly_totals(awards, "2026-12", rules) == {1: 1}
