"""When each clock of an order fires: its stages, worked out from the order and its history.

Planning is pure: the sweeps read an order and its events, call `plan`, and store the stages
still to come; each sweep then only reads the orders whose next stage is due.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy, due_for
from domain.grids import is_queue
from domain.orders import Event, State, WorkOrder
from handlers.clocks import (
    CLOSE,
    ESCALATE,
    LATE,
    OVERDUE,
    RATING,
    RED_LIST,
    REMIND,
    RESOLVE,
    SIGN,
    SUPERVISE,
    Stage,
)
from scheduler.settings import ClockSettings

# The events that move a clock, or record that one fired.
HISTORY_KINDS = ("submitted", "returned", "dispatched", "escalated", "reopened", "extended", "resolved", "supervised",
                 "reminded", "red_listed")


@dataclass(frozen=True)
class History:
    """What planning needs from an order's events."""

    sign_start: datetime | None = None      # the running sign limit began (派单 or 上报)
    resolve_start: datetime | None = None   # the running resolve limit began (or 重办)
    resolve_set: datetime | None = None     # its deadline was last set (an extension moves it)
    overdue_since: datetime | None = None   # the missed deadline of an open 督办
    fired: frozenset[str] = frozenset()     # keys of stages already acted on
    queued_since: datetime | None = None    # it last entered a dispatcher's queue (提单 or 退单)


def read_history(events: Iterable[Event]) -> History:
    """Fold an order's events, oldest first, into what its clocks need."""
    sign_start = resolve_start = resolve_set = overdue_since = queued_since = None
    fired: set[str] = set()
    for event in events:
        if event.kind in ("submitted", "returned"):
            queued_since = event.at
        elif event.kind in ("dispatched", "escalated"):
            sign_start = resolve_start = resolve_set = event.at
        elif event.kind == "reopened":
            resolve_start = resolve_set = event.at
        elif event.kind == "extended":
            resolve_set = event.at
        elif event.kind == "resolved":
            overdue_since = None
        elif event.kind == "supervised" and overdue_since is None and event.data.get("due"):
            overdue_since = datetime.fromisoformat(event.data["due"])
        if "clock" in event.data:
            fired.add(event.data["clock"])
    return History(sign_start, resolve_start, resolve_set, overdue_since, frozenset(fired),
                   queued_since)


def moment(start: datetime, due: datetime, fraction: float, calendar: WorkingCalendar,
           working: bool) -> datetime:
    """When `fraction` of the limit from `start` to `due` has run (2.0: twice the limit)."""
    if working:
        hours = calendar.working_hours_between(start, due)
        return calendar.add_working_hours(start, hours * fraction) if hours > 0 else due
    return start + (due - start) * fraction if due > start else due


def plan(order: WorkOrder, history: History, calendar: WorkingCalendar, policy: DeadlinePolicy,
         settings: ClockSettings, can_escalate: bool) -> list[Stage]:
    """The stages still to come for the order as it stands, in the order they fire."""
    rule = policy.rule(order.urgency)
    stages: list[Stage] = []
    # A queued order (提单 routing could not place, or 退单) waits for its dispatcher to 派单
    # within the sign limit, counted from when it entered the queue; reminded and escalated alike.
    queued = is_queue(order.unit_code)
    waiting = (State.SUBMITTED, State.DISPATCHED) if queued else (State.DISPATCHED,)
    start = (history.queued_since if queued else history.sign_start) or order.created_at
    due = order.sign_due
    if due is None and queued:   # queued before queues had a clock: the limit from its entry
        due = due_for(policy, calendar, order.urgency, start).sign_by
    if order.state in waiting and due is not None:
        for threshold in policy.reminder_thresholds:
            stages.append(Stage(moment(start, due, threshold, calendar, rule.sign_working),
                                SIGN, f"{threshold:g}", due))
        stages.append(Stage(due, SIGN, LATE, due))
        if can_escalate:
            stages.append(Stage(moment(start, due, settings.sign_escalate_after, calendar,
                                       rule.sign_working), SIGN, ESCALATE, due))
    if order.state in (State.DISPATCHED, State.ACCEPTED) and order.resolve_due is not None:
        due = order.resolve_due
        if order.state is State.ACCEPTED:
            start = history.resolve_start or order.created_at
            set_at = history.resolve_set or start
            for threshold in policy.reminder_thresholds:
                at = moment(start, due, threshold, calendar, rule.resolve_working)
                if at > set_at:   # already past when the deadline was set: not news
                    stages.append(Stage(at, RESOLVE, f"{threshold:g}", due))
        stages.append(Stage(due, OVERDUE, SUPERVISE, due))
    if order.state in (State.DISPATCHED, State.ACCEPTED) and history.overdue_since is not None:
        since = history.overdue_since
        hours = settings.red_list_after_working_days * calendar.hours_per_day
        stages.append(Stage(calendar.add_working_hours(since, hours), OVERDUE, RED_LIST, since))
    if order.state is State.RESOLVED and order.resolved_at is not None:
        done = order.resolved_at
        stages.append(Stage(done + settings.rate_reminder_after, RATING, REMIND, done))
        stages.append(Stage(done + settings.close_unrated_after, RATING, CLOSE, done))
    stages.sort(key=lambda stage: stage.sort_key)
    return pending(stages, history.fired)


def pending(stages: list[Stage], fired: frozenset[str]) -> list[Stage]:
    """Drop stages acted on, and those of the same limit that a later one acted on covers."""
    last_fired: dict[tuple[str, datetime], int] = {}
    for i, stage in enumerate(stages):
        if stage.key in fired:
            last_fired[stage.limit] = i
    return [s for i, s in enumerate(stages) if i > last_fired.get(s.limit, -1)]


def split_due(stages: list[Stage], now: datetime) -> tuple[Stage | None, list[Stage]]:
    """The stage to act on now and those still to come.

    When several are due at once (the scheduler was down, or the plan was late) only the last
    acts: after an 80 % reminder, the 50 % one is no news; an escalation covers both.
    """
    due = [stage for stage in stages if stage.at <= now]
    return (due[-1] if due else None), [stage for stage in stages if stage.at > now]
