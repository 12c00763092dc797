"""Who may see and follow an order, as pure rules: a code alone earns nothing."""
from datetime import UTC, datetime, timedelta

from domain import orders
from domain.access import (
    Part,
    check_merge,
    dispatch_targets,
    followable,
    in_chain,
    may_view,
    scope_roots,
    within,
    within_metoo_reach,
)
from domain.categories import default_taxonomy
from domain.grids import Grid, GridTree, Level
from domain.orders import Due, Urgency, WorkOrder
from domain.refusals import DomainError

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


# --- private categories and staff targets ------------------------------------------------------

KINDS = default_taxonomy()


def test_a_private_category_is_never_followable():
    assert followable(KINDS.get("H01"))
    for code in ("M02", "M06", "F01", "R05"):        # 家庭矛盾, 违法线索举报, 黑作坊, 劳动权益
        assert not followable(KINDS.get(code))


def test_scope_is_the_grids_a_person_leads_or_dispatches_and_the_unit_they_hold():
    order = order_in_a()
    assert scope_roots(TREE, order, [("JJ-01", "leader"), ("JJ-02", "member")], False) == {"JJ-01"}
    assert scope_roots(TREE, order, [("JJ", "department")], True) == {"JJ-01-01-03"}
    assert within(TREE, {"JJ-01"}, "JJ-01-01-02")
    assert not within(TREE, {"JJ-01"}, "JJ-02")
    assert not within(TREE, {"JJ-01"}, "nowhere")


def test_dispatch_offers_only_grids_below_the_part_of_the_chain_the_person_answers_for():
    order = order_in_a()                                   # held by JJ-01-01-03's leader
    assert dispatch_targets(TREE, order, {"JJ-01"}) == ["JJ-01-01"]
    assert dispatch_targets(TREE, order, {"JJ"}) == ["JJ-01", "JJ-02"]
    assert dispatch_targets(TREE, order, {"JJ-01-01-03"}) == []   # micro-grids are not offered
    assert dispatch_targets(TREE, order, {"JJ-02"}) == []          # not on the order's chain
    queued = order_in_a()
    queued.unit_code = "queue:JJ-01"
    assert dispatch_targets(TREE, queued, {"JJ-01"}) == ["JJ-01-01-03", "JJ-01-01"]


def merge_refused(target: WorkOrder, roots: set[str], kind: str, target_kind: str) -> str | None:
    try:
        check_merge(TREE, target, roots, KINDS.get(kind), KINDS.get(target_kind))
    except DomainError as refused:
        return refused.key
    return None


def test_a_merge_target_is_in_scope_public_and_of_the_same_top_category():
    target = order_in_a()
    assert merge_refused(target, {"JJ-01"}, "H02", "H01") is None
    assert merge_refused(target, {"JJ-02"}, "H02", "H01") == "MERGE_TARGET_REFUSED"
    assert merge_refused(target, {"JJ-01"}, "P03", "H01") == "MERGE_TARGET_REFUSED"
    assert merge_refused(target, {"JJ-01"}, "H01", "M02") == "MERGE_PRIVATE_REFUSED"
    assert merge_refused(target, {"JJ-01"}, "M01", "H01") == "MERGE_PRIVATE_REFUSED"
    assert merge_refused(target, {"JJ-02"}, "H01", "M02") == "MERGE_TARGET_REFUSED"  # says nothing
