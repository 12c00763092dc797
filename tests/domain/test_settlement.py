"""小事不出网格率 and 大事不出社区率: where each closed order was settled, read from its events."""
from datetime import UTC, datetime, timedelta

from domain import orders
from domain.grids import Grid, GridTree, Level
from domain.orders import Due, Satisfaction, Urgency, WorkOrder
from domain.settlement import Settlement, settlement_by_level, settlement_by_unit, unit_levels

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
WEEK = (T0, T0 + timedelta(days=7))
REPORTER, HANDLER = 1, 2
DUE = Due(None, None)
TREE = GridTree([Grid("JJ", "锦江街道", Level.STREET),
                 Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
                 Grid("JJ-01-01", "第一网格", Level.GRID, "JJ-01"),
                 Grid("JJ-01-01-01", "一号微网格", Level.MICRO_GRID, "JJ-01-01")])


def closed_via(code: str, *units: str, escalate_from: int | None = None, unrated: bool = False):
    """An order dispatched along `units` (escalated at position `escalate_from`), then closed."""
    order = WorkOrder(code, "H01", Urgency.NORMAL, REPORTER, "路灯不亮", T0, grid_code="JJ-01-01-01")
    events, at = [orders.submit(order)], T0
    for i, unit in enumerate(units):
        at += timedelta(hours=1)
        if i == escalate_from:
            events.append(orders.escalate(order, unit, HANDLER, DUE, at))
        else:
            events.append(orders.dispatch(order, unit, HANDLER, DUE, at))
    events.append(orders.sign_for(order, HANDLER, at + timedelta(hours=1)))
    events.append(orders.resolve(order, HANDLER, "已修好", at + timedelta(hours=2)))
    events.append(orders.close_unrated(order, at + timedelta(hours=3)) if unrated else
                  orders.rate(order, REPORTER, True, Satisfaction.SATISFIED, at + timedelta(hours=3)))
    return events


def figures(*histories, now=WEEK[1]) -> Settlement:
    events = [e for h in histories for e in h]
    found = settlement_by_unit(events, lambda _: "JJ-01-01-01", unit_levels(TREE), *WEEK, now)
    return found.get("JJ-01-01-01", Settlement())


def test_closed_at_the_grid_without_escalation_stays_in_the_grid():
    got = figures(closed_via("A", "JJ-01-01-01"), closed_via("B", "JJ-01-01", unrated=True))
    assert (got.closed, got.in_grid, got.in_community) == (2, 2, 2)
    assert got.small_matters_rate == got.big_matters_rate == 1.0


def test_an_escalated_order_is_not_a_small_matter_even_if_it_came_back_down():
    got = figures(closed_via("A", "JJ-01-01", "JJ-01", "JJ-01-01", escalate_from=1))
    assert (got.closed, got.in_grid, got.in_community) == (1, 0, 1)


def test_settled_in_the_communitys_queue_is_in_the_community_but_not_the_grid():
    got = figures(closed_via("A", "queue:JJ-01"), closed_via("B", "JJ-01-01-01"))
    assert (got.small_matters_rate, got.big_matters_rate) == (0.5, 1.0)


def test_the_street_and_its_departments_are_above_the_community():
    got = figures(closed_via("A", "queue:JJ"), closed_via("B", "城管执法中队"),
                  closed_via("C", "JJ-01-01"))
    assert (got.closed, got.in_grid, got.in_community) == (3, 1, 1)


def test_only_orders_closed_in_the_period_and_by_now_count():
    early = closed_via("A", "JJ-01-01")
    assert figures(early, now=T0 + timedelta(hours=3)).closed == 0
    assert figures(early, now=T0 + timedelta(hours=5)).closed == 1
    assert figures().small_matters_rate is None


def test_figures_add_up_the_ladder_per_level():
    per_grid = {"JJ-01-01-01": Settlement(4, 3, 4), "JJ-01-01": Settlement(2, 0, 1),
                None: Settlement(5, 0, 0)}
    by_level = settlement_by_level(TREE, per_grid)
    assert by_level["JJ-01-01-01"] == Settlement(4, 3, 4)
    assert by_level["JJ-01"] == by_level["JJ"] == Settlement(6, 3, 5)
    assert by_level["JJ"].small_matters_rate == 0.5
