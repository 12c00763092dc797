"""The APScheduler set-up and the demo's fast-forward clock (the scheduler is never started)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from scheduler.app import build_scheduler, real_interval
from scheduler.clock import ScaledClock
from scheduler.settings import ClockSettings
from scheduler.sweeps import Sweeper
from storage.uow import UnitOfWork
from tests.handlers.conftest import MONDAY_10


class Timer:
    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


def test_a_scaled_clock_runs_speed_times_faster_than_real_time():
    timer = Timer()
    clock = ScaledClock(MONDAY_10, speed=60, timer=timer)
    assert clock.now() == MONDAY_10
    timer.seconds += 90
    assert clock.now() == MONDAY_10 + timedelta(minutes=90)
    clock.advance(timedelta(days=1))
    assert clock.now() == MONDAY_10 + timedelta(days=1, minutes=90)
    with pytest.raises(ValueError):
        ScaledClock(MONDAY_10.replace(tzinfo=None))


def test_each_sweep_is_an_interval_job_on_shanghai_time(talk):
    scheduler = build_scheduler(Sweeper(talk.chat.deps))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep:plan", "sweep:remind", "sweep:unsigned", "sweep:overdue",
                         "sweep:rating", "sweep:retention", "sweep:ladder", "sweep:meetings",
                         "sweep:agenda"}
    assert all(job.trigger.interval == timedelta(seconds=60) for key, job in jobs.items()
               if key not in ("sweep:retention", "sweep:ladder", "sweep:meetings",
                              "sweep:agenda"))
    assert jobs["sweep:retention"].trigger.interval == timedelta(hours=1)
    assert jobs["sweep:ladder"].trigger.interval == timedelta(hours=1)
    assert jobs["sweep:meetings"].trigger.interval == timedelta(hours=1)
    assert jobs["sweep:agenda"].trigger.interval == timedelta(minutes=15)
    assert str(scheduler.timezone) == "Asia/Shanghai"
    assert jobs["sweep:overdue"].args == ("overdue",)


def test_intervals_are_configurable_and_shrink_with_a_fast_demo_clock(services, talk):
    demo = ScaledClock(MONDAY_10, speed=60)
    deps = replace(talk.chat.deps, uow=lambda: UnitOfWork(services.sessions, demo))
    settings = ClockSettings(interval=timedelta(minutes=2),
                             intervals={"rating": timedelta(minutes=10)})
    sweeper = Sweeper(deps, settings)
    assert real_interval(sweeper, "overdue") == timedelta(seconds=2)
    assert real_interval(sweeper, "rating") == timedelta(seconds=10)
    jobs = {job.id: job for job in build_scheduler(sweeper).get_jobs()}
    assert jobs["sweep:remind"].trigger.interval == timedelta(seconds=2)
    assert jobs["sweep:rating"].trigger.interval == timedelta(seconds=10)
