"""The agenda item (议题) and its state machine — 六步议事法: 提议 → 商议 → 决议 → 执行 → 监督 → 评议.

The second aggregate beside the work order, on the same shape: every action checks the state it
starts from, changes the item and returns the one immutable `AgendaEvent` that records it; an
action that is not allowed raises a `DomainError` before touching the item (docs/domain.md, 议事).
Who may act (a resident of the scope, a leader of the level) is the use case's check; the rules
an item keeps about itself (one support per person, the owner reports progress) are here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from domain.grids import Level
from domain.orders import Satisfaction
from domain.refusals import DomainError, Refusal


class AgendaState(StrEnum):
    PROPOSED = "proposed"        # 提议: raised, not yet open to residents
    OPEN = "open"                # 商议: residents support (+1) and comment
    ON_AGENDA = "on_agenda"      # on a joint meeting's agenda at its level, awaiting 决议
    DECIDED = "decided"          # 决议: accepted, with an owner, a deadline and tasks
    IN_PROGRESS = "in_progress"  # 执行: progress reported, 监督 by the scheduler
    JUDGING = "judging"          # 评议: carried out; residents of the scope rate the result
    CLOSED = "closed"
    DECLINED = "declined"        # 决议: declined, with a reason

    @property
    def is_final(self) -> bool:
        return self in (AgendaState.CLOSED, AgendaState.DECLINED)

    @property
    def is_settled(self) -> bool:
        """Decided one way or the other: an item no longer climbs the ladder."""
        return self not in UNSETTLED


UNSETTLED = frozenset({AgendaState.PROPOSED, AgendaState.OPEN, AgendaState.ON_AGENDA})

# What may follow what (docs/domain.md, 议事). A move up the ladder keeps an unsettled item
# unsettled: it reaches the upper level's agenda.
AGENDA_TRANSITIONS: Mapping[AgendaState, frozenset[AgendaState]] = MappingProxyType({
    AgendaState.PROPOSED: frozenset({AgendaState.OPEN, AgendaState.ON_AGENDA,
                                     AgendaState.DECLINED}),
    AgendaState.OPEN: frozenset({AgendaState.ON_AGENDA, AgendaState.DECLINED}),
    AgendaState.ON_AGENDA: frozenset({AgendaState.ON_AGENDA, AgendaState.DECIDED,
                                      AgendaState.DECLINED}),
    AgendaState.DECIDED: frozenset({AgendaState.IN_PROGRESS, AgendaState.JUDGING}),
    AgendaState.IN_PROGRESS: frozenset({AgendaState.IN_PROGRESS, AgendaState.JUDGING}),
    AgendaState.JUDGING: frozenset({AgendaState.CLOSED}),
    AgendaState.CLOSED: frozenset(),
    AgendaState.DECLINED: frozenset(),
})


class Origin(StrEnum):
    """Who raised the item: a resident's proposal needs supports to reach the agenda."""

    RESIDENT = "resident"
    LEADER = "leader"
    ORDER = "order"      # lifted from work orders that exceed the grid's power


@dataclass(frozen=True)
class AgendaRules:
    """The configurable numbers of 议事 (docs/domain.md, 议事)."""

    # Supports that bring a resident's item onto its level's agenda. A micro-grid has no
    # meeting of its own (一组一会 sits at the grid), so it counts as the grid; a level
    # without a number (the county) is reached only by 上移 or by a leader.
    thresholds: Mapping[Level, int] = field(default_factory=lambda: MappingProxyType({
        Level.MICRO_GRID: 10, Level.GRID: 10, Level.COMMUNITY: 30, Level.STREET: 100}))
    settle_within: timedelta = timedelta(days=30)   # at each level, before 议题上移
    # 监督: the owner is reminded once this share of the time from the decision to the
    # deadline has gone; 督办 follows when the deadline passes with the item not carried out.
    remind_at: float = 0.8
    rating_window: timedelta = timedelta(days=7)    # 评议: from carried out to closed

    def __post_init__(self) -> None:
        if any(n < 1 for n in self.thresholds.values()):
            raise ValueError("a support threshold needs at least one support")
        if self.settle_within <= timedelta(0) or self.rating_window <= timedelta(0):
            raise ValueError("the time at a level and the rating window must be positive")
        if not 0 < self.remind_at < 1:
            raise ValueError("the owner's reminder falls between the decision and the deadline")
        object.__setattr__(self, "thresholds", MappingProxyType(dict(self.thresholds)))

    def threshold(self, level: Level) -> int | None:
        return self.thresholds.get(level)


DEFAULT_RULES = AgendaRules()


class AgendaIllegal(DomainError):
    """The item's state does not allow the action (a support after the decision, say)."""

    def __init__(self, state: AgendaState, action: str):
        self.state, self.action = state, action
        super().__init__(Refusal.AGENDA_ILLEGAL_STATE, state=state, action=action)


@dataclass(frozen=True)
class AgendaEvent:
    """One immutable line of an item's history."""

    item_code: str
    kind: str
    at: datetime
    actor_id: int | None = None
    from_state: AgendaState | None = None
    to_state: AgendaState | None = None
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))


@dataclass
class AgendaItem:
    code: str
    title: str
    body: str
    origin: Origin
    proposer_id: int | None
    grid_code: str               # where it was raised
    scope_code: str              # the unit whose meeting holds it now: its residents take part
    level: Level                 # the level of `scope_code`
    created_at: datetime
    level_since: datetime        # when it reached its level: its time there runs from here
    state: AgendaState = AgendaState.PROPOSED
    supporters: set[int] = field(default_factory=set)
    ratings: dict[int, Satisfaction] = field(default_factory=dict)
    order_codes: tuple[str, ...] = ()
    meeting_at: datetime | None = None
    owner_id: int | None = None
    deadline: datetime | None = None
    tasks: tuple[str, ...] = ()
    tasks_done: frozenset[int] = frozenset()
    progress: int = 0
    decision: str | None = None  # the 决议 as recorded, or the reason it was declined
    moves: int = 0               # 议题上移 so far
    closed_at: datetime | None = None


def agenda_code(day: date, sequence: int) -> str:
    """The public number of an item, e.g. YT-20261207-0003."""
    return f"YT-{day:%Y%m%d}-{sequence:04d}"


def _move(item: AgendaItem, action: str, allowed_from: set[AgendaState],
          to: AgendaState) -> AgendaState:
    if item.state not in allowed_from:
        raise AgendaIllegal(item.state, action)
    assert to in AGENDA_TRANSITIONS[item.state], (item.state, to)  # table and actions agree
    before, item.state = item.state, to
    return before


def _need(text: str | None) -> str:
    if not text or not text.strip():
        raise DomainError(Refusal.REASON_REQUIRED)
    return text.strip()


def propose(item: AgendaItem, order_codes: tuple[str, ...] = ()) -> AgendaEvent:
    """提议: a new item records its birth; a leader's, or one lifted from orders, opens at once."""
    if item.state is not AgendaState.PROPOSED:
        raise AgendaIllegal(item.state, "propose")
    _need(item.title)
    item.order_codes = tuple(order_codes)
    if item.origin is Origin.ORDER and not item.order_codes:
        raise DomainError(Refusal.AGENDA_NO_ORDERS)
    if item.origin is not Origin.RESIDENT:
        item.state = AgendaState.OPEN
    return AgendaEvent(item.code, "proposed", item.created_at, item.proposer_id, None,
                       item.state, data={"origin": item.origin.value, "grid": item.grid_code,
                                         "scope": item.scope_code, "level": item.level.value,
                                         "orders": list(item.order_codes)})


def open_discussion(item: AgendaItem, actor_id: int, now: datetime) -> AgendaEvent:
    """商议 begins: a leader has read the resident's proposal and opens it to the scope."""
    before = _move(item, "open", {AgendaState.PROPOSED}, AgendaState.OPEN)
    return AgendaEvent(item.code, "opened", now, actor_id, before, AgendaState.OPEN)


def support(item: AgendaItem, person_id: int, now: datetime,
            rules: AgendaRules = DEFAULT_RULES) -> AgendaEvent:
    """+1: once per person; the proposer's own item needs other people's support."""
    if item.state is not AgendaState.OPEN:
        raise AgendaIllegal(item.state, "support")
    if person_id == item.proposer_id:
        raise DomainError(Refusal.AGENDA_OWN_ITEM)
    if person_id in item.supporters:
        raise DomainError(Refusal.AGENDA_SUPPORTED_TWICE)
    item.supporters.add(person_id)
    return AgendaEvent(item.code, "supported", now, person_id, item.state, item.state,
                       data={"supports": len(item.supporters),
                             "reached": reached_threshold(item, rules)})


def reached_threshold(item: AgendaItem, rules: AgendaRules = DEFAULT_RULES) -> bool:
    """Enough supports to reach the agenda of its level's meeting."""
    needed = rules.threshold(item.level)
    return needed is not None and len(item.supporters) >= needed


def put_on_agenda(item: AgendaItem, now: datetime, actor_id: int | None = None,
                  meeting_at: datetime | None = None, reason: str | None = None,
                  rules: AgendaRules = DEFAULT_RULES) -> AgendaEvent:
    """Onto the agenda of the level's joint meeting: a resident's item by its supports, or by a
    leader who gives a reason; a leader's item, or one lifted from orders, whenever it is ready."""
    if item.state not in (AgendaState.OPEN, AgendaState.ON_AGENDA):
        raise AgendaIllegal(item.state, "put on the agenda")
    if (item.origin is Origin.RESIDENT and not reached_threshold(item, rules)
            and not (reason and reason.strip())):
        raise DomainError(Refusal.AGENDA_BELOW_THRESHOLD)
    before = _move(item, "put on the agenda", {AgendaState.OPEN, AgendaState.ON_AGENDA},
                   AgendaState.ON_AGENDA)
    item.meeting_at = meeting_at or item.meeting_at
    return AgendaEvent(item.code, "scheduled", now, actor_id, before, AgendaState.ON_AGENDA,
                       reason.strip() if reason else None,
                       {"meeting_at": meeting_at.isoformat() if meeting_at else None,
                        "supports": len(item.supporters), "scope": item.scope_code})


def decide(item: AgendaItem, actor_id: int, decision: str, owner_id: int, deadline: datetime,
           tasks: tuple[str, ...], now: datetime) -> AgendaEvent:
    """决议, accepted: 定人定责定时限 — an owner, a deadline after now, and at least one task."""
    tasks = tuple(t.strip() for t in tasks if t.strip())
    if not tasks or deadline <= now:
        raise DomainError(Refusal.AGENDA_DECISION_INCOMPLETE)
    decision = _need(decision)
    before = _move(item, "decide", {AgendaState.ON_AGENDA}, AgendaState.DECIDED)
    item.decision, item.owner_id, item.deadline, item.tasks = decision, owner_id, deadline, tasks
    return AgendaEvent(item.code, "decided", now, actor_id, before, AgendaState.DECIDED, decision,
                       {"owner": owner_id, "deadline": deadline.isoformat(),
                        "tasks": list(tasks), "level": item.level.value})


def decline(item: AgendaItem, actor_id: int, reason: str, now: datetime) -> AgendaEvent:
    """决议, declined: the reason is what the residents are told."""
    reason = _need(reason)
    before = _move(item, "decline", set(UNSETTLED), AgendaState.DECLINED)
    item.decision, item.closed_at = reason, now
    return AgendaEvent(item.code, "declined", now, actor_id, before, AgendaState.DECLINED, reason,
                       {"level": item.level.value})


def _must_own(item: AgendaItem, person_id: int) -> None:
    if person_id != item.owner_id:
        raise DomainError(Refusal.AGENDA_NOT_OWNER, code=item.code)


def report_progress(item: AgendaItem, owner_id: int, percent: int, note: str,
                    now: datetime) -> AgendaEvent:
    """执行: the owner reports how far it has come; at 100 % residents are asked to judge."""
    if item.state not in (AgendaState.DECIDED, AgendaState.IN_PROGRESS):
        raise AgendaIllegal(item.state, "report progress on")
    _must_own(item, owner_id)
    if not item.progress <= percent <= 100:
        raise DomainError(Refusal.AGENDA_PROGRESS_RANGE)
    note = _need(note)
    to = AgendaState.JUDGING if percent == 100 else AgendaState.IN_PROGRESS
    before = _move(item, "report progress on", {AgendaState.DECIDED, AgendaState.IN_PROGRESS}, to)
    item.progress = percent
    on_time = item.deadline is None or now <= item.deadline
    return AgendaEvent(item.code, "carried_out" if percent == 100 else "progress", now,
                       owner_id, before, to, note, {"percent": percent, "on_time": on_time})


def finish_task(item: AgendaItem, owner_id: int, task: int, now: datetime) -> AgendaEvent:
    """One of the decision's tasks is done; the state stays."""
    if item.state not in (AgendaState.DECIDED, AgendaState.IN_PROGRESS):
        raise AgendaIllegal(item.state, "finish a task of")
    _must_own(item, owner_id)
    if not 0 <= task < len(item.tasks) or task in item.tasks_done:
        raise DomainError(Refusal.AGENDA_NO_SUCH_TASK)
    item.tasks_done = item.tasks_done | {task}
    return AgendaEvent(item.code, "task_done", now, owner_id, item.state, item.state,
                       data={"task": task, "done": len(item.tasks_done),
                             "of": len(item.tasks)})


def rate(item: AgendaItem, person_id: int, satisfaction: Satisfaction,
         now: datetime) -> AgendaEvent:
    """评议: a resident of the scope rates the result, once."""
    if item.state is not AgendaState.JUDGING:
        raise AgendaIllegal(item.state, "rate")
    if person_id in item.ratings:
        raise DomainError(Refusal.AGENDA_RATED_TWICE)
    item.ratings[person_id] = satisfaction
    return AgendaEvent(item.code, "rated", now, person_id, item.state, item.state,
                       data={"satisfaction": satisfaction.value})


def close(item: AgendaItem, now: datetime, actor_id: int | None = None) -> AgendaEvent:
    """The judging ends (its window ran out, or a leader closes it): the item is done."""
    before = _move(item, "close", {AgendaState.JUDGING}, AgendaState.CLOSED)
    item.closed_at = now
    satisfied = sum(s.is_satisfied for s in item.ratings.values())
    return AgendaEvent(item.code, "closed", now, actor_id, before, AgendaState.CLOSED,
                       data={"rated": len(item.ratings), "satisfied": satisfied})


# Events that annotate an item without moving it, and the states they may be written in.
AGENDA_REMARKS: Mapping[str, frozenset[AgendaState]] = MappingProxyType({
    "commented": frozenset(AgendaState) - {AgendaState.CLOSED, AgendaState.DECLINED},
    "reminded": frozenset({AgendaState.DECIDED, AgendaState.IN_PROGRESS}),    # 监督
    "supervised": frozenset({AgendaState.DECIDED, AgendaState.IN_PROGRESS}),  # 督办, when late
    "published": frozenset(AgendaState),                                       # 本期议题
})


# Every kind of event an item's history may hold: what the actions above and the ladder
# (domain/ladder.py) write, the remarks, and a resident's attendance at the item's joint
# meeting (domain/points.py, ATTENDED). Each has a notice rule (handlers/agenda_notices.py).
AGENDA_ACTS = ("proposed", "opened", "supported", "scheduled", "decided", "declined",
               "progress", "carried_out", "task_done", "rated", "closed", "moved_up")
AGENDA_EVENT_KINDS = frozenset({*AGENDA_ACTS, *AGENDA_REMARKS, "attended"})


def remind(item: AgendaItem, now: datetime, stage: str) -> AgendaEvent:
    """监督: the owner hears how close the deadline is; `stage` names the clock that fired
    (domain/agenda_clocks.py), so it is recorded once."""
    if item.deadline is None or item.owner_id is None:
        raise AgendaIllegal(item.state, "remind")
    return remark(item, "reminded", now, data={"clock": stage, "to": item.owner_id,
                                               "deadline": item.deadline.isoformat(),
                                               "percent": item.progress})


def supervise(item: AgendaItem, now: datetime, stage: str) -> AgendaEvent:
    """督办: the deadline passed with the item not carried out; the owner and the leaders of
    its level are told (handlers/agenda_notices.py)."""
    if item.deadline is None or item.owner_id is None or now < item.deadline:
        raise AgendaIllegal(item.state, "supervise")
    return remark(item, "supervised", now, data={"clock": stage, "to": item.owner_id,
                                                 "deadline": item.deadline.isoformat(),
                                                 "percent": item.progress,
                                                 "level": item.level.value})


def remark(item: AgendaItem, kind: str, now: datetime, actor_id: int | None = None,
           text: str | None = None, data: Mapping[str, Any] | None = None) -> AgendaEvent:
    """A comment, a 监督 reminder, a 督办 notice, a publication: history, not a move."""
    allowed = AGENDA_REMARKS.get(kind)
    if allowed is None:
        raise DomainError(Refusal.ACTION_REFUSED, remark=kind)
    if item.state not in allowed:
        raise AgendaIllegal(item.state, kind)
    if kind == "commented":
        text = _need(text)
    return AgendaEvent(item.code, kind, now, actor_id, item.state, item.state, text, data or {})
