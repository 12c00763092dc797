"""The scheduler's numbers: how often each sweep runs, and the clocks of docs/domain.md, Clocks."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType


@dataclass(frozen=True)
class ClockSettings:
    """Every number is configuration; the reminder thresholds live in the DeadlinePolicy."""

    interval: timedelta = timedelta(seconds=60)          # between two runs of a sweep
    intervals: Mapping[str, timedelta] = field(default_factory=lambda: MappingProxyType({}))
    batch: int = 10                 # orders claimed per transaction: row locks held briefly
    plan_batch: int = 500
    sign_escalate_after: float = 2.0                      # multiples of the sign limit
    rate_reminder_after: timedelta = timedelta(hours=24)
    close_unrated_after: timedelta = timedelta(days=3)
    red_list_after_working_days: float = 5.0
    retry_after: timedelta = timedelta(minutes=10)        # a stage whose action failed
    # The retention sweep reads every order closed before the window: hourly is enough.
    retention_interval: timedelta = timedelta(hours=1)
    # 议题上移 counts in days (AgendaRules.settle_within): hourly is enough.
    ladder_interval: timedelta = timedelta(hours=1)
    # Joint meetings are set days ahead (MeetingRules.notice): hourly is enough.
    meetings_interval: timedelta = timedelta(hours=1)
    # 监督, 督办 and the end of 评议 fall on deadlines set in days: a quarter-hour is prompt.
    agenda_interval: timedelta = timedelta(minutes=15)
    # Platforms redeliver within minutes and a nonce matters for 300 s; a dialog idle this
    # long has restarted anyway (Limits.dialog_idle). Kept a day, then deleted.
    inbound_kept: timedelta = timedelta(days=1)
    dialog_kept: timedelta = timedelta(days=1)

    def __post_init__(self) -> None:
        if self.batch < 1 or self.plan_batch < 1:
            raise ValueError("batches must hold at least one order")
        if self.sign_escalate_after <= 1:
            raise ValueError("escalation must come after the sign limit")
        if self.close_unrated_after <= self.rate_reminder_after:
            raise ValueError("the rating reminder must come before the order closes unrated")
        object.__setattr__(self, "intervals", MappingProxyType(dict(self.intervals)))

    def interval_of(self, sweep: str) -> timedelta:
        default = {"retention": self.retention_interval,
                   "ladder": self.ladder_interval,
                   "meetings": self.meetings_interval,
                   "agenda": self.agenda_interval}.get(sweep, self.interval)
        return self.intervals.get(sweep, default)
