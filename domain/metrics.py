"""Assessment figures (考核指标) computed only from order events, per docs/domain.md, Figures.

A period is half-open, [start, end). Events after `now` are ignored, so figures can be taken as of
any moment; once `now` has passed a period's end, that period's figures no longer change.
A rate is None when its denominator is zero: no figure is better than "100% of nothing".

Precise definitions (the honesty of the figures rests on them):

- dispatched: assignments made in the period — 派单 ("dispatched") and 上移 ("escalated") events.
- sign due: an assignment counts once, when its sign-for was settled: at the sign if it came by
  the sign deadline (+ grace), else at the moment the deadline passed unsigned. An assignment
  returned, re-routed or withdrawn before its deadline without a sign is not counted.
- due: an order is due in the period if it was resolved in it (a resolution not reopened before
  the period ended), or if a resolve deadline (+ grace) in force passed in it while the order was
  unresolved and not yet invalid or merged. Deadlines come from "dispatched"/"escalated"
  data["resolve_by"], "extended" data["to"] and "reopened" data["resolve_by"] when given (a
  reopen without one keeps the old deadline: a redo earns no fresh clock unless one is set).
- resolved in time: resolved by the deadline in force (+ grace) or with no deadline at all.
- overdue: due and not resolved by its deadline — late resolutions and unresolved orders alike.
  An order overdue in one period and resolved late in a later one counts as due in both.
- rated: ratings given in the period — "rated" and "reopened" (an unsatisfied rating) events;
  every rating counts, so an order rated twice counts twice. Orders closed unrated are not rated.
- handling time: from the report ("submitted", else the first event) to a resolution counted.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, NamedTuple

from domain.orders import Event, Satisfaction

ASSIGNING = frozenset({"dispatched", "escalated"})
SATISFIED = frozenset({Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED,
                       Satisfaction.BASICALLY_SATISFIED})


@dataclass(frozen=True)
class MetricRules:
    """The configurable parts of the formulas."""

    satisfied: frozenset[Satisfaction] = SATISFIED
    sign_grace: timedelta = timedelta(0)
    resolve_grace: timedelta = timedelta(0)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


class ThreeRates(NamedTuple):
    """Beijing's 三率: 响应率, 解决率, 满意率."""

    response: float | None
    solved: float | None
    satisfied: float | None


@dataclass(frozen=True)
class Rates:
    """Raw counts of one unit and period; each rate is a property, None when undefined."""

    dispatched: int = 0
    returns: int = 0
    sign_due: int = 0
    signed_in_time: int = 0
    due: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    overdue: int = 0
    handling_time: timedelta = timedelta(0)
    rated: int = 0
    satisfied: int = 0
    solved: int = 0
    reopened: int = 0
    closed_unrated: int = 0

    @property
    def timely_sign_rate(self) -> float | None:
        """及时签收率."""
        return _ratio(self.signed_in_time, self.sign_due)

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率."""
        return _ratio(self.resolved_in_time, self.due)

    @property
    def resolution_rate(self) -> float | None:
        """办结率."""
        return _ratio(self.resolved, self.due)

    @property
    def overdue_rate(self) -> float | None:
        """超期率."""
        return _ratio(self.overdue, self.due)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率."""
        return _ratio(self.satisfied, self.rated)

    @property
    def solve_rate(self) -> float | None:
        """解决率."""
        return _ratio(self.solved, self.rated)

    @property
    def reopen_rate(self) -> float | None:
        """重办率."""
        return _ratio(self.reopened, self.rated)

    @property
    def return_rate(self) -> float | None:
        """回退率."""
        return _ratio(self.returns, self.dispatched)

    @property
    def mean_handling_time(self) -> timedelta | None:
        """平均办理时长."""
        return self.handling_time / self.resolved if self.resolved else None

    @property
    def three_rates(self) -> ThreeRates:
        return ThreeRates(self.timely_sign_rate, self.solve_rate, self.satisfaction_rate)

    def __add__(self, other: Rates) -> Rates:
        return Rates(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                        for f in fields(self)})


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


@dataclass
class _Assignment:
    at: datetime
    sign_by: datetime | None
    signed_at: datetime | None = None
    ended_at: datetime | None = None   # left without a sign: returned, re-routed, withdrawn

    def settled(self, grace: timedelta) -> tuple[datetime, bool] | None:
        """When the sign-for was settled and whether in time; None while it never was."""
        limit = self.sign_by + grace if self.sign_by else None
        if self.signed_at and (limit is None or self.signed_at <= limit):
            return self.signed_at, True
        if limit is not None and (self.ended_at is None or self.ended_at > limit):
            return max(limit, self.at), False
        return None


@dataclass
class _Resolution:
    at: datetime
    deadline: datetime | None
    reopened_at: datetime | None = None


@dataclass
class _History:
    """One order's events replayed into the facts the formulas need."""

    born: datetime
    reporter_id: int | None = None
    dispatched_at: datetime | None = None
    void_at: datetime | None = None
    invalid: bool = False
    assignments: list[_Assignment] = field(default_factory=list)
    deadlines: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    resolutions: list[_Resolution] = field(default_factory=list)
    ratings: list[Event] = field(default_factory=list)
    returns: list[datetime] = field(default_factory=list)
    unrated: list[datetime] = field(default_factory=list)

    def end_assignment(self, at: datetime) -> None:
        if self.assignments and not self.assignments[-1].signed_at:
            self.assignments[-1].ended_at = self.assignments[-1].ended_at or at

    def deadline(self) -> datetime | None:
        return self.deadlines[-1][1] if self.deadlines else None

    def resolution_in(self, start: datetime, end: datetime) -> _Resolution | None:
        for r in reversed(self.resolutions):
            if start <= r.at < end and (r.reopened_at is None or r.reopened_at >= end):
                return r
        return None

    def fell_late_in(self, start: datetime, end: datetime, now: datetime,
                     grace: timedelta) -> bool:
        """A deadline in force passed inside the period while the order stood unresolved."""
        for i, (set_at, deadline) in enumerate(self.deadlines):
            if deadline is None:
                continue
            moment = max(deadline + grace, set_at)
            superseded = i + 1 < len(self.deadlines) and self.deadlines[i + 1][0] < moment
            if superseded or not (start <= moment < end and moment < now):
                continue
            if self.void_at is not None and self.void_at <= moment:
                continue
            if not any(r.at <= moment and (r.reopened_at is None or r.reopened_at > moment)
                       for r in self.resolutions):
                return True
        return False


def _replay(events: list[Event]) -> _History:
    h = _History(born=events[0].at)
    for e in events:
        kind, data = e.kind, e.data
        if kind == "submitted":
            h.born, h.reporter_id = e.at, e.actor_id
        elif kind in ASSIGNING:
            h.end_assignment(e.at)
            h.assignments.append(_Assignment(e.at, _when(data.get("sign_by"))))
            h.deadlines.append((e.at, _when(data.get("resolve_by"))))
            h.dispatched_at = h.dispatched_at or e.at
        elif kind == "signed" and h.assignments and not h.assignments[-1].ended_at:
            h.assignments[-1].signed_at = h.assignments[-1].signed_at or e.at
        elif kind == "returned":
            h.returns.append(e.at)
            h.end_assignment(e.at)
        elif kind == "extended":
            h.deadlines.append((e.at, _when(data.get("to"))))
        elif kind == "resolved":
            h.resolutions.append(_Resolution(e.at, h.deadline()))
        elif kind == "reopened":
            h.ratings.append(e)
            if h.resolutions and h.resolutions[-1].reopened_at is None:
                h.resolutions[-1].reopened_at = e.at
            if "resolve_by" in data:
                h.deadlines.append((e.at, _when(data["resolve_by"])))
        elif kind == "rated":
            h.ratings.append(e)
        elif kind == "closed_unrated":
            h.unrated.append(e.at)
        elif kind in ("invalidated", "merged"):
            h.void_at, h.invalid = e.at, kind == "invalidated"
            h.end_assignment(e.at)
    return h


def _histories(events: Iterable[Event], now: datetime) -> list[_History]:
    by_order: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.at <= now:
            by_order[e.order_code].append(e)
    return [_replay(sorted(evs, key=attrgetter("at"))) for evs in by_order.values()]


def _rates(histories: Iterable[_History], start: datetime, end: datetime, now: datetime,
           rules: MetricRules) -> Rates:
    n: dict[str, Any] = defaultdict(int, handling_time=timedelta(0))

    def inside(at: datetime) -> bool:
        return start <= at < end

    for h in histories:
        for a in h.assignments:
            n["dispatched"] += inside(a.at)
            settled = a.settled(rules.sign_grace)
            if settled and inside(settled[0]) and settled[0] <= now:
                n["sign_due"] += 1
                n["signed_in_time"] += settled[1]
        n["returns"] += sum(map(inside, h.returns))
        n["closed_unrated"] += sum(map(inside, h.unrated))
        resolution = h.resolution_in(start, end)
        if resolution is not None:
            limit = resolution.deadline and resolution.deadline + rules.resolve_grace
            in_time = limit is None or resolution.at <= limit
            n["due"] += 1
            n["resolved"] += 1
            n["resolved_in_time" if in_time else "overdue"] += 1
            n["handling_time"] += resolution.at - h.born
        elif h.fell_late_in(start, end, now, rules.resolve_grace):
            n["due"] += 1
            n["overdue"] += 1
        for rating in filter(lambda e: inside(e.at), h.ratings):
            n["rated"] += 1
            n["satisfied"] += Satisfaction(rating.data["satisfaction"]) in rules.satisfied
            n["solved"] += bool(rating.data.get("solved"))
            n["reopened"] += rating.kind == "reopened"
    return Rates(**n)


def compute_rates(events: Iterable[Event], period_start: datetime, period_end: datetime,
                  now: datetime, rules: MetricRules = MetricRules()) -> Rates:
    """The figures of everything in `events` for the period [period_start, period_end)."""
    return _rates(_histories(events, now), period_start, period_end, now, rules)


def rates_by_unit(events: Iterable[Event], unit_of: Callable[[str], str | None],
                  period_start: datetime, period_end: datetime, now: datetime,
                  rules: MetricRules = MetricRules()) -> dict[str, Rates]:
    """Figures per unit, where `unit_of` maps an order code to its unit (None: left out)."""
    units: dict[str, str | None] = {}
    grouped: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.order_code not in units:
            units[e.order_code] = unit_of(e.order_code)
        unit = units[e.order_code]
        if unit is not None:
            grouped[unit].append(e)
    return {unit: compute_rates(evs, period_start, period_end, now, rules)
            for unit, evs in grouped.items()}


@dataclass(frozen=True)
class ReportTally:
    """One reporter's reports filed in a period and how they were decided so far."""

    submitted: int = 0
    valid: int = 0
    invalid: int = 0

    @property
    def valid_rate(self) -> float | None:
        """有效上报率: accepted / decided; reports still waiting or merged unseen are left out."""
        return _ratio(self.valid, self.valid + self.invalid)


def report_tallies(events: Iterable[Event], period_start: datetime, period_end: datetime,
                   now: datetime) -> dict[int, ReportTally]:
    """Per reporter: reports submitted in the period; valid once dispatched and not invalidated.

    A cohort figure: it settles as pending reports are dispatched or turned down.
    """
    tallies: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for h in _histories(events, now):
        if h.reporter_id is None or not period_start <= h.born < period_end:
            continue
        tally = tallies[h.reporter_id]
        tally[0] += 1
        if h.invalid:
            tally[2] += 1
        elif h.dispatched_at is not None:
            tally[1] += 1
    return {reporter: ReportTally(*t) for reporter, t in tallies.items()}
