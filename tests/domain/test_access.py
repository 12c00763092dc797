"""Who may see and follow an order, as pure rules: a code alone earns nothing."""
from datetime import UTC, datetime, timedelta

from domain import orders
from domain.access import Part, in_chain, may_view, within_metoo_reach
from domain.grids import Grid, GridTree, Level
from domain.orders import Due, Urgency, WorkOrder

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TREE = GridTree([
    Grid("JJ", "锦江街道", Level.STREET),
    Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
    Grid("JJ-02", "河畔社区", Level.COMMUNITY, "JJ"),
    Grid("JJ-01-01", "锦江畔", Level.GRID, "JJ-01"),
    Grid("JJ-01-01-03", "锦江畔3号楼", Level.MICRO_GRID, "JJ-01-01"),
    Grid("JJ-01-01-02", "锦江畔2号楼", Level.MICRO_GRID, "JJ-01-01"),
])
HERE = (39.86, 124.14)
WINDOW = timedelta(hours=24)


def order_in_a() -> WorkOrder:
    order = WorkOrder("WG-20261123-0001", "H01", Urgency.NORMAL, 1, "垃圾", T0,
                      grid_code="JJ-01-01-03", lat=HERE[0], lng=HERE[1])
    orders.dispatch(order, "JJ-01-01-03", 2, Due(T0, T0 + timedelta(days=3)), T0)
    return order


def test_leaders_members_and_dispatchers_of_the_grid_and_above_are_in_its_chain():
    order = order_in_a()
    for grid, role in [("JJ-01-01-03", "leader"), ("JJ-01-01", "member"), ("JJ-01", "leader"),
                       ("JJ", "dispatcher")]:
        assert in_chain(TREE, order, [(grid, role)])
    for grid, role in [("JJ-01-01-02", "leader"), ("JJ-02", "leader"), ("JJ", "department"),
                       ("nowhere", "leader")]:
        assert not in_chain(TREE, order, [(grid, role)])


def test_a_person_who_only_knows_the_code_may_not_view():
    order = order_in_a()
    assert not may_view(TREE, order, Part(99))
    assert may_view(TREE, order, Part(99, follower=True))
    assert may_view(TREE, order, Part(99, handled=True))
    assert may_view(TREE, order, Part(2))                          # the assignee


def test_me_too_reaches_only_an_open_order_of_the_same_kind_near_the_pin_in_time():
    order, now = order_in_a(), T0 + timedelta(hours=1)
    assert within_metoo_reach(order, "H01", HERE, now, 100, WINDOW)
    assert not within_metoo_reach(order, "P03", HERE, now, 100, WINDOW)        # another kind
    assert not within_metoo_reach(order, "H01", None, now, 100, WINDOW)        # no pin
    assert not within_metoo_reach(order, "H01", (HERE[0] + 0.01, HERE[1]), now, 100, WINDOW)
    assert not within_metoo_reach(order, "H01", HERE, T0 + timedelta(days=2), 100, WINDOW)
    orders.mark_invalid(order, 3, "重复", now, "other")
    assert not within_metoo_reach(order, "H01", HERE, now, 100, WINDOW)        # final
