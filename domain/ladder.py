"""The ladder (议题上移): what a level does not settle in its time goes to the level above.

micro-grid → grid → community → street → county. Each level has `AgendaRules.settle_within`
from the moment the item reached it; an item still unsettled then moves up one level, and its
time at the new level starts at the move. A level is left once: the item never comes back
down, so a sweep run twice, or late, moves it at most one level per period (docs/domain.md, 议事).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.agenda import (
    DEFAULT_RULES,
    UNSETTLED,
    AgendaEvent,
    AgendaIllegal,
    AgendaItem,
    AgendaRules,
    AgendaState,
)
from domain.grids import Grid, GridTree
from domain.refusals import DomainError, Refusal


def level_above(tree: GridTree, item: AgendaItem) -> Grid | None:
    """The unit one level above the item's scope, None at the top of the tree."""
    return tree.parent_of(item.scope_code)


def move_up(item: AgendaItem, tree: GridTree, now: datetime, actor_id: int | None = None,
            reason: str | None = None) -> AgendaEvent:
    """议题上移: onto the agenda of the level above — the scheduler's, when the time ran out
    (actor None), or a leader's, when the matter is beyond the level's power (with a reason)."""
    if item.state not in UNSETTLED:
        raise AgendaIllegal(item.state, "move up")
    if actor_id is not None and not (reason and reason.strip()):
        raise DomainError(Refusal.REASON_REQUIRED)
    upper = level_above(tree, item)
    if upper is None:
        raise DomainError(Refusal.AGENDA_AT_THE_TOP)
    before, item.state = item.state, AgendaState.ON_AGENDA
    origin = item.scope_code
    item.scope_code, item.level, item.level_since = upper.code, upper.level, now
    item.meeting_at = None
    item.moves += 1
    return AgendaEvent(item.code, "moved_up", now, actor_id, before, AgendaState.ON_AGENDA,
                       reason.strip() if reason else None,
                       {"from": origin, "to": upper.code, "level": upper.level.value,
                        "moves": item.moves})


def due_to_move_up(item: AgendaItem, tree: GridTree, now: datetime,
                   rules: AgendaRules = DEFAULT_RULES) -> bool:
    """Unsettled at its level past its time, and a level above to go to."""
    return (item.state in UNSETTLED and now >= item.level_since + rules.settle_within
            and level_above(tree, item) is not None)


def sweep_ladder(items: Iterable[AgendaItem], tree: GridTree, now: datetime,
                 rules: AgendaRules = DEFAULT_RULES) -> list[AgendaEvent]:
    """What the scheduler calls: each item due moves up one level, no more."""
    return [move_up(item, tree, now) for item in items if due_to_move_up(item, tree, now, rules)]
