"""议题上移: an item unsettled at its level in its time climbs one level, once per level per period."""
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import agenda, ladder
from domain.agenda import AgendaItem, AgendaRules, AgendaState, Origin
from domain.grids import Grid, GridTree, Level
from domain.refusals import DomainError, Refusal

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAYS_30 = timedelta(days=30)
LEADER = 2
TREE = GridTree([
    Grid("CD", "成华区", Level.COUNTY),
    Grid("JJ", "锦江街道", Level.STREET, "CD"),
    Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
    Grid("JJ-01-01", "第一网格", Level.GRID, "JJ-01"),
    Grid("JJ-01-01-01", "一号微网格", Level.MICRO_GRID, "JJ-01-01"),
])
LADDER = ["JJ-01-01-01", "JJ-01-01", "JJ-01", "JJ", "CD"]


def raised_at_micro_grid(at: datetime = T0) -> AgendaItem:
    item = AgendaItem("YT-20261201-0001", "老旧小区加装电梯", "五楼以上老人出行难", Origin.LEADER,
                      LEADER, "JJ-01-01-01", "JJ-01-01-01", Level.MICRO_GRID, at, at)
    agenda.propose(item)
    return item


def test_an_item_unsettled_for_thirty_days_moves_one_level_up():
    item = raised_at_micro_grid()
    assert ladder.sweep_ladder([item], TREE, T0 + DAYS_30 - timedelta(seconds=1)) == []
    [event] = ladder.sweep_ladder([item], TREE, T0 + DAYS_30)
    assert (event.kind, event.actor_id, event.data["from"], event.data["to"]) == (
        "moved_up", None, "JJ-01-01-01", "JJ-01-01")
    assert (item.scope_code, item.level, item.state) == ("JJ-01-01", Level.GRID,
                                                         AgendaState.ON_AGENDA)


def test_a_sweep_run_twice_or_late_moves_an_item_only_once():
    item = raised_at_micro_grid()
    late = T0 + timedelta(days=95)       # three periods overdue: still one level per sweep
    assert len(ladder.sweep_ladder([item], TREE, late)) == 1
    assert ladder.sweep_ladder([item], TREE, late) == []
    assert ladder.sweep_ladder([item], TREE, late + DAYS_30 - timedelta(seconds=1)) == []
    assert len(ladder.sweep_ladder([item], TREE, late + DAYS_30)) == 1
    assert item.scope_code == "JJ-01"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=24 * 70), min_size=1, max_size=40))
def test_the_ladder_moves_once_per_level_per_period_and_stops_at_the_county(gaps_in_hours):
    """Sweeps at any times: each level is left once, never before its 30 days ran out there."""
    item = raised_at_micro_grid()
    now, moves = T0, []
    for gap in sorted(gaps_in_hours):
        now = T0 + timedelta(hours=gap) * 3
        moves += ladder.sweep_ladder([item], TREE, now)
    froms = [e.data["from"] for e in moves]
    assert froms == LADDER[:len(froms)]                 # one level at a time, each level once
    arrived = [T0] + [e.at for e in moves]
    assert all(later - earlier >= DAYS_30 for earlier, later in itertools.pairwise(arrived))
    assert item.scope_code == LADDER[len(moves)] and item.moves == len(moves) <= 4


def test_at_the_county_the_item_stays():
    item = raised_at_micro_grid()
    for month in range(1, 8):
        ladder.sweep_ladder([item], TREE, T0 + DAYS_30 * month)
    assert (item.scope_code, item.level, item.moves) == ("CD", Level.COUNTY, 4)
    with pytest.raises(DomainError) as top:
        ladder.move_up(item, TREE, T0 + DAYS_30 * 9, LEADER, "超出职权")
    assert top.value.key == Refusal.AGENDA_AT_THE_TOP


def test_a_settled_item_does_not_move():
    item = raised_at_micro_grid()
    agenda.put_on_agenda(item, T0, LEADER)
    agenda.decide(item, LEADER, "加装", 3, T0 + timedelta(days=90), ("筹资",), T0)
    assert ladder.sweep_ladder([item], TREE, T0 + DAYS_30 * 2) == []
    assert item.scope_code == "JJ-01-01-01"


def test_a_leader_moves_an_item_beyond_the_levels_power_up_with_a_reason():
    item = raised_at_micro_grid()
    with pytest.raises(DomainError) as bare:
        ladder.move_up(item, TREE, T0, LEADER)
    assert bare.value.key == Refusal.REASON_REQUIRED and item.moves == 0
    event = ladder.move_up(item, TREE, T0 + timedelta(days=1), LEADER, "需社区协调资金")
    assert (event.actor_id, event.reason, item.level_since) == (
        LEADER, "需社区协调资金", T0 + timedelta(days=1))


def test_the_time_at_each_level_is_configurable():
    item = raised_at_micro_grid()
    rules = AgendaRules(settle_within=timedelta(days=7))
    assert len(ladder.sweep_ladder([item], TREE, T0 + timedelta(days=7), rules)) == 1
