"""Weekly digest benchmark: every digest over 1,000,000 orders on PostgreSQL, SQL vs naive.

    python -m bench.digest                              # 1,000,000 orders, 4,000 micro-grids
    python -m bench.digest --orders 100000 --no-naive   # a quicker run
    python -m bench.digest --keep …                     # keep the loaded schema (named at the end)
    python -m bench.digest --reuse bench_digest_1a2b3c4d --no-naive   # time it again, no load

Loads a fresh schema of the test database by COPY (a synthetic district from data.megacity, its
staff, subscribed residents, riders, orders over a year (52 weeks) and their events), then times
`handlers.digest.build_digests` for the last week (all audiences), and the naive way: load every
event into Python and compute `domain.metrics` per grid. Both must give the same figures.
Aim: building all digests ≤ 2 s.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import fields
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy.engine import make_url

from bench.routing import machine, status_kb
from data.megacity import generate
from domain.calendar import SHANGHAI
from domain.categories import default_taxonomy
from domain.grids import Level
from domain.metrics import Rates, rates_by_unit
from domain.orders import Event, State
from domain.routing import grids_from_geojson
from handlers.digest import build_digests, figure_slices, week_before
from storage.clock import FixedClock
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWork

URL = os.environ.get("GRIDBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)        # a Monday: the digest's hour
CATEGORIES = (("H01", "normal"), ("H02", "normal"), ("P03", "normal"), ("S02", "urgent"),
              ("S01", "urgent"), ("X06", "urgent"), ("S03", "emergency"), ("H04", "complex"))
SIGN = {"normal": 2, "urgent": 1, "emergency": 0.5, "complex": 24}       # hours
RESOLVE = {"normal": 72, "urgent": 24, "emergency": 24, "complex": 360}
SATISFACTION = ("very_satisfied", "satisfied", "satisfied", "basically_satisfied")
ORDER_COLUMNS = ("code", "category", "urgency", "reporter_id", "description", "created_at",
                 "state", "grid_code", "unit_code", "assignee_id", "sign_due", "resolve_due",
                 "signed_at", "resolved_at", "closed_at", "returns", "reopens", "escalations",
                 "extensions", "solved", "satisfaction", "result_note", "published_at", "version")
EVENT_COLUMNS = ("order_code", "kind", "at", "actor_id", "from_state", "to_state", "data")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class History:
    """One order's life, written as the domain writes it, and cut off at `now`."""

    def __init__(self, rng: random.Random, code: str, grid: str | None, reporter: int,
                 leader: int, born: datetime, now: datetime, follower: int | None):
        self.rng, self.code, self.now = rng, code, now
        self.category, self.urgency = rng.choice(CATEGORIES)
        self.row = dict.fromkeys(ORDER_COLUMNS)
        self.row.update(code=code, category=self.category, urgency=self.urgency,
                        reporter_id=reporter, description="楼下垃圾没人清运", created_at=born,
                        state="submitted", grid_code=grid, unit_code=grid, returns=0, reopens=0,
                        escalations=0, extensions=0, version=1)
        self.events: list[tuple] = []
        self.followers: list[tuple] = []
        self.at, self.leader, self.follower = born, leader, follower
        self.event("submitted", reporter, None, "submitted", category=self.category,
                   urgency=self.urgency, grid=grid, photos=[])

    def event(self, kind: str, actor: int | None, before: str | None, after: str | None,
              **data) -> bool:
        if self.at > self.now:
            return False
        self.events.append((self.code, kind, self.at, actor, before, after, json.dumps(data)))
        if after:
            self.row["state"] = after
        return True

    def wait(self, hours: float) -> datetime:
        self.at += timedelta(hours=hours * self.rng.uniform(0.1, 1.3))
        return self.at

    def assign(self, kind: str, before: str | None) -> bool:
        sign_by = self.at + timedelta(hours=SIGN[self.urgency])
        resolve_by = self.at + timedelta(hours=RESOLVE[self.urgency])
        self.row.update(sign_due=sign_by, resolve_due=resolve_by, assignee_id=self.leader)
        return self.event(kind, None, before, "dispatched", unit=self.row["grid_code"],
                          assignee=self.leader, sign_by=iso(sign_by), resolve_by=iso(resolve_by))

    def live(self) -> None:
        rng, row = self.rng, self.row
        self.wait(0.2)
        if rng.random() < 0.04:
            self.event("invalidated", self.leader, "submitted", "invalid",
                       category=rng.choice(("false", "out_of_scope")))
            row["closed_at"] = self.at
            return
        if not self.assign("dispatched", "submitted"):
            return
        if self.follower and rng.random() < 0.5:
            self.wait(1)
            if self.event("followed", self.follower, "dispatched", "dispatched"):
                self.followers.append((self.code, self.follower, self.at))
        if rng.random() < 0.03:
            self.wait(SIGN[self.urgency] * 2)
            row["escalations"] += 1
            if not self.assign("escalated", "dispatched"):
                return
        self.wait(SIGN[self.urgency] * (0.7 if rng.random() < 0.85 else 2.5))
        if not self.event("signed", self.leader, "dispatched", "accepted",
                          on_time=self.at <= row["sign_due"]):
            return
        row["signed_at"] = self.at
        for attempt in range(2):
            self.wait(RESOLVE[self.urgency] * (0.6 if rng.random() < 0.8 else 1.6))
            on_time = self.at <= row["resolve_due"] if row["resolve_due"] else True
            if not self.event("resolved", self.leader, "accepted", "resolved", on_time=on_time,
                              photo=None):
                listed = row["resolve_due"] + timedelta(days=7)
                if listed < self.now and rng.random() < 0.5:   # still overdue after 督办
                    self.at = listed
                    self.event("red_listed", None, "accepted", "accepted")
                return
            row.update(resolved_at=self.at, result_note="已处理完毕")
            self.wait(20)
            fate = rng.random()
            if fate < 0.12 and attempt == 0:
                new_due = self.at + timedelta(hours=RESOLVE[self.urgency])
                if not self.event("reopened", row["reporter_id"], "resolved", "accepted",
                                  solved=False, satisfaction="unsatisfied", reopens=1,
                                  resolve_by=iso(new_due)):
                    return
                row.update(reopens=1, resolve_due=new_due, resolved_at=None,
                           solved=False, satisfaction="unsatisfied")
                continue
            if fate < 0.75:
                solved, level = rng.random() < 0.9, rng.choice(SATISFACTION)
                if not self.event("rated", row["reporter_id"], "resolved", "closed",
                                  solved=solved, satisfaction=level):
                    return
                row.update(solved=solved, satisfaction=level)
            else:
                self.at += timedelta(days=3)
                if not self.event("closed_unrated", None, "resolved", "closed"):
                    return
            row["closed_at"] = self.at
            self.publish()
            return

    def publish(self) -> None:
        self.wait(0.1)
        rating = {"rated": "满意"}.get(self.events[-1][1], "未评价")
        if self.event("published", None, "closed", "closed", code=self.code,
                      category=self.category, place="某小区", summary="已处理完毕",
                      rating=rating, community=self.community, rank=self.rng.randint(0, 7)):
            self.row["published_at"] = self.at


async def load(connection: asyncpg.Connection, args: argparse.Namespace) -> dict[str, int]:
    """District, people, orders and events; returns what was made."""
    from storage.repositories.grids import grid_values
    district = grids_from_geojson(generate(args.micro_grids, seed=1))
    values = grid_values(district)
    for value in values:
        value["aliases"] = json.dumps(value["aliases"], ensure_ascii=False)
    await connection.copy_records_to_table(
        "grid", columns=list(values[0]), records=[tuple(v.values()) for v in values])
    rng = random.Random(7)
    leaders = {}
    for grid in district:
        leaders[grid.code] = await _person(connection, f"网格长{grid.code}", "staff", None, None)
        role = "dispatcher" if grid.level is Level.STREET else "leader"
        await connection.execute("INSERT INTO membership (person_id, grid_code, role) "
                                 "VALUES ($1, $2, $3)",
                                 leaders[grid.code], grid.code, role)
    micro = [g.code for g in district if g.level is Level.MICRO_GRID]
    people = [await _person(connection, f"居民{i}", "resident", rng.choice(micro), None,
                            subscribed=i < args.subscribers) for i in range(args.residents)]
    riders = [await _person(connection, f"骑手{i}", "rider", None, f"闪电{i}" if i % 2 else None)
              for i in range(args.riders)]
    communities = {g.code: (g.parent if g.level is Level.GRID else None) for g in district}
    parent = {g.code: g.parent for g in district}
    start = NOW - timedelta(days=args.days)
    made = Counter()
    for chunk in range(0, args.orders, 100_000):
        orders, events, followers = [], [], []
        for i in range(chunk, min(args.orders, chunk + 100_000)):
            grid = rng.choice(micro) if rng.random() > 0.02 else None
            reporter = rng.choice(riders) if rng.random() < 0.2 else rng.choice(people)
            born = start + timedelta(seconds=rng.uniform(0, args.days * 86400))
            life = History(rng, f"WG-B-{i:07d}", grid, reporter,
                           leaders[grid] if grid else leaders[min(leaders)], born, NOW,
                           rng.choice(riders) if rng.random() < 0.05 else None)
            life.community = communities.get(parent.get(grid)) if grid else None
            life.live()
            orders.append(tuple(life.row[c] for c in ORDER_COLUMNS))
            events.extend(life.events)
            followers.extend(life.followers)
        await connection.copy_records_to_table("work_order", columns=ORDER_COLUMNS,
                                               records=orders)
        await connection.copy_records_to_table("event", columns=EVENT_COLUMNS, records=events)
        await connection.copy_records_to_table("order_follower", records=followers,
                                               columns=("order_code", "person_id", "since"))
        made["orders"] += len(orders)
        made["events"] += len(events)
        print(f"  loaded {made['orders']:,} orders, {made['events']:,} events", flush=True)
    await connection.execute("ANALYZE")
    made.update(grids=len(district), staff=len(leaders), subscribers=args.subscribers,
                riders=len(riders))
    return made


async def _person(connection, name, kind, home, nickname, subscribed=False) -> int:
    pid = await connection.fetchval(
        "INSERT INTO person (name, kind, home_grid, nickname, subscribed, created_at) "
        "VALUES ($1, $2, $3, $4, $5, now()) RETURNING id", name, kind, home, nickname, subscribed)
    if kind != "rider":
        await connection.execute("INSERT INTO channel_account (channel, external_id, person_id, "
                                 "window_sent) VALUES ('telegram', $1, $2, 0)", str(pid), pid)
    return pid


async def timed_digests(uow: UnitOfWork, tree, rounds: int) -> tuple[list[float], list]:
    taxonomy, times, digests = default_taxonomy(), [], []
    for _ in range(rounds):
        began = time.perf_counter()
        async with uow:
            digests = await build_digests(uow, tree, taxonomy, NOW)
        times.append(time.perf_counter() - began)
    return times, digests


async def naive(connection: asyncpg.Connection) -> tuple[float, dict, int]:
    """Every event into Python, then `domain.metrics` per reported grid."""
    began = time.perf_counter()
    grid_of = dict(await connection.fetch("SELECT code, grid_code FROM work_order"))
    events = [Event(r[0], r[1], r[2], r[3], State(r[4]) if r[4] else None,
                    State(r[5]) if r[5] else None, r[6], json.loads(r[7]))
              for r in await connection.fetch(
                  "SELECT order_code, kind, at, actor_id, from_state, to_state, reason, data "
                  "FROM event")]
    start, end = week_before(NOW)
    figures = rates_by_unit(events, lambda code: grid_of[code] or "-", start, end, NOW)
    return time.perf_counter() - began, figures, len(events)


def sum_figures(slices: list[tuple[dict, dict]]) -> dict:
    """The figures of disjoint sets of orders, added up grid by grid."""
    rates: dict = {}
    for figures, _ in slices:
        for code, value in figures.items():
            rates[code] = rates.get(code, Rates()) + value
    return rates


def same_rates(got: dict, expected: dict) -> bool:
    """Every count equal on every grid of `expected`, handling time to the second."""
    return all(abs((getattr(got.get(g, Rates()), f.name) - getattr(r, f.name)).total_seconds()) < 1
               if f.name == "handling_time" else
               getattr(got.get(g, Rates()), f.name) == getattr(r, f.name)
               for g, r in expected.items() for f in fields(r))


async def main(args: argparse.Namespace) -> None:
    schema = args.reuse or f"bench_digest_{uuid.uuid4().hex[:8]}"
    dsn = make_url(URL).set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    if not args.reuse:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(URL).update_query_dict({"schema": schema}).render_as_string(False)
    try:
        # A reused schema is brought to the head revision: new migrations backfill what it holds.
        await upgrade(url)
        connection = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        if not args.reuse:
            began = time.perf_counter()
            made = await load(connection, args)
            print(f"load: {time.perf_counter() - began:.0f} s, {dict(made)}")
        engine = make_engine(url)
        uow = UnitOfWork(session_factory(engine), FixedClock(NOW))
        async with uow:
            tree = await uow.grids.tree()
        times, digests = await timed_digests(uow, tree, args.rounds)
        audiences = Counter(d.audience for d in digests)
        print(f"build_digests (all audiences): median {statistics.median(times):.2f} s, "
              f"best {min(times):.2f} s of {len(times)}; digests {dict(audiences)}, "
              f"recipients {sum(len(d.recipients) for d in digests):,}")
        async with uow:
            start, end = week_before(NOW)
            began = time.perf_counter()
            sql, _ = await uow.publishing.figures(start, end, NOW)
            print(f"  figures (SQL) alone, in one statement: {time.perf_counter() - began:.2f} s")
        slices = []
        for born in figure_slices(start, end):
            async with uow:
                slices.append(await uow.publishing.figures(start, end, NOW, born=born))
        print(f"  the digest's slices add up to the whole: {same_rates(sum_figures(slices), sql)}")
        if args.naive:
            seconds, expected, count = await naive(connection)
            print(f"naive: {seconds:.1f} s for {count:,} events, peak RSS "
                  f"{status_kb('VmHWM') / 1024:.0f} MB; speed-up "
                  f"{seconds / statistics.median(times):.0f}x")
            # The naive way also lists grids whose orders did nothing in the week (all zero).
            got = {grid or "-": rates for grid, rates in sql.items()}
            same = set(got) <= set(expected) and same_rates(got, expected)
            print(f"SQL figures equal domain.metrics on every grid: {same}")
        await engine.dispose()
        await connection.close()
    finally:
        if args.keep or args.reuse:
            print(f"schema kept: {schema}")
        else:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
    print(f"machine: {machine()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=364)
    parser.add_argument("--micro-grids", type=int, default=4_000)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--riders", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--naive", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--reuse", metavar="SCHEMA",
                        help="time a schema loaded before with --keep (migrated to head first)")
    asyncio.run(main(parser.parse_args()))
