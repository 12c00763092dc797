"""A decided 议题's clocks: 监督 at 80 % of the time, 督办 at the deadline, 评议's end — the
latest stage due, once."""
from datetime import timedelta

import pytest

from domain import agenda, agenda_clocks
from domain.agenda import AgendaIllegal, AgendaRules, AgendaState
from domain.agenda_clocks import CLOSE, REMIND, SUPERVISE
from domain.grids import Level
from tests.domain.test_agenda import DEADLINE, OWNER, T0, decided, opened

SPAN = DEADLINE - T0


def test_a_decided_item_is_reminded_at_80_percent_then_supervised_at_its_deadline():
    item = decided()
    remind, supervise = agenda_clocks.stages(item, T0)
    assert (remind.step, remind.at) == (REMIND, T0 + SPAN * 0.8)
    assert (supervise.step, supervise.at) == (SUPERVISE, DEADLINE)
    assert agenda_clocks.due(item, T0, (), remind.at - timedelta(seconds=1)) is None
    assert agenda_clocks.due(item, T0, (), remind.at) == remind
    assert agenda_clocks.due(item, T0, {remind.key}, DEADLINE - timedelta(seconds=1)) is None
    assert agenda_clocks.due(item, T0, {remind.key}, DEADLINE) == supervise
    assert agenda_clocks.due(item, T0, {remind.key, supervise.key},
                              DEADLINE + timedelta(days=9)) is None


def test_past_the_deadline_only_supervision_is_due_even_never_reminded():
    item = decided()
    stage = agenda_clocks.due(item, T0, (), DEADLINE + timedelta(days=3))
    assert stage is not None and stage.step == SUPERVISE


def test_the_reminder_and_supervision_are_remarks_naming_their_stage():
    item = decided()
    remind, supervise = agenda_clocks.stages(item, T0)
    event = agenda_clocks.fire(item, remind, remind.at)
    assert (event.kind, event.data["clock"], event.data["to"]) == ("reminded", remind.key, OWNER)
    event = agenda_clocks.fire(item, supervise, DEADLINE)
    assert (event.kind, event.data["clock"], event.data["percent"]) == ("supervised",
                                                                        supervise.key, 0)
    assert item.state is AgendaState.DECIDED


def test_supervision_before_the_deadline_or_without_an_owner_is_refused():
    item = decided()
    with pytest.raises(AgendaIllegal):
        agenda.supervise(item, DEADLINE - timedelta(minutes=1), "x")
    with pytest.raises(AgendaIllegal):
        agenda.remind(opened(), T0, "x")
    agenda.report_progress(item, OWNER, 100, "完成", T0)
    with pytest.raises(AgendaIllegal):
        agenda.supervise(item, DEADLINE, "x")             # judging: nothing to supervise


def test_judging_closes_when_its_window_runs_out():
    item = decided()
    done_at = T0 + timedelta(days=5)
    agenda.report_progress(item, OWNER, 100, "完成", done_at)
    rules = AgendaRules(rating_window=timedelta(days=3))
    [end] = agenda_clocks.stages(item, done_at, rules)
    assert (end.step, end.at) == (CLOSE, done_at + timedelta(days=3))
    assert agenda_clocks.due(item, done_at, (), end.at - timedelta(seconds=1), rules) is None
    event = agenda_clocks.fire(item, end, end.at)
    assert (event.kind, item.state, item.closed_at) == ("closed", AgendaState.CLOSED, end.at)
    assert agenda_clocks.stages(item, done_at, rules) == []


@pytest.mark.parametrize("rules", [
    {"remind_at": 1.0}, {"remind_at": 0.0}, {"rating_window": timedelta(0)},
    {"settle_within": timedelta(days=-1)}, {"thresholds": {Level.GRID: 0}}])
def test_rules_out_of_range_are_refused(rules):
    with pytest.raises(ValueError):
        AgendaRules(**rules)
