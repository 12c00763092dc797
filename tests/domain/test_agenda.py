"""The agenda item's state machine (六步议事法): every move docs/domain.md allows, nothing else."""
import copy
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain import agenda, ladder
from domain.agenda import (
    AGENDA_TRANSITIONS,
    AgendaEvent,
    AgendaIllegal,
    AgendaItem,
    AgendaRules,
    AgendaState,
    Origin,
)
from domain.grids import Grid, GridTree, Level
from domain.orders import Satisfaction
from domain.refusals import DomainError, Refusal

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PROPOSER, LEADER, OWNER = 1, 2, 3
NEIGHBOURS = range(100, 130)
DEADLINE = T0 + timedelta(days=60)


def new_item(origin: Origin = Origin.RESIDENT, level: Level = Level.GRID) -> AgendaItem:
    scope = {Level.GRID: "JJ-01-01", Level.COMMUNITY: "JJ-01"}[level]
    return AgendaItem("YT-20261201-0001", "小区门口加装充电桩", "电动车乱停乱充，存在火灾隐患",
                      origin, PROPOSER if origin is Origin.RESIDENT else LEADER, "JJ-01-01-01",
                      scope, level, T0, T0)


def opened(supports: int = 0) -> AgendaItem:
    item = new_item()
    agenda.propose(item)
    agenda.open_discussion(item, LEADER, T0)
    for person in list(NEIGHBOURS)[:supports]:
        agenda.support(item, person, T0)
    return item


def decided() -> AgendaItem:
    item = opened(10)
    agenda.put_on_agenda(item, T0)
    agenda.decide(item, LEADER, "由物业牵头加装", OWNER, DEADLINE, ("选址", "施工"), T0)
    return item


def test_agenda_code_has_date_and_four_digits():
    assert agenda.agenda_code(T0.date(), 3) == "YT-20261201-0003"


def test_the_six_steps_write_one_event_each_and_end_closed():
    item = new_item()
    events = [agenda.propose(item), agenda.open_discussion(item, LEADER, T0)]
    events += [agenda.support(item, p, T0) for p in list(NEIGHBOURS)[:10]]
    events.append(agenda.remark(item, "commented", T0, 101, "支持，楼下天天有人飞线充电"))
    events.append(agenda.put_on_agenda(item, T0, meeting_at=T0 + timedelta(days=7)))
    events.append(agenda.decide(item, LEADER, "由物业牵头加装", OWNER, DEADLINE, ("选址", "施工"),
                                T0 + timedelta(days=7)))
    events.append(agenda.report_progress(item, OWNER, 40, "选址完成", T0 + timedelta(days=20)))
    events.append(agenda.finish_task(item, OWNER, 0, T0 + timedelta(days=20)))
    events.append(agenda.report_progress(item, OWNER, 100, "已投用", T0 + timedelta(days=50)))
    events.append(agenda.rate(item, 101, Satisfaction.SATISFIED, T0 + timedelta(days=51)))
    events.append(agenda.close(item, T0 + timedelta(days=58)))
    assert item.state is AgendaState.CLOSED
    assert [e.kind for e in events if e.kind != "supported"] == [
        "proposed", "opened", "commented", "scheduled", "decided", "progress", "task_done",
        "carried_out", "rated", "closed"]
    assert events[11].data == {"supports": 10, "reached": True}
    assert events[-3].data["on_time"] is True and events[-1].data == {"rated": 1, "satisfied": 1}


def test_a_resident_supports_once_and_not_their_own_item():
    item = opened()
    agenda.support(item, 101, T0)
    with pytest.raises(DomainError) as twice:
        agenda.support(item, 101, T0)
    with pytest.raises(DomainError) as own:
        agenda.support(item, PROPOSER, T0)
    assert (twice.value.key, own.value.key) == (Refusal.AGENDA_SUPPORTED_TWICE,
                                                Refusal.AGENDA_OWN_ITEM)
    assert item.supporters == {101}


@pytest.mark.parametrize(("level", "needed"), [(Level.GRID, 10), (Level.COMMUNITY, 30)])
def test_a_residents_item_reaches_the_agenda_at_its_levels_threshold(level, needed):
    item = new_item(level=level)
    agenda.propose(item)
    agenda.open_discussion(item, LEADER, T0)
    for person in range(200, 200 + needed - 1):
        agenda.support(item, person, T0)
    with pytest.raises(DomainError) as short:
        agenda.put_on_agenda(item, T0)
    assert short.value.key == Refusal.AGENDA_BELOW_THRESHOLD
    assert agenda.support(item, 999, T0).data["reached"] is True
    assert agenda.put_on_agenda(item, T0).to_state is AgendaState.ON_AGENDA


def test_the_threshold_is_configurable():
    rules = AgendaRules(thresholds={Level.GRID: 2})
    item = opened()
    agenda.support(item, 101, T0, rules)
    assert agenda.support(item, 102, T0, rules).data["reached"] is True
    agenda.put_on_agenda(item, T0, rules=rules)
    assert item.state is AgendaState.ON_AGENDA


def test_a_leader_tables_an_item_below_the_threshold_only_with_a_reason():
    item = opened(3)
    agenda.put_on_agenda(item, T0, LEADER, reason="涉及消防安全，提前上会")
    assert item.state is AgendaState.ON_AGENDA


def test_a_leaders_item_opens_at_once_and_needs_no_supports():
    item = new_item(Origin.LEADER)
    assert agenda.propose(item).to_state is AgendaState.OPEN
    agenda.put_on_agenda(item, T0, LEADER)
    assert item.state is AgendaState.ON_AGENDA


def test_an_item_lifted_from_orders_names_them():
    item = new_item(Origin.ORDER)
    with pytest.raises(DomainError) as none:
        agenda.propose(item)
    assert none.value.key == Refusal.AGENDA_NO_ORDERS and item.state is AgendaState.PROPOSED
    event = agenda.propose(item, ("WG-20261130-0007", "WG-20261130-0009"))
    assert event.data["orders"] == ["WG-20261130-0007", "WG-20261130-0009"]
    assert event.data["origin"] == "order" and item.state is AgendaState.OPEN


def test_a_decision_needs_an_owner_a_future_deadline_and_a_task():
    item = opened(10)
    agenda.put_on_agenda(item, T0)
    for deadline, tasks in ((DEADLINE, ()), (DEADLINE, ("  ",)), (T0, ("施工",))):
        with pytest.raises(DomainError) as incomplete:
            agenda.decide(item, LEADER, "加装", OWNER, deadline, tasks, T0)
        assert incomplete.value.key == Refusal.AGENDA_DECISION_INCOMPLETE
    assert item.state is AgendaState.ON_AGENDA


def test_declining_needs_a_reason_and_is_final():
    item = opened(2)
    with pytest.raises(DomainError):
        agenda.decline(item, LEADER, " ", T0)
    event = agenda.decline(item, LEADER, "场地属于市政道路，无法加装", T0)
    assert (event.to_state, item.decision) == (AgendaState.DECLINED, "场地属于市政道路，无法加装")
    with pytest.raises(AgendaIllegal):
        agenda.support(item, 120, T0)


def test_only_the_owner_reports_progress_and_it_never_goes_back():
    item = decided()
    with pytest.raises(DomainError) as stranger:
        agenda.report_progress(item, LEADER, 10, "开始", T0)
    assert stranger.value.key == Refusal.AGENDA_NOT_OWNER
    agenda.report_progress(item, OWNER, 50, "过半", T0)
    for percent in (40, 101):
        with pytest.raises(DomainError) as wrong:
            agenda.report_progress(item, OWNER, percent, "调整", T0)
        assert wrong.value.key == Refusal.AGENDA_PROGRESS_RANGE
    assert (item.progress, item.state) == (50, AgendaState.IN_PROGRESS)


def test_late_progress_is_recorded_as_late():
    item = decided()
    event = agenda.report_progress(item, OWNER, 100, "已完成", DEADLINE + timedelta(days=1))
    assert event.data["on_time"] is False and item.state is AgendaState.JUDGING


def test_a_resident_rates_once():
    item = decided()
    agenda.report_progress(item, OWNER, 100, "已完成", T0)
    agenda.rate(item, 101, Satisfaction.VERY_SATISFIED, T0)
    with pytest.raises(DomainError) as twice:
        agenda.rate(item, 101, Satisfaction.UNSATISFIED, T0)
    assert twice.value.key == Refusal.AGENDA_RATED_TWICE
    assert item.ratings == {101: Satisfaction.VERY_SATISFIED}


def test_a_comment_needs_words_and_no_comment_after_the_end():
    item = opened()
    with pytest.raises(DomainError):
        agenda.remark(item, "commented", T0, 101, "  ")
    agenda.decline(item, LEADER, "重复议题", T0)
    with pytest.raises(AgendaIllegal):
        agenda.remark(item, "commented", T0, 101, "为什么？")


def test_events_are_immutable():
    event = agenda.propose(new_item())
    with pytest.raises(AttributeError):
        event.kind = "decided"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.data["origin"] = "leader"  # type: ignore[index]


PEOPLE = st.sampled_from([PROPOSER, LEADER, OWNER, 101, 102, 103])
TEXTS = st.sampled_from(["", "  ", "由物业牵头加装"])
# Mostly well-formed where a step moves the item on, mostly refused where it ends it, so
# that runs reach 执行, 评议 and the end as well as the early refusals.
GOOD_TEXTS = st.sampled_from(["由物业牵头加装", "已完成选址", ""])
RARE_REASONS = st.sampled_from(["", "  ", "", "重复议题"])
MOSTLY_OWNER = st.sampled_from([OWNER, OWNER, LEADER, 101])
RATINGS = st.sampled_from(list(Satisfaction))
SMALL = AgendaRules(thresholds={Level.GRID: 2})
TREE = GridTree([Grid("JJ", "锦江街道", Level.STREET), Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
                 Grid("JJ-01-01", "第一网格", Level.GRID, "JJ-01"),
                 Grid("JJ-01-01-01", "一号微网格", Level.MICRO_GRID, "JJ-01-01")])


class AgendaLife(RuleBasedStateMachine):
    """Random people try random steps; the item stays inside docs/domain.md's transitions."""

    def __init__(self):
        super().__init__()
        self.item = new_item()
        self.events: list[AgendaEvent] = [agenda.propose(self.item)]
        self.now = T0

    @initialize(start=st.sampled_from(["proposed", "open", "decided", "judging"]))
    def start_at(self, start):
        """Runs begin at each stage too, so that 执行, 评议 and the end are explored as much."""
        steps = {"open": 1, "decided": 4, "judging": 5}.get(start, 0)
        path = [lambda: agenda.open_discussion(self.item, LEADER, self.now),
                lambda: agenda.support(self.item, 101, self.now, SMALL),
                lambda: agenda.support(self.item, 102, self.now, SMALL),
                lambda: agenda.decide(self.item, LEADER, "加装", OWNER, DEADLINE, ("施工",),
                                      self.now),
                lambda: agenda.report_progress(self.item, OWNER, 100, "已完成", self.now)]
        for step in path[:steps]:
            self.events.append(step())
            if self.item.state is AgendaState.OPEN and len(self.item.supporters) == 2:
                self.events.append(agenda.put_on_agenda(self.item, self.now, rules=SMALL))

    def attempt(self, action, *args):
        self.now += timedelta(hours=5)
        before = copy.deepcopy(vars(self.item))
        try:
            event = action(self.item, *args)
        except DomainError:
            assert vars(self.item) == before, "a refused action changed the item"
            return
        assert event.from_state is before["state"] and event.to_state is self.item.state
        if event.to_state is not event.from_state:
            assert event.to_state in AGENDA_TRANSITIONS[event.from_state]
        self.events.append(event)

    @rule(who=PEOPLE)
    def open_discussion(self, who):
        self.attempt(agenda.open_discussion, who, self.now)

    @rule(who=PEOPLE)
    def support(self, who):
        self.attempt(agenda.support, who, self.now, SMALL)

    @rule(who=PEOPLE, reason=st.sampled_from([None, "", "涉及安全"]))
    def put_on_agenda(self, who, reason):
        self.attempt(agenda.put_on_agenda, self.now, who, None, reason, SMALL)

    @rule(who=PEOPLE, text=GOOD_TEXTS, tasks=st.sampled_from([(), ("施工",), ("选址", "施工")]),
          days=st.sampled_from([-1, 30, 30]))
    def decide(self, who, text, tasks, days):
        self.attempt(agenda.decide, who, text, OWNER, self.now + timedelta(days=days), tasks,
                     self.now)

    @rule(who=PEOPLE, text=RARE_REASONS)
    def decline(self, who, text):
        self.attempt(agenda.decline, who, text, self.now)

    @rule(who=MOSTLY_OWNER, percent=st.sampled_from([0, 30, 60, 100, 120]), text=GOOD_TEXTS)
    def report_progress(self, who, percent, text):
        self.attempt(agenda.report_progress, who, percent, text, self.now)

    @rule(who=MOSTLY_OWNER, task=st.integers(-1, 2))
    def finish_task(self, who, task):
        self.attempt(agenda.finish_task, who, task, self.now)

    @rule(who=PEOPLE, rating=RATINGS)
    def rate(self, who, rating):
        self.attempt(agenda.rate, who, rating, self.now)

    @rule(who=st.sampled_from([None, LEADER]), reason=st.sampled_from([None, "超出社区职权"]))
    def move_up(self, who, reason):
        self.attempt(ladder.move_up, TREE, self.now, who, reason)

    @rule()
    def close(self):
        self.attempt(agenda.close, self.now)

    @rule(who=PEOPLE, kind=st.sampled_from(["commented", "reminded", "supervised", "nonsense"]),
          text=TEXTS)
    def remark(self, who, kind, text):
        self.attempt(agenda.remark, kind, self.now, who, text)

    @invariant()
    def history_is_a_chain_of_allowed_moves(self):
        for before, after in zip(self.events, self.events[1:], strict=False):
            assert after.from_state is before.to_state
            assert after.at >= before.at

    @invariant()
    def the_rules_of_the_item_hold(self):
        item = self.item
        assert PROPOSER not in item.supporters
        if item.state in (AgendaState.DECIDED, AgendaState.IN_PROGRESS, AgendaState.JUDGING):
            assert item.owner_id == OWNER and item.tasks and item.deadline
        if item.state is AgendaState.JUDGING or item.ratings:
            assert item.progress == 100
        if item.state.is_final:
            assert item.closed_at is not None
        assert len([e for e in self.events if e.kind == "supported"]) == len(item.supporters)
        assert len([e for e in self.events if e.kind == "rated"]) == len(item.ratings)
        assert item.moves == len([e for e in self.events if e.kind == "moved_up"]) <= 2
        assert TREE.get(item.scope_code).level is item.level


AgendaLife.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_agenda_life = AgendaLife.TestCase
