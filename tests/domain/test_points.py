"""先锋指数: what a roaming reporter earns, loses, and who shows on the monthly board."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain import orders
from domain.orders import Due, Event, Satisfaction, Urgency, WorkOrder
from domain.points import (
    FALSE_REPORT,
    Award,
    PointsRules,
    awards_for_order,
    credit,
    leaderboard,
    monthly_totals,
)

SH = ZoneInfo("Asia/Shanghai")
RIDER, LEADER, COMMUNITY = 11, 2, 3
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=SH)


def report(urgency: Urgency = Urgency.NORMAL, seq: int = 1,
           at: datetime = T0) -> tuple[WorkOrder, list[Event]]:
    order = WorkOrder(f"WG-20261110-{seq:04d}", "S02", urgency, RIDER, "楼道飞线充电", at)
    return order, [orders.submit(order)]


def dispatch(order: WorkOrder, at: datetime) -> Event:
    due = Due(at + timedelta(hours=1), at + timedelta(days=1))
    return orders.dispatch(order, "G1", LEADER, due, at, COMMUNITY)


def closed(urgency: Urgency = Urgency.NORMAL, solved: bool = True) -> list[Event]:
    order, events = report(urgency)
    events.append(dispatch(order, T0))
    events.append(orders.sign_for(order, LEADER, T0 + timedelta(minutes=10)))
    events.append(orders.resolve(order, LEADER, "已拆除飞线", T0 + timedelta(hours=3)))
    events.append(orders.rate(order, RIDER, solved, Satisfaction.SATISFIED,
                              T0 + timedelta(hours=5)))
    return events


def points(awards: list[Award]) -> dict[str, int]:
    return {a.reason: a.points for a in awards}


def test_an_accepted_report_earns_ten_once_however_often_it_is_dispatched():
    order, events = report()
    events.append(dispatch(order, T0))
    events.append(orders.return_order(order, LEADER, "不属本网格", "C1", LEADER, T0))
    events.append(dispatch(order, T0 + timedelta(hours=1)))
    assert [(a.person_id, a.points, a.reason) for a in awards_for_order(events)] == [
        (RIDER, 10, "valid")]


def test_urgent_and_emergency_reports_earn_a_bonus():
    assert points(awards_for_order(closed(Urgency.URGENT))) == {
        "valid": 10, "urgent": 10, "solved": 5}
    assert points(awards_for_order(closed(Urgency.EMERGENCY))) == {
        "valid": 10, "emergency": 20, "solved": 5}
    assert points(awards_for_order(closed(Urgency.NORMAL), urgency=Urgency.EMERGENCY)) == {
        "valid": 10, "emergency": 20, "solved": 5}


def test_only_a_solved_closure_earns_the_extra_five():
    assert "solved" not in points(awards_for_order(closed(solved=False)))
    order, events = report()
    events.append(dispatch(order, T0))
    events.append(orders.sign_for(order, LEADER, T0))
    events.append(orders.resolve(order, LEADER, "已处理", T0 + timedelta(hours=1)))
    events.append(orders.close_unrated(order, T0 + timedelta(days=3)))
    assert points(awards_for_order(events)) == {"valid": 10}


def test_me_too_earns_two_once_per_person_and_only_for_a_real_issue():
    order, events = report()
    early = T0 + timedelta(minutes=5)
    events.append(orders.remark(order, "followed", early, actor_id=21))
    events.append(dispatch(order, T0 + timedelta(minutes=30)))
    events.append(orders.remark(order, "followed", T0 + timedelta(hours=1), actor_id=21))
    events.append(orders.remark(order, "followed", T0 + timedelta(hours=2), actor_id=22))
    events.append(orders.remark(order, "followed", T0 + timedelta(hours=2), actor_id=RIDER))
    me_too = [(a.person_id, a.points, a.at) for a in awards_for_order(events)
              if a.reason == "me_too"]
    assert me_too == [(21, 2, T0 + timedelta(minutes=30)), (22, 2, T0 + timedelta(hours=2))]

    unseen, pending = report(seq=2)
    pending.append(orders.remark(unseen, "followed", early, actor_id=21))
    assert awards_for_order(pending) == []


def test_a_false_report_costs_ten_and_other_refusals_cost_nothing():
    order, events = report()
    refused = orders.mark_invalid(order, COMMUNITY, "现场核实无此情况", T0 + timedelta(hours=1))
    false = awards_for_order([*events, replace(refused, data={"category": FALSE_REPORT})])
    assert [(a.person_id, a.points, a.reason) for a in false] == [(RIDER, -10, "false_report")]
    out_of_scope = replace(refused, data={"category": "out_of_scope"})
    assert awards_for_order([*events, out_of_scope]) == []


def award(points: int, at: datetime, person: int = RIDER, reason: str = "valid") -> Award:
    return Award(person, points, reason, at, "WG-20261110-0001")


def test_gains_stop_at_two_hundred_a_month_but_losses_still_count():
    gains = [award(10, T0 + timedelta(hours=i)) for i in range(25)]      # 250 earned
    assert monthly_totals(gains, "2026-11") == {RIDER: 200}
    credited = credit(gains)
    assert [a.points for a in credited[19:22]] == [10, 0, 0]
    loss = award(-10, T0 + timedelta(days=2), reason="false_report")
    assert monthly_totals([*gains, loss], "2026-11") == {RIDER: 190}
    december = award(10, datetime(2026, 12, 1, 9, tzinfo=SH))
    assert monthly_totals([*gains, december], "2026-12") == {RIDER: 10}


def test_the_cap_is_applied_in_time_order_and_is_configurable():
    late_loss = [award(-10, T0), award(150, T0 + timedelta(hours=1)),
                 award(100, T0 + timedelta(hours=2))]
    assert monthly_totals(late_loss, "2026-11") == {RIDER: 190}
    assert monthly_totals(late_loss, "2026-11", PointsRules(monthly_cap=100)) == {RIDER: 90}


def test_months_follow_beijing_time():
    # 16:30 UTC on 30 November is already 1 December in Shanghai.
    just_after_midnight = award(10, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    assert monthly_totals([just_after_midnight], "2026-12") == {RIDER: 10}
    assert monthly_totals([just_after_midnight], "2026-11") == {}


def test_leaderboard_shows_only_opted_in_people_best_first():
    totals = {1: 120, 2: 200, 3: 150, 4: 90, 5: 0, 6: 60}
    nicknames = {1: "雷锋骑手", 2: "闪送小王", 3: None, 4: "  ", 5: "零分侠", 6: "网约车老李"}
    assert leaderboard(totals, nicknames) == [("闪送小王", 200), ("雷锋骑手", 120),
                                              ("网约车老李", 60)]
    assert leaderboard(totals, nicknames, limit=1) == [("闪送小王", 200)]
