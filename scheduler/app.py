"""APScheduler runs each sweep as an interval job; the sweeps themselves live in sweeps.py."""
from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.calendar import SHANGHAI
from handlers.clocks import SWEEPS
from scheduler.clock import ScaledClock
from scheduler.settings import ClockSettings
from scheduler.sweeps import LADDER, PLAN, RETENTION, Sweeper, SweepReport

SHORTEST = timedelta(milliseconds=200)   # a fast-forwarded demo must not spin the database

__all__ = ["ClockSettings", "ScaledClock", "SweepReport", "Sweeper", "build_scheduler",
           "real_interval"]


def real_interval(sweeper: Sweeper, sweep: str) -> timedelta:
    """A sweep's interval in real time: a demo clock N times faster sweeps N times as often."""
    speed = getattr(sweeper.clock, "speed", 1.0)
    return max(sweeper.settings.interval_of(sweep) / speed, SHORTEST)


def build_scheduler(sweeper: Sweeper) -> AsyncIOScheduler:
    """One interval job per sweep, the first run at once; start it inside a running event loop."""
    scheduler = AsyncIOScheduler(timezone="Asia/Shanghai")
    first = datetime.now(SHANGHAI)
    for sweep in (PLAN, *SWEEPS, RETENTION, LADDER):
        every = real_interval(sweeper, sweep).total_seconds()
        scheduler.add_job(sweeper.sweep, "interval", args=[sweep], id=f"sweep:{sweep}",
                          name=f"{sweep} sweep", seconds=every, next_run_time=first,
                          max_instances=1, coalesce=True, misfire_grace_time=None)
    return scheduler
