"""APScheduler runs each sweep as an interval job; the sweeps themselves live in sweeps.py."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client import Histogram

from domain.calendar import SHANGHAI
from handlers.clocks import SWEEPS
from scheduler.clock import ScaledClock
from scheduler.settings import ClockSettings
from scheduler.sweeps import AGENDA, LADDER, MEETINGS, PLAN, RETENTION, Sweeper, SweepReport

SHORTEST = timedelta(milliseconds=200)   # a fast-forwarded demo must not spin the database
# Scraped at /metrics (web/metrics.py) from the process's default registry.
SWEEP_SECONDS = Histogram("gridbot_sweep_seconds", "How long one sweep took, batches included",
                          ["sweep"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300))

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
    timed = timed_sweeps(sweeper)
    for sweep in (PLAN, *SWEEPS, RETENTION, LADDER, MEETINGS, AGENDA):
        every = real_interval(sweeper, sweep).total_seconds()
        scheduler.add_job(timed, "interval", args=[sweep], id=f"sweep:{sweep}",
                          name=f"{sweep} sweep", seconds=every, next_run_time=first,
                          max_instances=1, coalesce=True, misfire_grace_time=None)
    return scheduler


def timed_sweeps(sweeper: Sweeper) -> Callable[[str], Awaitable[SweepReport]]:
    """The sweeper's `sweep`, each run's duration counted for /metrics."""
    async def sweep(name: str) -> SweepReport:
        with SWEEP_SECONDS.labels(name).time():
            return await sweeper.sweep(name)
    return sweep
