"""The work order's state machine: every move docs/domain.md allows, nothing it does not."""
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain import order_codes, orders
from domain.orders import (
    TRANSITIONS,
    Due,
    Event,
    IllegalAction,
    NotYourOrder,
    ReasonRequired,
    Satisfaction,
    State,
    Urgency,
    WorkOrder,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REPORTER, LEADER, COMMUNITY = 1, 2, 3
DUE = Due(T0 + timedelta(hours=2), T0 + timedelta(days=3))


def new_order() -> WorkOrder:
    return WorkOrder("WG-20261123-0001", "E01", Urgency.NORMAL, REPORTER, "楼下垃圾没人清运", T0,
                     grid_code="JJ-01-01-01")


def dispatched() -> WorkOrder:
    order = new_order()
    orders.dispatch(order, "JJ-01-01-01", LEADER, DUE, T0)
    return order


def test_order_code_has_date_and_four_digits():
    assert order_codes.order_code(T0.date(), 42) == "WG-20261123-0042"


def test_the_happy_path_writes_one_event_per_step():
    order = new_order()
    events = [orders.submit(order)]
    events.append(orders.dispatch(order, "JJ-01-01-01", LEADER, DUE, T0))
    events.append(orders.sign_for(order, LEADER, T0 + timedelta(minutes=30)))
    events.append(orders.report_progress(order, LEADER, "已联系物业", T0 + timedelta(hours=1)))
    events.append(orders.resolve(order, LEADER, "已清运", T0 + timedelta(hours=5)))
    events.append(orders.rate(order, REPORTER, True, Satisfaction.SATISFIED, T0 + timedelta(hours=6)))
    assert order.state is State.CLOSED
    assert [e.kind for e in events] == ["submitted", "dispatched", "signed", "progress", "resolved",
                                        "rated"]
    assert events[2].data["on_time"] is True and events[4].data["on_time"] is True


def test_signing_late_is_recorded_as_late():
    order = dispatched()
    event = orders.sign_for(order, LEADER, T0 + timedelta(hours=3))
    assert event.data["on_time"] is False


def test_only_the_assignee_signs_for_an_order():
    order = dispatched()
    with pytest.raises(NotYourOrder):
        orders.sign_for(order, 99, T0)
    assert order.state is State.DISPATCHED


def test_an_illegal_action_names_the_state_and_the_action():
    order = new_order()
    with pytest.raises(IllegalAction) as caught:
        orders.resolve(order, LEADER, "done", T0)
    assert "resolve" in str(caught.value) and "submitted" in str(caught.value)
    assert order.state is State.SUBMITTED


def test_a_return_needs_a_reason_and_counts():
    order = dispatched()
    with pytest.raises(ReasonRequired):
        orders.return_order(order, LEADER, " ", "JJ-01", COMMUNITY, T0)
    orders.return_order(order, LEADER, "不属于本网格", "JJ-01", COMMUNITY, T0)
    assert (order.state, order.returns, order.assignee_id) == (State.DISPATCHED, 1, COMMUNITY)


def test_unsatisfied_reopens_once_then_asks_for_escalation():
    order = dispatched()
    orders.sign_for(order, LEADER, T0)
    for attempt in (1, 2):
        orders.resolve(order, LEADER, "已处理", T0)
        orders.reopen(order, REPORTER, False, Satisfaction.UNSATISFIED, "还是没清", None, T0)
        assert order.state is State.ACCEPTED and order.reopens == attempt
    assert orders.must_escalate_after_reopen(order)


def test_a_satisfied_rating_cannot_reopen_and_only_the_reporter_rates():
    order = dispatched()
    orders.sign_for(order, LEADER, T0)
    orders.resolve(order, LEADER, "已处理", T0)
    with pytest.raises(NotYourOrder):
        orders.rate(order, LEADER, True, Satisfaction.SATISFIED, T0)
    with pytest.raises(orders.DomainError):
        orders.reopen(order, REPORTER, True, Satisfaction.SATISFIED, "x", None, T0)
    assert order.state is State.RESOLVED


def test_final_states_accept_nothing():
    order = new_order()
    orders.merge(order, "WG-20261123-0002", COMMUNITY, T0)
    with pytest.raises(IllegalAction):
        orders.dispatch(order, "JJ-01", LEADER, DUE, T0)
    with pytest.raises(IllegalAction):
        orders.mark_invalid(order, COMMUNITY, "重复", T0)


def test_events_cannot_be_changed_once_written():
    event = orders.submit(new_order())
    with pytest.raises(AttributeError):
        event.kind = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.data["grid"] = "x"  # type: ignore[index]


def test_remarks_keep_the_state_and_refuse_where_they_do_not_fit():
    order = dispatched()
    event = orders.remark(order, "supervised", T0, reason="超期督办")
    assert (event.from_state, event.to_state, order.state) == (State.DISPATCHED,) * 3
    with pytest.raises(IllegalAction):
        orders.remark(order, "published", T0)


# --- property: no sequence of actions leaves an order undefined or without its events ----------

PEOPLE = st.sampled_from([REPORTER, LEADER, COMMUNITY, 99])
REASONS = st.sampled_from(["", "不属于本网格", "  "])
RATINGS = st.sampled_from(list(Satisfaction))


class OrderLife(RuleBasedStateMachine):
    """Random actors try random actions; the order must stay inside docs/domain.md's transitions."""

    def __init__(self):
        super().__init__()
        self.order = new_order()
        self.events: list[Event] = [orders.submit(self.order)]
        self.now = T0

    def attempt(self, action, *args):
        self.now += timedelta(minutes=7)
        before = (self.order.state, vars(self.order).copy())
        try:
            event = action(self.order, *args)
        except orders.DomainError:
            assert (self.order.state, vars(self.order)) == before, "a refused action changed the order"
            return
        assert event.from_state is before[0] and event.to_state is self.order.state
        if event.to_state is not event.from_state:
            assert event.to_state in TRANSITIONS[event.from_state]
        self.events.append(event)

    @rule(who=PEOPLE)
    def dispatch(self, who):
        self.attempt(orders.dispatch, "JJ-01-01-01", LEADER, DUE, self.now, who)

    @rule(who=PEOPLE)
    def sign_for(self, who):
        self.attempt(orders.sign_for, who, self.now)

    @rule(who=PEOPLE, reason=REASONS)
    def return_order(self, who, reason):
        self.attempt(orders.return_order, who, reason, "JJ-01", LEADER, self.now)

    @rule(who=PEOPLE)
    def escalate(self, who):
        self.attempt(orders.escalate, "JJ-01", LEADER, DUE, self.now, who, "上报")

    @rule(who=PEOPLE, reason=REASONS)
    def extend(self, who, reason):
        self.attempt(orders.extend, who, self.now + timedelta(days=5), reason, self.now)

    @rule(who=PEOPLE)
    def resolve(self, who):
        self.attempt(orders.resolve, who, "已处理", self.now)

    @rule(who=PEOPLE, solved=st.booleans(), rating=RATINGS)
    def rate(self, who, solved, rating):
        self.attempt(orders.rate, who, solved, rating, self.now)

    @rule(who=PEOPLE, rating=RATINGS, reason=REASONS)
    def reopen(self, who, rating, reason):
        self.attempt(orders.reopen, who, False, rating, reason, None, self.now)

    @rule()
    def close_unrated(self):
        self.attempt(orders.close_unrated, self.now)

    @rule(who=PEOPLE, reason=REASONS)
    def mark_invalid(self, who, reason):
        self.attempt(orders.mark_invalid, who, reason, self.now)

    @rule(who=PEOPLE, into=st.sampled_from(["WG-20261123-0001", "WG-20261123-0002"]))
    def merge(self, who, into):
        self.attempt(orders.merge, into, who, self.now)

    @rule(kind=st.sampled_from(sorted(orders.REMARKS)))
    def remark(self, kind):
        self.attempt(orders.remark, kind, self.now)

    @invariant()
    def state_is_defined_and_explained_by_events(self):
        assert self.order.state in set(State)
        moves = [e for e in self.events if e.to_state is not None]
        assert moves[-1].to_state is self.order.state  # the last event tells where the order is
        assert self.events[0].kind == "submitted"
        for earlier, later in itertools.pairwise(moves):
            assert later.from_state is earlier.to_state  # the history has no gaps
        assert all(e.at <= f.at for e, f in zip(self.events, self.events[1:], strict=False))

    @invariant()
    def final_states_are_final(self):
        finals = [i for i, e in enumerate(self.events) if e.to_state and e.to_state.is_final]
        if finals:
            assert all(e.from_state is e.to_state for e in self.events[finals[0] + 1:])

    @invariant()
    def counters_match_the_history(self):
        kinds = [e.kind for e in self.events]
        assert self.order.returns == kinds.count("returned")
        assert self.order.reopens == kinds.count("reopened")
        assert self.order.escalations == kinds.count("escalated")


OrderLife.TestCase.settings = settings(max_examples=300, stateful_step_count=30, deadline=None)
TestOrderLife = OrderLife.TestCase


@pytest.mark.parametrize(("prefix", "days"), [
    ("WG-20261120", ("2026-11-20", "2026-11-20", True)),
    ("wg-20261120-", ("2026-11-20", "2026-11-20", True)),
    ("WG-20261120-004", ("2026-11-20", "2026-11-20", False)),
    ("WG-202602", ("2026-02-01", "2026-02-28", True)),
    ("WG-202612", ("2026-12-01", "2026-12-31", True)),
    ("WG-2026", ("2026-01-01", "2026-12-31", True)),
    ("WG-2026112", None), ("WG-202611-", None), ("WG-20261301", None), ("WG-20260230", None),
    ("WG-", None), ("YT-20261120", None),
])
def test_a_code_prefix_names_the_days_its_orders_were_filed_on(prefix, days):
    found = order_codes.filing_days(prefix)
    assert (found and (found.first.isoformat(), found.last.isoformat(), found.whole)) == days
    if found is not None:           # every code filed on those days begins with the prefix
        code = order_codes.order_code(found.last, 42)
        assert code.startswith(prefix.strip().upper()) or not found.whole
