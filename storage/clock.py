"""Clocks: the system's, and a fixed one that tests and demos move by hand."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Stands still until told to move."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("a clock tells aware time: give `at` a tzinfo")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> datetime:
        self.at += by
        return self.at
