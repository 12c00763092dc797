"""The digest's SQL figures equal `domain.metrics` and `domain.points` on the same histories."""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import fields, replace
from datetime import datetime, timedelta

import pytest

from domain.calendar import SHANGHAI
from domain.metrics import Rates, rates_by_unit
from domain.points import PointsRules, awards_for_order, monthly_totals
from storage.records import Person
from tests.echo.stories import add_all, random_order

WEEK_START = datetime(2026, 11, 16, tzinfo=SHANGHAI)
WEEK_END = WEEK_START + timedelta(days=7)
GRIDS = ("G-1", "G-2", "G-3", None)


async def seed(uow, count: int = 400, seed: int = 7):
    rng = random.Random(seed)
    histories = {}
    async with uow:
        for name in ("网格长", "派单员"):
            await uow.people.upsert(Person(name=name, kind="staff"))
        riders = [await uow.people.upsert(Person(name=f"骑手{i}", kind="rider",
                                                 nickname=f"闪电{i}" if i % 3 else None))
                  for i in range(6)]
        for i in range(count):
            born = WEEK_START + timedelta(hours=rng.uniform(-12 * 24, 9 * 24))
            reporter = rng.choice(riders).id
            others = tuple(r.id for r in rng.sample(riders, 2) if r.id != reporter)
            order, events = random_order(rng, f"WG-T-{i:05d}", rng.choice(GRIDS), reporter, born,
                                         followers=others)
            histories[order.code] = (order, events)
        await add_all(uow, list(histories.values()))
        await uow.commit()
    return histories, riders


@pytest.mark.parametrize("now", [WEEK_END + timedelta(hours=9), WEEK_START + timedelta(days=3)])
async def test_sql_figures_equal_the_domain_metrics_grid_by_grid(uow, now):
    histories, _ = await seed(uow)
    events = [e for _, evs in histories.values() for e in evs]
    grid_of = {code: order.grid_code or "-" for code, (order, _) in histories.items()}
    expected = rates_by_unit(events, grid_of.get, WEEK_START, WEEK_END, now)
    async with uow:
        got, new = await uow.publishing.figures(WEEK_START, WEEK_END, now)
    got = {grid or "-": rates for grid, rates in got.items()}
    assert set(got) == set(expected)
    for grid, rates in expected.items():
        for f in fields(rates):
            if f.name == "handling_time":
                assert abs((getattr(got[grid], f.name) - rates.handling_time).total_seconds()) < 1
            else:
                assert getattr(got[grid], f.name) == getattr(rates, f.name), (grid, f.name)
    born = [o for o, _ in histories.values() if WEEK_START <= o.created_at < min(WEEK_END, now)]
    assert sum(new.values()) == len(born) > 0
    assert sum(r.sign_due for r in got.values()) > 0 and sum(r.overdue for r in got.values()) > 0


async def test_sql_points_equal_the_domain_points_for_opted_in_riders(uow):
    histories, riders = await seed(uow, count=300, seed=11)
    month_start, month_end = (datetime(2026, 11, 1, tzinfo=SHANGHAI),
                              datetime(2026, 12, 1, tzinfo=SHANGHAI))
    awards = [a for _, evs in histories.values() for a in awards_for_order(evs)]
    totals = monthly_totals(awards, "2026-11")
    opted = {r.id: r.nickname for r in riders if r.nickname}
    expected = {pid: (opted[pid], pts) for pid, pts in totals.items() if pid in opted}
    async with uow:
        got = await uow.publishing.rider_points(month_start, month_end, month_end)
        # /points: each rider's own figure, whether or not they chose a nickname.
        own = {r.id: await uow.publishing.own_points(r.id, month_start, month_end, month_end)
               for r in riders}
    assert got == expected and expected
    assert own == {r.id: totals.get(r.id, 0) for r in riders}
    assert any(own[r.id] for r in riders if not r.nickname)


@pytest.mark.parametrize("split", [WEEK_START, WEEK_START - timedelta(days=3),
                                   WEEK_START + timedelta(days=4)])
async def test_figures_of_orders_born_before_and_after_a_moment_add_up_to_the_whole(uow, split):
    await seed(uow, count=250, seed=5)
    now = WEEK_END + timedelta(hours=9)
    async with uow:
        whole, new = await uow.publishing.figures(WEEK_START, WEEK_END, now)
    async with uow:
        early, new_early = await uow.publishing.figures(WEEK_START, WEEK_END, now,
                                                        born=(None, split))
    async with uow:
        late, new_late = await uow.publishing.figures(WEEK_START, WEEK_END, now,
                                                      born=(split, None))
    assert early and late
    for grid in set(whole) | set(early) | set(late):
        parts, rates = early.get(grid, Rates()) + late.get(grid, Rates()), whole.get(grid, Rates())
        # Seconds are summed as floats in SQL: the order of addition moves the last digit.
        assert abs((parts.handling_time - rates.handling_time).total_seconds()) < 1e-3
        assert replace(parts, handling_time=rates.handling_time) == rates, grid
        assert new_early.get(grid, 0) + new_late.get(grid, 0) == new.get(grid, 0), grid


async def test_sql_points_of_a_mid_month_week_equal_the_domain_awards(uow):
    """Reports and me-toos from before the week count only when they earn inside it."""
    histories, riders = await seed(uow, count=300, seed=13)
    rules = PointsRules(monthly_cap=10**6)     # a week is not a month: compare uncapped sums
    now = WEEK_END + timedelta(hours=9)
    opted = {r.id: r.nickname for r in riders if r.nickname}
    expected: dict[int, int] = defaultdict(int)
    for _, events in histories.values():
        for award in awards_for_order(events, rules):
            if WEEK_START <= award.at < WEEK_END and award.at <= now and award.person_id in opted:
                expected[award.person_id] += award.points
    async with uow:
        got = await uow.publishing.rider_points(WEEK_START, WEEK_END, now, rules)
    assert got == {pid: (opted[pid], points) for pid, points in expected.items()}
    assert any(a.reason == "me_too" and a.at >= WEEK_START
               for _, evs in histories.values() for a in awards_for_order(evs, rules)
               if any(e.kind == "followed" and e.at < WEEK_START for e in evs))
