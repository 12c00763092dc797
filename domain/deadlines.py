"""Deadlines per urgency class, the traffic light and reminder thresholds — all configuration."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from domain.calendar import WorkingCalendar
from domain.orders import Due, Urgency

REMINDER_THRESHOLDS: tuple[float, ...] = (0.5, 0.8)
YELLOW_AFTER = 0.8


@dataclass(frozen=True)
class Limit:
    """A time limit on one clock: calendar time, or working time of the WorkingCalendar."""

    hours: float = 0.0
    days: float = 0.0
    working: bool = False

    def __post_init__(self) -> None:
        if self.hours < 0 or self.days < 0 or self.hours + self.days == 0:
            raise ValueError(f"a limit must be positive: {self}")

    def deadline(self, calendar: WorkingCalendar, start: datetime) -> datetime:
        if self.working:
            return calendar.add_working_hours(start, self.hours + self.days * calendar.hours_per_day)
        return calendar.local(start) + timedelta(days=self.days, hours=self.hours)


@dataclass(frozen=True)
class UrgencyRule:
    """The clocks of one urgency class; None means no such limit."""

    sign: Limit | None
    resolve: Limit | None
    cap: timedelta | None = None             # resolve_by is never later than start + cap
    hazard_control: timedelta | None = None  # 特急: the hazard must be under control by then

    @property
    def sign_working(self) -> bool:
        return self.sign is not None and self.sign.working

    @property
    def resolve_working(self) -> bool:
        return self.resolve is not None and self.resolve.working


_DEFAULT_RULES = MappingProxyType({
    Urgency.EMERGENCY: UrgencyRule(Limit(hours=0.5), Limit(hours=24),
                                   hazard_control=timedelta(hours=2)),
    Urgency.URGENT: UrgencyRule(Limit(hours=1), Limit(hours=24)),
    Urgency.NORMAL: UrgencyRule(Limit(hours=2, working=True), Limit(days=3, working=True),
                                cap=timedelta(days=7)),
    Urgency.COMPLEX: UrgencyRule(Limit(days=1, working=True), Limit(days=15, working=True)),
    Urgency.CONSULT: UrgencyRule(None, Limit(days=3, working=True)),
})

_RULE_KEYS = frozenset({"sign_hours", "sign_days", "sign_working", "resolve_hours",
                        "resolve_days", "resolve_working", "cap_days", "cap_hours",
                        "hazard_hours"})


@dataclass(frozen=True)
class DeadlinePolicy:
    """Which rule each urgency class follows, and when reminders fire."""

    rules: Mapping[Urgency, UrgencyRule] = field(default_factory=lambda: _DEFAULT_RULES)
    reminder_thresholds: tuple[float, ...] = REMINDER_THRESHOLDS

    def __post_init__(self) -> None:
        missing = set(Urgency) - set(self.rules)
        if missing:
            raise ValueError(f"no deadline rule for {sorted(missing)}")
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))
        object.__setattr__(self, "reminder_thresholds",
                           tuple(sorted(float(t) for t in self.reminder_thresholds)))

    @classmethod
    def default(cls) -> DeadlinePolicy:
        """The defaults of docs/domain.md, Deadlines."""
        return cls()

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> DeadlinePolicy:
        """The defaults overridden by settings; keys not given keep their default.

        Shape: {"<urgency value>": {"sign_hours", "sign_days", "sign_working", "resolve_hours",
        "resolve_days", "resolve_working", "cap_days", "cap_hours", "hazard_hours"},
        "reminder_thresholds": [0.5, 0.8]}. Giving any of a clock's hours/days replaces that
        amount (absent units count 0; all 0 or null removes the limit). Example:
        {"normal": {"sign_hours": 4, "resolve_days": 5}, "consult": {"resolve_days": 5}}.
        Unknown urgencies or keys raise ValueError, so a typo in settings is not ignored.
        """
        rules = dict(_DEFAULT_RULES)
        thresholds = REMINDER_THRESHOLDS
        for key, value in settings.items():
            if key == "reminder_thresholds":
                thresholds = tuple(value)
                continue
            try:
                urgency = Urgency(key)
            except ValueError:
                raise ValueError(f"unknown urgency {key!r} in deadline settings") from None
            unknown = set(value) - _RULE_KEYS
            if unknown:
                raise ValueError(f"unknown deadline keys for {key}: {sorted(unknown)}")
            rules[urgency] = _override(rules[urgency], value)
        return cls(rules, thresholds)

    def rule(self, urgency: Urgency) -> UrgencyRule:
        return self.rules[urgency]


def _override(rule: UrgencyRule, values: Mapping[str, Any]) -> UrgencyRule:
    changes: dict[str, Any] = {}
    for clock in ("sign", "resolve"):
        old: Limit | None = getattr(rule, clock)
        working = values.get(f"{clock}_working", old.working if old else True)
        if f"{clock}_hours" in values or f"{clock}_days" in values:
            hours = values.get(f"{clock}_hours") or 0
            days = values.get(f"{clock}_days") or 0
            changes[clock] = Limit(hours, days, working) if hours or days else None
        elif old is not None:
            changes[clock] = replace(old, working=working)
    if "cap_days" in values or "cap_hours" in values:
        cap = timedelta(days=values.get("cap_days") or 0, hours=values.get("cap_hours") or 0)
        changes["cap"] = cap or None
    if "hazard_hours" in values:
        changes["hazard_control"] = timedelta(hours=values["hazard_hours"] or 0) or None
    return replace(rule, **changes)


def due_for(policy: DeadlinePolicy, calendar: WorkingCalendar, urgency: Urgency,
            start: datetime) -> Due:
    """When an order of this urgency, started at `start`, must be signed for and resolved."""
    rule = policy.rule(urgency)
    sign_by = rule.sign.deadline(calendar, start) if rule.sign else None
    resolve_by = rule.resolve.deadline(calendar, start) if rule.resolve else None
    if rule.cap is not None:
        capped = calendar.local(start) + rule.cap
        resolve_by = capped if resolve_by is None else min(resolve_by, capped)
    return Due(sign_by, resolve_by)


def hazard_control_by(policy: DeadlinePolicy, calendar: WorkingCalendar, urgency: Urgency,
                      start: datetime) -> datetime | None:
    """特急: when the hazard itself must be under control, before the full resolution."""
    limit = policy.rule(urgency).hazard_control
    return calendar.local(start) + limit if limit is not None else None


class Light(StrEnum):
    """The traffic light of a running clock."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"



def elapsed_fraction(start: datetime, due: datetime, now: datetime, calendar: WorkingCalendar,
                     working: bool) -> float:
    """How much of the limit from `start` to `due` has run by `now` (1.0 = all of it)."""
    if now <= start:
        return 0.0
    if working:
        limit = calendar.working_hours_between(start, due)
        used = calendar.working_hours_between(start, now)
    else:
        limit = (due - start).total_seconds()
        used = (now - start).total_seconds()
    if limit <= 0:
        return 0.0 if now <= due else math.inf
    return used / limit


def light(start: datetime, due: datetime, now: datetime, calendar: WorkingCalendar,
          working: bool, yellow_after: float = YELLOW_AFTER) -> Light:
    """Green up to `yellow_after` of the limit, yellow up to all of it, red once past due."""
    # A deadline capped into a holiday runs out in calendar time while working time stands still.
    if now > due:
        return Light.RED
    fraction = elapsed_fraction(start, due, now, calendar, working)
    if fraction <= yellow_after:
        return Light.GREEN
    return Light.YELLOW if fraction <= 1.0 else Light.RED


def crossed_thresholds(start: datetime, due: datetime, before: datetime, now: datetime,
                       calendar: WorkingCalendar, working: bool,
                       thresholds: tuple[float, ...] = REMINDER_THRESHOLDS) -> list[float]:
    """Thresholds reached after the sweep at `before` and by the sweep at `now`, ascending."""
    was = elapsed_fraction(start, due, before, calendar, working)
    is_ = elapsed_fraction(start, due, now, calendar, working)
    return [t for t in sorted(thresholds) if was < t <= is_]
