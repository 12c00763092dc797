"""The work order (工单) and its state machine — 四单办结法: 提单 → 派单 → 办单 → 评单.

Every action checks the state it starts from, changes the order and returns the one immutable
`Event` that records it. An action that is not allowed raises before touching the order.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from domain.refusals import DomainError, Refusal


class State(StrEnum):
    SUBMITTED = "submitted"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"
    INVALID = "invalid"
    MERGED = "merged"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset({State.CLOSED, State.INVALID, State.MERGED})

# What may follow what (docs/domain.md, Transitions).
TRANSITIONS: Mapping[State, frozenset[State]] = MappingProxyType({
    State.SUBMITTED: frozenset({State.DISPATCHED, State.INVALID, State.MERGED}),
    State.DISPATCHED: frozenset({State.ACCEPTED, State.DISPATCHED, State.INVALID, State.MERGED}),
    State.ACCEPTED: frozenset({State.RESOLVED, State.DISPATCHED, State.ACCEPTED}),
    State.RESOLVED: frozenset({State.CLOSED, State.ACCEPTED}),
    State.CLOSED: frozenset(),
    State.INVALID: frozenset(),
    State.MERGED: frozenset(),
})


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"
    COMPLEX = "complex"
    CONSULT = "consult"



class Satisfaction(StrEnum):
    """The national five-level scale."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"
    VERY_UNSATISFIED = "very_unsatisfied"

    @property
    def is_satisfied(self) -> bool:
        return self in (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED,
                        Satisfaction.BASICALLY_SATISFIED)



class IllegalAction(DomainError):
    """The order's state does not allow the action (签收 pressed twice, say)."""

    def __init__(self, state: State, action: str):
        self.state, self.action = state, action
        super().__init__(Refusal.ILLEGAL_STATE, state=state, action=action)


class NotYourOrder(DomainError):
    def __init__(self, code: str, person_id: int | None):
        self.code, self.person_id = code, person_id
        super().__init__(Refusal.NOT_YOUR_ORDER, code=code)


class ReasonRequired(DomainError):
    def __init__(self, action: str):
        self.action = action
        super().__init__(Refusal.REASON_REQUIRED)


@dataclass(frozen=True)
class Event:
    """One immutable line of an order's history; every metric is computed from these."""

    order_code: str
    kind: str
    at: datetime
    actor_id: int | None = None
    from_state: State | None = None
    to_state: State | None = None
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))


@dataclass(frozen=True)
class Due:
    """When an order must be signed for and resolved."""

    sign_by: datetime | None
    resolve_by: datetime | None


@dataclass
class WorkOrder:
    code: str
    category: str
    urgency: Urgency
    reporter_id: int | None
    description: str
    created_at: datetime
    state: State = State.SUBMITTED
    grid_code: str | None = None     # where the report landed
    unit_code: str | None = None     # the unit that holds it now (a grid, a department, a queue)
    assignee_id: int | None = None   # the person who must act
    lat: float | None = None         # WGS-84
    lng: float | None = None
    address: str | None = None
    sign_due: datetime | None = None
    resolve_due: datetime | None = None
    signed_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    returns: int = 0
    reopens: int = 0
    escalations: int = 0
    extensions: int = 0
    merged_into: str | None = None
    solved: bool | None = None
    satisfaction: Satisfaction | None = None
    result_note: str | None = None


def _move(order: WorkOrder, action: str, allowed_from: set[State], to: State) -> State:
    if order.state not in allowed_from:
        raise IllegalAction(order.state, action)
    assert to in TRANSITIONS[order.state], (order.state, to)  # the table and the actions agree
    before, order.state = order.state, to
    return before


def _need(reason: str | None, action: str) -> str:
    if not reason or not reason.strip():
        raise ReasonRequired(action)
    return reason.strip()


def holds(order: WorkOrder, person_id: int | None) -> bool:
    """The person holds the order now: it is theirs to sign, return, progress and resolve."""
    return person_id is not None and person_id == order.assignee_id


def _must_hold(order: WorkOrder, person_id: int | None) -> None:
    if not holds(order, person_id):
        raise NotYourOrder(order.code, person_id)


def submit(order: WorkOrder, photos: tuple[str, ...] = ()) -> Event:
    """提单: a new order records its own birth (and the report's photos)."""
    if order.state is not State.SUBMITTED:
        raise IllegalAction(order.state, "submit")
    return Event(order.code, "submitted", order.created_at, order.reporter_id, None,
                 State.SUBMITTED, data={"category": order.category, "urgency": order.urgency.value,
                                        "grid": order.grid_code, "photos": list(photos)})


def dispatch(order: WorkOrder, unit_code: str, assignee_id: int | None, due: Due,
             now: datetime, actor_id: int | None = None, reason: str | None = None) -> Event:
    """派单: give the order to a unit and the person who must sign for it."""
    before = _move(order, "dispatch", {State.SUBMITTED, State.DISPATCHED}, State.DISPATCHED)
    order.unit_code, order.assignee_id = unit_code, assignee_id
    order.sign_due, order.resolve_due = due.sign_by, due.resolve_by
    return Event(order.code, "dispatched", now, actor_id, before, State.DISPATCHED, reason,
                 {"unit": unit_code, "assignee": assignee_id, **_due_data(due)})


def sign_for(order: WorkOrder, handler_id: int, now: datetime) -> Event:
    """签收: the assigned handler takes the order on."""
    if order.state is not State.DISPATCHED:
        raise IllegalAction(order.state, "sign for")
    _must_hold(order, handler_id)
    before = _move(order, "sign for", {State.DISPATCHED}, State.ACCEPTED)
    order.signed_at = now
    on_time = order.sign_due is None or now <= order.sign_due
    return Event(order.code, "signed", now, handler_id, before, State.ACCEPTED,
                 data={"on_time": on_time})


def return_order(order: WorkOrder, handler_id: int, reason: str, to_unit: str,
                 to_assignee: int | None, now: datetime) -> Event:
    """退单: the handler says it is not theirs; it goes back to the dispatcher above."""
    if order.state is not State.DISPATCHED:
        raise IllegalAction(order.state, "return")
    _must_hold(order, handler_id)
    reason = _need(reason, "return")
    before = _move(order, "return", {State.DISPATCHED}, State.DISPATCHED)
    order.returns += 1
    order.unit_code, order.assignee_id = to_unit, to_assignee
    return Event(order.code, "returned", now, handler_id, before, State.DISPATCHED, reason,
                 {"unit": to_unit, "assignee": to_assignee, "returns": order.returns})


def escalate(order: WorkOrder, to_unit: str, to_assignee: int | None, due: Due, now: datetime,
             actor_id: int | None = None, reason: str | None = None) -> Event:
    """上报 / 上移: the order climbs one level; the scheduler escalates with actor None."""
    before = _move(order, "escalate", {State.DISPATCHED, State.ACCEPTED}, State.DISPATCHED)
    order.escalations += 1
    order.unit_code, order.assignee_id = to_unit, to_assignee
    order.sign_due, order.resolve_due = due.sign_by, due.resolve_by
    return Event(order.code, "escalated", now, actor_id, before, State.DISPATCHED, reason,
                 {"unit": to_unit, "assignee": to_assignee, **_due_data(due)})


def extend(order: WorkOrder, actor_id: int, new_resolve_by: datetime, reason: str,
           now: datetime) -> Event:
    """延期: a longer deadline, approved above the handler."""
    reason = _need(reason, "extend")
    before = _move(order, "extend", {State.ACCEPTED}, State.ACCEPTED)
    old = order.resolve_due
    order.resolve_due = new_resolve_by
    order.extensions += 1
    return Event(order.code, "extended", now, actor_id, before, State.ACCEPTED, reason,
                 {"from": old.isoformat() if old else None, "to": new_resolve_by.isoformat()})


def report_progress(order: WorkOrder, handler_id: int, note: str, now: datetime) -> Event:
    """进展: a note the reporter sees; the state stays."""
    if order.state is not State.ACCEPTED:
        raise IllegalAction(order.state, "report progress on")
    _must_hold(order, handler_id)
    return Event(order.code, "progress", now, handler_id, State.ACCEPTED, State.ACCEPTED,
                 _need(note, "progress"))


def resolve(order: WorkOrder, handler_id: int, note: str, now: datetime,
            photo: str | None = None) -> Event:
    """办结: the handler reports the result; the reporter is asked to rate."""
    if order.state is not State.ACCEPTED:
        raise IllegalAction(order.state, "resolve")
    _must_hold(order, handler_id)
    note = _need(note, "resolve")
    before = _move(order, "resolve", {State.ACCEPTED}, State.RESOLVED)
    order.resolved_at, order.result_note = now, note
    on_time = order.resolve_due is None or now <= order.resolve_due
    return Event(order.code, "resolved", now, handler_id, before, State.RESOLVED, note,
                 {"on_time": on_time, "photo": photo})


def rate(order: WorkOrder, reporter_id: int, solved: bool, satisfaction: Satisfaction,
         now: datetime) -> Event:
    """评单, satisfied: the order closes with the reporter's rating."""
    if order.state is not State.RESOLVED:
        raise IllegalAction(order.state, "rate")
    if reporter_id != order.reporter_id:
        raise NotYourOrder(order.code, reporter_id)
    if not satisfaction.is_satisfied:
        raise DomainError(Refusal.ACTION_REFUSED)   # an unsatisfied rating reopens: reopen()
    before = _move(order, "rate", {State.RESOLVED}, State.CLOSED)
    order.solved, order.satisfaction, order.closed_at = solved, satisfaction, now
    return Event(order.code, "rated", now, reporter_id, before, State.CLOSED,
                 data={"solved": solved, "satisfaction": satisfaction.value})


def reopen(order: WorkOrder, reporter_id: int, solved: bool, satisfaction: Satisfaction,
           reason: str, new_resolve_by: datetime | None, now: datetime) -> Event:
    """重办: an unsatisfied reporter sends the order back to its handler with a new deadline."""
    if order.state is not State.RESOLVED:
        raise IllegalAction(order.state, "reopen")
    if reporter_id != order.reporter_id:
        raise NotYourOrder(order.code, reporter_id)
    if satisfaction.is_satisfied:
        raise DomainError(Refusal.ACTION_REFUSED)   # a satisfied rating closes: rate()
    reason = _need(reason, "reopen")
    before = _move(order, "reopen", {State.RESOLVED}, State.ACCEPTED)
    order.reopens += 1
    order.solved, order.satisfaction = solved, satisfaction
    order.resolve_due, order.resolved_at = new_resolve_by, None
    return Event(order.code, "reopened", now, reporter_id, before, State.ACCEPTED, reason,
                 {"solved": solved, "satisfaction": satisfaction.value, "reopens": order.reopens,
                  "resolve_by": new_resolve_by.isoformat() if new_resolve_by else None})


def must_escalate_after_reopen(order: WorkOrder) -> bool:
    """Unsatisfied twice: the order is escalated rather than handed back again."""
    return order.reopens >= 2


def close_unrated(order: WorkOrder, now: datetime) -> Event:
    """The rating window ran out; the order closes without a rating."""
    before = _move(order, "close unrated", {State.RESOLVED}, State.CLOSED)
    order.closed_at = now
    return Event(order.code, "closed_unrated", now, None, before, State.CLOSED)


INVALID_CATEGORIES = ("false", "out_of_scope", "emergency_redirected", "other")


def mark_invalid(order: WorkOrder, actor_id: int, reason: str, now: datetime,
                 category: str = "other") -> Event:
    """不予受理: false (costs the reporter points), out of scope, or redirected to 110/119/120."""
    reason = _need(reason, "mark invalid")
    if category not in INVALID_CATEGORIES:
        raise DomainError(Refusal.ACTION_REFUSED, category=category)
    before = _move(order, "mark invalid", {State.SUBMITTED, State.DISPATCHED}, State.INVALID)
    order.closed_at = now
    return Event(order.code, "invalidated", now, actor_id, before, State.INVALID, reason,
                 {"category": category})


def merge(order: WorkOrder, into_code: str, actor_id: int, now: datetime) -> Event:
    """已合并: a duplicate; its reporter follows the original from now on."""
    if into_code == order.code:
        raise DomainError(Refusal.MERGE_INTO_ITSELF, code=order.code)
    before = _move(order, "merge", {State.SUBMITTED, State.DISPATCHED}, State.MERGED)
    order.merged_into, order.closed_at = into_code, now
    return Event(order.code, "merged", now, actor_id, before, State.MERGED,
                 data={"into": into_code})


# Events that annotate an order without moving it, and the states they may be written in.
REMARKS: Mapping[str, frozenset[State]] = MappingProxyType({
    # SUBMITTED: a new order waiting in a dispatcher's queue has a clock too.
    "reminded": frozenset({State.SUBMITTED, State.DISPATCHED, State.ACCEPTED, State.RESOLVED}),
    "supervised": frozenset({State.DISPATCHED, State.ACCEPTED}),   # 督办
    "commented": frozenset(State) - FINAL_STATES,
    "followed": frozenset(State) - FINAL_STATES,                   # a me-too reporter
    "published": frozenset({State.CLOSED}),                         # on the echo wall
    "red_listed": frozenset({State.DISPATCHED, State.ACCEPTED}),
    "extension_requested": frozenset({State.ACCEPTED}),            # 申请延期, approved above
    "extension_denied": frozenset({State.ACCEPTED}),
    "lifted": frozenset(State) - FINAL_STATES,                     # into an agenda item (议题)
})


# Every kind of event an order's history may hold: the moves above, then the remarks; a look at
# the reporter's number (handlers/order_view.py) records one more, `contact_viewed`.
MOVES = ("submitted", "dispatched", "signed", "returned", "escalated", "extended", "progress",
         "resolved", "rated", "reopened", "closed_unrated", "invalidated", "merged")
CONTACT_VIEWED = "contact_viewed"
EVENT_KINDS = frozenset({*MOVES, *REMARKS, CONTACT_VIEWED})


def remark(order: WorkOrder, kind: str, now: datetime, actor_id: int | None = None,
           reason: str | None = None, data: Mapping[str, Any] | None = None) -> Event:
    """A reminder, a 督办 notice, a comment, a me-too, a publication: history, not a move."""
    allowed = REMARKS.get(kind)
    if allowed is None:
        raise DomainError(Refusal.ACTION_REFUSED, remark=kind)
    if order.state not in allowed:
        raise IllegalAction(order.state, kind)
    return Event(order.code, kind, now, actor_id, order.state, order.state, reason, data or {})


def _due_data(due: Due) -> dict[str, str | None]:
    return {"sign_by": due.sign_by.isoformat() if due.sign_by else None,
            "resolve_by": due.resolve_by.isoformat() if due.resolve_by else None}
