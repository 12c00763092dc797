"""The clocks of a decided agenda item: 监督 before its deadline, 督办 after it, the end of 评议.

An item decided or in progress has an owner and a deadline. At `AgendaRules.remind_at` of the
time from the decision to the deadline the owner is reminded (监督), once; when the deadline
passes with the item not carried out, 督办 is recorded, once. An item carried out is judged for
`AgendaRules.rating_window`, then closed. Each stage is recorded under its `key` (the
reminder's and 督办's events carry it; closing moves the item), so a stage fired once is never
due again (docs/domain.md, 议事).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.agenda import (
    DEFAULT_RULES,
    AgendaEvent,
    AgendaItem,
    AgendaRules,
    AgendaState,
    close,
    remind,
    supervise,
)

REMIND, SUPERVISE, CLOSE = "remind", "supervise", "close"
EXECUTING = frozenset({AgendaState.DECIDED, AgendaState.IN_PROGRESS})
CLOCKED = EXECUTING | {AgendaState.JUDGING}


@dataclass(frozen=True)
class AgendaStage:
    """One moment on an item's clock: `step` falls at `at`, for the limit that ends at `due`."""

    at: datetime
    step: str
    due: datetime

    @property
    def key(self) -> str:
        return f"agenda:{self.step}@{self.due.astimezone(UTC).isoformat()}"


def stages(item: AgendaItem, since: datetime, rules: AgendaRules = DEFAULT_RULES
           ) -> list[AgendaStage]:
    """The item's clock in its state, from `since`: when it was decided (执行) or carried out
    (评议)."""
    deadline = item.deadline if item.owner_id is not None else None
    return clock(item.state, since, deadline, rules)


def clock(state: AgendaState, since: datetime, deadline: datetime | None,
          rules: AgendaRules = DEFAULT_RULES) -> list[AgendaStage]:
    """`stages` from an item's state, start and deadline alone (what a sweep reads first)."""
    if state in EXECUTING and deadline is not None:
        span = max(deadline - since, timedelta(0))
        return [AgendaStage(since + span * rules.remind_at, REMIND, deadline),
                AgendaStage(deadline, SUPERVISE, deadline)]
    if state is AgendaState.JUDGING:
        end = since + rules.rating_window
        return [AgendaStage(end, CLOSE, end)]
    return []


def pick(clocked: list[AgendaStage], done: Collection[str], now: datetime
         ) -> AgendaStage | None:
    """The stage to act on now, if any: the latest one fallen due, unless it is recorded. A
    reminder whose deadline has already passed is not sent: 督办 says more."""
    fallen = [s for s in clocked if s.at <= now]
    if not fallen or fallen[-1].key in done:
        return None
    return fallen[-1]


def due(item: AgendaItem, since: datetime, done: Collection[str], now: datetime,
        rules: AgendaRules = DEFAULT_RULES) -> AgendaStage | None:
    """What `pick` finds on the item's clock."""
    return pick(stages(item, since, rules), done, now)


def fire(item: AgendaItem, stage: AgendaStage, now: datetime) -> AgendaEvent:
    """Act on a due stage: the event the item records."""
    if stage.step == REMIND:
        return remind(item, now, stage.key)
    if stage.step == SUPERVISE:
        return supervise(item, now, stage.key)
    if stage.step == CLOSE:
        return close(item, now)
    raise ValueError(f"unknown agenda clock stage {stage.key}")
