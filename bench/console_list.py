"""The staff console's list with filters: one page per query, over many orders.

    python -m bench.console_list                          # 100,000 orders on SQLite
    python -m bench.console_list --orders 20000           # a quicker run
    python -m bench.console_list --postgres --orders 1000000   # a fresh schema of the test db

Loads the sample district and its staff, then `--orders` synthetic orders spread over its
micro-grids and the last 120 days (every state, category and urgency; the open ones filed in
the last few days, a tenth of them late; some queued, some held by a department), and times `OrderListRepository.page` — the statement the console runs — for
each staff scope (street dispatcher, community, grid leader, micro-grid leader, department)
under each filter and sort, on page 1 and page 5. Prints p50/p99 per scope and overall, and
the query plan of the slowest statements. Aim: p99 ≤ 200 ms per page.
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
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.routing import machine
from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE
from domain.calendar import SHANGHAI
from domain.categories import default_taxonomy
from domain.grids import GridTree, queue_of
from domain.orders import State, Urgency
from domain.routing import grids_from_geojson
from storage.clock import FixedClock
from storage.db import make_engine, session_factory
from storage.importer import import_grids, import_people
from storage.migrate import upgrade
from storage.repositories.order_list import OrderFilter, OrderScope, filtered
from storage.tables import WorkOrderRow
from storage.uow import UnitOfWork

PG = os.environ.get("GRIDBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
STATES = [State.DISPATCHED] * 10 + [State.ACCEPTED] * 10 + [State.RESOLVED] * 4 + \
    [State.CLOSED] * 60 + [State.SUBMITTED] * 2 + [State.INVALID] * 3 + [State.MERGED] * 1
WORDS = ("垃圾", "井盖", "路灯", "占道", "噪音", "漏水", "电梯", "飞线充电", "小广告", "积水")


def orders(count: int, micro_grids: list[str], parents: dict[str, str], staff: list[int],
           department: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    kinds = [(c.code, c.urgency) for c in default_taxonomy()]
    rows = []
    for n in range(count):
        code, urgency = rng.choice(kinds)
        state = rng.choice(STATES)
        # Open orders are recent (a few days; one in ten is late), closed ones span the period.
        days = 120 if state.is_final or state is State.RESOLVED else (
            14 if rng.random() < 0.1 else 3)
        created = NOW - timedelta(minutes=rng.uniform(0, days * 24 * 60))
        grid = rng.choice(micro_grids)
        unit, assignee = grid, rng.choice(staff)
        if state is State.SUBMITTED:
            unit = queue_of(parents[grid])
        elif rng.random() < 0.03:
            unit, assignee = "JJ", department
        limit = {Urgency.EMERGENCY: 1, Urgency.URGENT: 1, Urgency.COMPLEX: 21}.get(urgency, 4)
        due = created + timedelta(days=limit)
        finished = state in (State.RESOLVED, State.CLOSED)
        resolved = created + timedelta(days=rng.uniform(0.1, limit * 1.3)) if finished else None
        rows.append({
            "code": f"WG-{created:%Y%m%d}-{n:07d}", "category": code, "urgency": urgency.value,
            "reporter_id": None, "description": f"{rng.choice(WORDS)}，{rng.choice(WORDS)} {n}",
            "created_at": created, "state": state.value, "grid_code": grid, "unit_code": unit,
            "assignee_id": assignee, "sign_due": created + timedelta(hours=2),
            "resolve_due": due, "resolved_at": resolved,
            "closed_at": resolved + timedelta(days=1) if state is State.CLOSED and resolved
            else None, "version": 1})
    return rows


def scopes(tree, people: dict[str, int]) -> dict[str, OrderScope]:
    def under(*roots: str) -> frozenset[str]:
        return frozenset(g.code for g in tree if any(tree.is_above(r, g.code) for r in roots))
    def scope(root: str | None, person: str) -> OrderScope:   # as handlers.console.scope_of
        grids = under(root) if root else frozenset()
        return OrderScope(grids, people[person])
    return {"street": scope("JJ", "P0001"), "community": scope("JJ-01", "P0002"),
            "grid": scope("JJ-01-01", "P0005"), "micro-grid": scope("JJ-01-01-03", "P0021"),
            "department": scope(None, "P0089")}


def filters(tree) -> dict[str, OrderFilter]:
    kinds = default_taxonomy()
    top = kinds.top_levels()[0]
    base = OrderFilter()
    return {
        "none": base,
        "open": replace(base, states=(State.DISPATCHED, State.ACCEPTED)),
        "grid subtree": replace(base, grids=frozenset(
            g.code for g in tree if tree.is_above("JJ-01-02", g.code))),
        "category group": replace(base, categories=frozenset(c.code for c in kinds.children(top))),
        "urgency": replace(base, urgency=Urgency.URGENT),
        "light yellow": replace(base, light="yellow"),
        "light red": replace(base, light="red"),
        "overdue": replace(base, overdue=True),
        "last 7 days": replace(base, since=NOW - timedelta(days=7)),
        "text": replace(base, text="井盖"),
        "code prefix": replace(base, code=f"WG-{NOW - timedelta(days=3):%Y%m%d}"),
        "open, by deadline": replace(base, states=(State.DISPATCHED, State.ACCEPTED),
                                     sort="resolve_due", descending=False),
        "everything": replace(base, states=(State.DISPATCHED,), urgency=Urgency.NORMAL,
                              text="垃圾", since=NOW - timedelta(days=30)),
    }


async def load(url: str, count: int) -> tuple[UnitOfWork, dict[str, OrderScope], dict]:
    await upgrade(url)
    engine = make_engine(url)
    uow = UnitOfWork(session_factory(engine), FixedClock(NOW))
    async with uow:
        await import_grids(uow, SAMPLE_DISTRICT, progress=False)
        await import_people(uow, SAMPLE_PEOPLE, progress=False)
        await uow.commit()
    tree = GridTree(grids_from_geojson(json.loads(Path(SAMPLE_DISTRICT).read_text("utf-8"))))
    async with uow:
        people = {code: (await uow.people.by_staff_code(code)).id
                  for code in ("P0001", "P0002", "P0005", "P0021", "P0089")}
        staff = [(await uow.people.by_staff_code(f"P{n:04d}")).id for n in range(1, 72)]
    micro = [g.code for g in tree if g.level.value == "micro_grid"]
    parents = {g.code: tree.parent_of(g.code).code for g in tree if tree.parent_of(g.code)}
    rows = orders(count, micro, parents, staff, people["P0089"])
    started = time.monotonic()
    for start in range(0, len(rows), 5000):
        async with uow:
            await uow.session.execute(WorkOrderRow.__table__.insert(), rows[start:start + 5000])
            await uow.commit()
    async with uow:
        await uow.session.execute(text("ANALYZE work_order"))   # this table only
        await uow.commit()
    print(f"loaded {count:,} orders in {time.monotonic() - started:.1f} s")
    return uow, scopes(tree, people), filters(tree)


async def measure(uow: UnitOfWork, scope_set: dict, filter_set: dict, rounds: int) -> None:
    timings: dict[str, list[float]] = defaultdict(list)
    slowest: list[tuple[float, str, str, int]] = []
    for scope_name, scope in scope_set.items():
        for filter_name, wanted in filter_set.items():
            for page in (1, 5):
                for _ in range(rounds):
                    async with uow:
                        started = time.perf_counter()
                        await uow.order_list.page(scope, wanted, page, 50)
                        took = (time.perf_counter() - started) * 1000
                    timings[scope_name].append(took)
                    timings["all"].append(took)
                    slowest.append((took, scope_name, filter_name, page))
    print(f"{'scope':<12} {'queries':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in timings.items():
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"{name:<12} {len(values):>8} {statistics.median(values):>8.1f} {p99:>8.1f} "
              f"{values[-1]:>8.1f}")
    slowest.sort(reverse=True)
    seen = set()
    for took, scope_name, filter_name, page in slowest:
        if (scope_name, filter_name) in seen or len(seen) >= 3:
            continue
        seen.add((scope_name, filter_name))
        print(f"\nslow: {took:.1f} ms — {scope_name} / {filter_name} / page {page}")
        async with uow:
            dialect = uow.session.get_bind().dialect
            statement = filtered(scope_set[scope_name], filter_set[filter_name], NOW,
                                 dialect.name).offset((page - 1) * 50).limit(51)
            compiled = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            explain = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
            for line in (await uow.session.execute(text(explain + str(compiled)))).all():
                print("   ", " ".join(str(part) for part in line))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    print(machine())
    if not args.postgres:
        with TemporaryDirectory() as folder:
            uow, scope_set, filter_set = await load(f"sqlite:///{folder}/bench.db", args.orders)
            await measure(uow, scope_set, filter_set, args.rounds)
        return
    schema = f"bench_console_{uuid.uuid4().hex[:8]}"
    dsn = make_url(PG).render_as_string(False)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(PG).update_query_dict({"schema": schema}).render_as_string(False)
        uow, scope_set, filter_set = await load(url, args.orders)
        await measure(uow, scope_set, filter_set, args.rounds)
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
