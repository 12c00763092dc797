"""Assessment figures from event streams written by the real order actions, checked by hand."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import orders
from domain.metrics import MetricRules, Rates, compute_rates, rates_by_unit, report_tallies
from domain.orders import Due, Event, Satisfaction, Urgency, WorkOrder

SH = ZoneInfo("Asia/Shanghai")
REPORTER, LEADER, COMMUNITY = 1, 2, 3
NOV, DEC, JAN = (datetime(2026, 11, 1, tzinfo=SH), datetime(2026, 12, 1, tzinfo=SH),
                 datetime(2027, 1, 1, tzinfo=SH))


def on(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH)


class Story:
    """One order driven through the domain's actions, keeping the events they wrote."""

    count = 0

    def __init__(self, at: datetime, reporter: int = REPORTER):
        Story.count += 1
        self.order = WorkOrder(f"WG-20261101-{Story.count:04d}", "E01", Urgency.NORMAL, reporter,
                               "楼道堆物", at)
        self.events: list[Event] = [orders.submit(self.order)]

    def dispatch(self, at: datetime, sign_hours: int = 2, resolve_days: int = 3) -> Story:
        due = Due(at + timedelta(hours=sign_hours), at + timedelta(days=resolve_days))
        self.events.append(orders.dispatch(self.order, "G1", LEADER, due, at, COMMUNITY))
        return self

    def escalate(self, at: datetime, resolve_days: int = 3) -> Story:
        due = Due(at + timedelta(hours=2), at + timedelta(days=resolve_days))
        self.events.append(orders.escalate(self.order, "C1", LEADER, due, at))
        return self

    def sign(self, at: datetime) -> Story:
        self.events.append(orders.sign_for(self.order, LEADER, at))
        return self

    def give_back(self, at: datetime) -> Story:
        self.events.append(orders.return_order(self.order, LEADER, "不属本网格", "C1",
                                               COMMUNITY, at))
        self.order.assignee_id = LEADER  # the dispatcher hands it on to the same leader
        return self

    def extend(self, at: datetime, to: datetime) -> Story:
        self.events.append(orders.extend(self.order, COMMUNITY, to, "需协调物业", at))
        return self

    def resolve(self, at: datetime) -> Story:
        self.events.append(orders.resolve(self.order, LEADER, "已清理", at))
        return self

    def rate(self, at: datetime, satisfaction: Satisfaction = Satisfaction.SATISFIED,
             solved: bool = True) -> Story:
        self.events.append(orders.rate(self.order, self.order.reporter_id, solved, satisfaction,
                                       at))
        return self

    def reopen(self, at: datetime, satisfaction: Satisfaction = Satisfaction.UNSATISFIED) -> Story:
        self.events.append(orders.reopen(self.order, self.order.reporter_id, False, satisfaction,
                                         "还没清", at + timedelta(days=3), at))
        return self

    def invalidate(self, at: datetime) -> Story:
        self.events.append(orders.mark_invalid(self.order, COMMUNITY, "虚假上报", at))
        return self


STANDARD = MetricRules()


def november(*stories: Story, now: datetime = DEC, rules: MetricRules = STANDARD) -> Rates:
    return compute_rates([e for s in stories for e in s.events], NOV, DEC, now, rules)


def test_nothing_happened_gives_no_rate_at_all():
    rates = november(Story(on(3)))  # filed, never dispatched
    assert (rates.timely_sign_rate, rates.on_time_rate, rates.resolution_rate,
            rates.overdue_rate, rates.satisfaction_rate, rates.solve_rate, rates.reopen_rate,
            rates.return_rate, rates.mean_handling_time) == (None,) * 9
    assert rates.three_rates == (None, None, None)
    assert compute_rates([], NOV, DEC, DEC) == Rates()


def test_timely_sign_rate_counts_only_settled_dispatches():
    in_time = Story(on(2)).dispatch(on(2)).sign(on(2, 10))
    late = Story(on(3)).dispatch(on(3)).sign(on(3, 13))
    never = Story(on(4)).dispatch(on(4))
    still_open = Story(on(30, 20)).dispatch(on(30, 20))        # window runs to 22:00
    given_back = Story(on(5)).dispatch(on(5)).give_back(on(5, 10))
    rates = november(in_time, late, never, still_open, given_back, now=on(30, 21))
    assert rates.dispatched == 5
    assert (rates.signed_in_time, rates.sign_due) == (1, 3)
    assert rates.timely_sign_rate == pytest.approx(1 / 3)


def test_sign_grace_is_configuration():
    late_by_half_an_hour = Story(on(3)).dispatch(on(3)).sign(on(3, 11) + timedelta(minutes=30))
    assert november(late_by_half_an_hour).timely_sign_rate == 0.0
    lenient = MetricRules(sign_grace=timedelta(hours=1))
    assert november(late_by_half_an_hour, rules=lenient).timely_sign_rate == 1.0


def test_resolution_rates_count_due_orders_by_hand():
    in_time = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(4))
    late = Story(on(6)).dispatch(on(6)).sign(on(6, 10)).resolve(on(10))
    stuck = Story(on(12)).dispatch(on(12)).sign(on(12, 10))                # due 15th, open
    not_yet = Story(on(29)).dispatch(on(29)).sign(on(29, 10))              # due 2 December
    early = Story(on(10, 9, month=10)).dispatch(on(30, 9, month=10)).sign(on(30, 10, month=10))
    early.resolve(on(31, 9, month=10))                                     # due 2 November
    rates = november(in_time, late, stuck, not_yet, early)
    assert (rates.due, rates.resolved, rates.resolved_in_time, rates.overdue) == (3, 2, 1, 2)
    assert rates.on_time_rate == pytest.approx(1 / 3)
    assert rates.resolution_rate == pytest.approx(2 / 3)
    assert rates.overdue_rate == pytest.approx(2 / 3)


def test_an_extension_granted_in_time_moves_the_deadline():
    extended = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).extend(on(4), on(9))
    extended.resolve(on(8))
    rates = november(extended)
    assert (rates.due, rates.resolved_in_time, rates.overdue) == (1, 1, 0)
    still_open = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).extend(on(4), on(20))
    assert november(still_open, now=on(10)).due == 0
    assert november(still_open, now=on(21)).overdue == 1


def test_a_reopened_order_is_judged_against_the_deadline_its_reopen_sets():
    story = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(3)).reopen(on(4))
    story.events[-1] = replace(story.events[-1], data={**story.events[-1].data,
                                                       "resolve_by": on(9).isoformat()})
    story.resolve(on(8))
    rates = november(story)
    assert (rates.due, rates.resolved_in_time, rates.overdue) == (1, 1, 0)


def test_overdue_in_one_month_and_resolved_late_in_the_next_counts_in_both():
    story = Story(on(25)).dispatch(on(25)).sign(on(25, 10)).resolve(on(3, month=12))
    assert (november(story, now=JAN).due, november(story, now=JAN).overdue) == (1, 1)
    december = compute_rates(story.events, DEC, JAN, JAN)
    assert (december.due, december.resolved, december.overdue) == (1, 1, 1)


def test_an_unresolved_order_is_not_overdue_before_its_deadline_passes():
    story = Story(on(25)).dispatch(on(25)).sign(on(25, 10))          # due 28th 09:00
    assert november(story, now=on(28, 8)).due == 0
    assert november(story, now=on(28, 10)).overdue == 1


def test_a_month_keeps_its_figures_when_an_order_is_reopened_later():
    story = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(4))
    before = november(story, now=DEC)
    story.reopen(on(2, month=12))
    assert november(story, now=JAN) == before
    assert compute_rates(story.events, DEC, JAN, JAN).reopened == 1


def test_satisfaction_solve_and_reopen_rates_count_every_rating():
    very = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(3))
    very.rate(on(4), Satisfaction.VERY_SATISFIED)
    basic = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(3))
    basic.rate(on(4), Satisfaction.BASICALLY_SATISFIED, solved=False)
    redo = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(3)).reopen(on(4))
    rates = november(very, basic, redo)
    assert (rates.rated, rates.satisfied, rates.solved, rates.reopened) == (3, 2, 1, 1)
    assert rates.satisfaction_rate == pytest.approx(2 / 3)
    assert rates.solve_rate == pytest.approx(1 / 3)
    assert rates.reopen_rate == pytest.approx(1 / 3)
    strict = MetricRules(satisfied=frozenset({Satisfaction.VERY_SATISFIED,
                                              Satisfaction.SATISFIED}))
    assert november(very, basic, redo, rules=strict).satisfaction_rate == pytest.approx(1 / 3)


def test_orders_closed_unrated_are_not_ratings():
    story = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(3))
    story.events.append(orders.close_unrated(story.order, on(6)))
    rates = november(story)
    assert (rates.rated, rates.closed_unrated, rates.satisfaction_rate) == (0, 1, None)


def test_return_rate_is_returns_over_dispatches_and_escalations():
    story = Story(on(2)).dispatch(on(2)).give_back(on(2, 10)).dispatch(on(2, 11))
    story.give_back(on(2, 12)).escalate(on(2, 13))
    rates = november(story)
    assert (rates.returns, rates.dispatched) == (2, 3)
    assert rates.return_rate == pytest.approx(2 / 3)


def test_mean_handling_time_runs_from_report_to_resolution():
    one_day = Story(on(2)).dispatch(on(2, 10)).sign(on(2, 11)).resolve(on(3))
    three_days = Story(on(2)).dispatch(on(2, 10)).sign(on(2, 11)).resolve(on(5))
    assert november(one_day, three_days).mean_handling_time == timedelta(days=2)


def test_three_rates_are_response_solved_and_satisfied():
    story = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(3))
    story.rate(on(4), Satisfaction.SATISFIED, solved=False)
    assert november(story).three_rates == (1.0, 0.0, 1.0)


def test_invalid_orders_are_never_due():
    story = Story(on(2)).dispatch(on(2)).invalidate(on(2, 10))
    rates = november(story)
    assert (rates.due, rates.dispatched, rates.sign_due) == (0, 1, 0)


def test_rates_by_unit_follow_the_unit_of_each_order():
    a = Story(on(2)).dispatch(on(2)).sign(on(2, 10))
    b = Story(on(2)).dispatch(on(2)).sign(on(2, 13))
    hidden = Story(on(2)).dispatch(on(2)).sign(on(2, 10))
    unit = {a.order.code: "G1", b.order.code: "G2"}
    by_unit = rates_by_unit(a.events + b.events + hidden.events, unit.get, NOV, DEC, DEC)
    assert set(by_unit) == {"G1", "G2"}
    assert (by_unit["G1"].timely_sign_rate, by_unit["G2"].timely_sign_rate) == (1.0, 0.0)
    assert (by_unit["G1"] + by_unit["G2"]).timely_sign_rate == 0.5


def test_valid_report_rate_leaves_undecided_reports_out():
    accepted = Story(on(2)).dispatch(on(2))
    turned_down = Story(on(3)).invalidate(on(3, 10))
    waiting = Story(on(4))
    other = Story(on(4), reporter=7)
    october = Story(on(20, month=10)).dispatch(on(20, month=10))
    events = [e for s in (accepted, turned_down, waiting, other, october) for e in s.events]
    tallies = report_tallies(events, NOV, DEC, DEC)
    assert (tallies[REPORTER].submitted, tallies[REPORTER].valid,
            tallies[REPORTER].invalid) == (3, 1, 1)
    assert tallies[REPORTER].valid_rate == 0.5
    assert tallies[7].valid_rate is None


def test_events_after_now_have_not_happened_yet():
    story = Story(on(2)).dispatch(on(2)).sign(on(2, 10)).resolve(on(4))
    rates = november(story, now=on(3))
    assert (rates.due, rates.resolved, rates.sign_due) == (0, 0, 1)
