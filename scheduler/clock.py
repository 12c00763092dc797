"""Demo time: a clock that starts where it is told and runs `speed` times faster than real time."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta


class ScaledClock:
    """`gridbot demo --speed 60` makes an hour pass in a minute; the sweeps scale with it."""

    def __init__(self, start: datetime, speed: float = 1.0,
                 timer: Callable[[], float] = time.monotonic):
        if start.tzinfo is None:
            raise ValueError("a clock tells aware time: give `start` a tzinfo")
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.start, self.speed = start, float(speed)
        self._timer = timer
        self._began = timer()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._timer() - self._began) * self.speed)

    def advance(self, by: timedelta) -> datetime:
        """Jump ahead (a demo skipping to the next deadline); the pace stays."""
        self.start += by
        return self.now()

    def real(self, span: timedelta) -> timedelta:
        """How long `span` of this clock's time takes in real time."""
        return span / self.speed
