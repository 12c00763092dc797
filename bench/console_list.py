"""The staff console's list with filters: one page, counted up to 10,000, per query.

    python -m bench.console_list                                   # 100,000 orders on SQLite
    python -m bench.console_list --orders 20000                    # a quicker run
    python -m bench.console_list --postgres --orders 1000000       # a fresh schema of the test db
    python -m bench.console_list --postgres --plans plans.txt      # and EXPLAIN ANALYZE them

Loads the sample district and its staff into a database of its own (a temporary SQLite file, or
a fresh schema of the test database, dropped after), then `--orders` synthetic orders spread
over its micro-grids and the last 120 days (every state, category and urgency; the open ones
filed in the last few days, a tenth of them late; some queued for a dispatcher, some held by a
department), seeded set-based: one INSERT … SELECT over generate_series on PostgreSQL, large
executemany batches on SQLite. Then it times `OrderListRepository.page` — all a page of the
console runs: the anchor's key, the gathering that counts the list, the walk when it is long —
for each staff scope (street dispatcher, community, grid leader, micro-grid leader, department)
× each filter and sort × pages 1, 5 and 200 (rows 9,951–10,000, reached by key as the console's
下一页 does), and prints p50/p99 per filter, per scope and per page.

The same run measures two references on the same rows and pages:
- "bare": the page with no WHERE at all (`SELECT … ORDER BY … LIMIT 51 OFFSET …`), the
  floor any filter can hope for;
- "naive" (PostgreSQL): each filter's first page for the street, planned with index scans
  turned off — what a list without the right indexes costs.
Aim: p99 ≤ 200 ms per page at 1,000,000 orders on PostgreSQL, 100,000 on SQLite.
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
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import asyncpg
from sqlalchemy import select, text
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
from storage.order_filter import ORDER, OrderFilter, OrderScope
from storage.repositories.order_list import (
    MOST_ROWS,
    filtered,
    gathered,
    most_rows,
    walked,
)
from storage.uow import UnitOfWork

PG = os.environ.get("GRIDBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
STATES = [State.DISPATCHED] * 10 + [State.ACCEPTED] * 10 + [State.RESOLVED] * 4 + \
    [State.CLOSED] * 60 + [State.SUBMITTED] * 2 + [State.INVALID] * 3 + [State.MERGED] * 1
WORDS = ("垃圾", "井盖", "路灯", "占道", "噪音", "漏水", "电梯", "飞线充电", "小广告", "积水")
LIMIT_DAYS = {Urgency.EMERGENCY: 1, Urgency.URGENT: 1, Urgency.COMPLEX: 21}
PAGE = 50
PAGES = (1, 5, MOST_ROWS // PAGE)


def orders(count: int, micro_grids: list[str], parents: dict[str, str], staff: list[int],
           department: int, seed: int = 1) -> list[dict[str, Any]]:
    """The SQLite rows (the PostgreSQL statement below draws the same distribution)."""
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
        limit = LIMIT_DAYS.get(urgency, 4)
        due = created + timedelta(days=limit)
        finished = state in (State.RESOLVED, State.CLOSED)
        resolved = created + timedelta(days=rng.uniform(0.1, limit * 1.3)) if finished else None
        rows.append({
            "code": f"WG-{created:%Y%m%d}-{n:07d}", "category": code, "urgency": urgency.value,
            "reporter_id": None, "description": f"{rng.choice(WORDS)}，{rng.choice(WORDS)} {n}",
            "address": f"幸福路{n % 500}号" if n % 3 == 0 else None,
            "created_at": created, "state": state.value, "grid_code": grid, "unit_code": unit,
            "assignee_id": assignee, "sign_due": created + timedelta(hours=2),
            "resolve_due": due, "resolved_at": resolved,
            "closed_at": resolved + timedelta(days=1) if state is State.CLOSED and resolved
            else None, "version": 1})
    return rows


# The same draw as `orders`, in one statement: $1 now, $2 count, $3 category codes, $4 their
# urgencies, $5 micro-grids, $6 their dispatchers' queues, $7 staff ids, $8 the department.
PG_ORDERS = """
INSERT INTO work_order (code, category, urgency, reporter_id, description, address, created_at,
    state, grid_code, unit_code, assignee_id, sign_due, resolve_due, resolved_at, closed_at,
    returns, reopens, escalations, extensions, version, clock_version)
SELECT 'WG-' || to_char(created AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-'
           || lpad(n::text, 7, '0'),
       ($3::text[])[kind], ($4::text[])[kind], NULL,
       w[1 + floor(r_word1 * 10)::int] || '，' || w[1 + floor(r_word2 * 10)::int] || ' ' || n,
       CASE WHEN n % 3 = 0 THEN '幸福路' || n % 500 || '号' END,
       created, state, ($5::text[])[place],
       CASE WHEN state = 'submitted' THEN ($6::text[])[place]
            WHEN r_department < 0.03 THEN 'JJ' ELSE ($5::text[])[place] END,
       CASE WHEN state <> 'submitted' AND r_department < 0.03 THEN $8
            ELSE ($7::int[])[1 + floor(r_staff * array_length($7::int[], 1))::int] END,
       created + interval '2 hours', created + limit_days * interval '1 day',
       CASE WHEN state IN ('resolved', 'closed')
            THEN created + (0.1 + r_resolved * (limit_days * 1.3 - 0.1)) * interval '1 day' END,
       CASE WHEN state = 'closed'
            THEN created + (1.1 + r_resolved * (limit_days * 1.3 - 0.1)) * interval '1 day' END,
       0, 0, 0, 0, 1, 0
FROM (
    SELECT n, state, kind, place, r_word1, r_word2, r_department, r_staff, r_resolved,
           CASE ($4::text[])[kind] WHEN 'emergency' THEN 1 WHEN 'urgent' THEN 1
                                 WHEN 'complex' THEN 21 ELSE 4 END AS limit_days,
           $1::timestamptz - r_age * interval '1 minute' * 1440 * CASE
               WHEN state IN ('closed', 'invalid', 'merged', 'resolved') THEN 120
               WHEN r_late < 0.1 THEN 14 ELSE 3 END AS created,
           ARRAY['垃圾', '井盖', '路灯', '占道', '噪音', '漏水', '电梯', '飞线充电', '小广告',
                 '积水'] AS w
    FROM (
        SELECT n, (ARRAY['dispatched', 'accepted', 'resolved', 'closed', 'submitted', 'invalid',
                         'merged'])[CASE WHEN r_state < 10 THEN 1 WHEN r_state < 20 THEN 2
                                         WHEN r_state < 24 THEN 3 WHEN r_state < 84 THEN 4
                                         WHEN r_state < 86 THEN 5 WHEN r_state < 89 THEN 6
                                         ELSE 7 END] AS state,
               kind, place, r_age, r_late, r_word1, r_word2, r_department, r_staff, r_resolved
        FROM (
            SELECT n, random() * 90 AS r_state,
                   1 + floor(random() * array_length($3::text[], 1))::int AS kind,
                   1 + floor(random() * array_length($5::text[], 1))::int AS place,
                   random() AS r_age, random() AS r_late, random() AS r_word1,
                   random() AS r_word2, random() AS r_department, random() AS r_staff,
                   random() AS r_resolved
            FROM generate_series(1, $2) AS n) AS drawn) AS stated) AS timed
"""


def scopes(tree: GridTree, people: dict[str, int]) -> dict[str, OrderScope]:
    def under(*roots: str) -> frozenset[str]:
        return frozenset(g.code for g in tree if any(tree.is_above(r, g.code) for r in roots))

    def scope(root: str | None, person: str) -> OrderScope:   # as handlers.console.scope_of
        grids = under(root) if root else frozenset()
        return OrderScope(grids, people[person])
    return {"street": scope("JJ", "P0001"), "community": scope("JJ-01", "P0002"),
            "grid": scope("JJ-01-01", "P0005"), "micro-grid": scope("JJ-01-01-03", "P0021"),
            "department": scope(None, "P0089")}


def filters(tree: GridTree) -> dict[str, OrderFilter]:
    kinds = default_taxonomy()
    top = kinds.top_levels()[0]
    base = OrderFilter()
    open_ = (State.SUBMITTED, State.DISPATCHED, State.ACCEPTED)
    return {
        "none": base,
        "open": replace(base, states=open_),
        "closed": replace(base, states=(State.CLOSED,)),
        "grid subtree": replace(base, grids=frozenset(
            g.code for g in tree if tree.is_above("JJ-01-02", g.code))),
        "category group": replace(base, categories=frozenset(c.code for c in kinds.children(top))),
        "one category": replace(base, categories=frozenset({"S01"})),
        "urgency": replace(base, urgency=Urgency.URGENT),
        "light green": replace(base, light="green"),
        "light yellow": replace(base, light="yellow"),
        "light red": replace(base, light="red"),
        "overdue": replace(base, overdue=True),
        "last 7 days": replace(base, since=NOW - timedelta(days=7)),
        "a month, 60 days ago": replace(base, since=NOW - timedelta(days=60),
                                        until=NOW - timedelta(days=30)),
        "text 井盖": replace(base, text="井盖"),
        "text 飞线充电": replace(base, text="飞线充电"),
        "text address": replace(base, text="幸福路123号"),
        "code prefix (a day)": replace(base, code=f"WG-{NOW - timedelta(days=3):%Y%m%d}"),
        "open, by deadline": replace(base, states=open_, sort="resolve_due", descending=False),
        "by code": replace(base, sort="code"),
        "by state": replace(base, sort="state", descending=False),
        "by urgency": replace(base, sort="urgency"),
        "four at once": replace(base, states=(State.DISPATCHED,), urgency=Urgency.NORMAL,
                                text="垃圾", since=NOW - timedelta(days=30)),
    }


async def load_sqlite(uow: UnitOfWork, count: int, micro: list[str], parents: dict[str, str],
                      staff: list[int], department: int) -> None:
    rows = orders(count, micro, parents, staff, department)
    async with uow:
        for start in range(0, len(rows), 20_000):
            await uow.session.execute(ORDER.insert(), rows[start:start + 20_000])
        await uow.commit()
    async with uow:
        await uow.session.execute(text("ANALYZE"))
        await uow.commit()


async def load_postgres(url: str, schema: str, count: int, micro: list[str],
                        parents: dict[str, str], staff: list[int], department: int) -> None:
    kinds = list(default_taxonomy())
    dsn = make_url(url).set(drivername="postgresql").difference_update_query(["schema"])
    connection = await asyncpg.connect(dsn.render_as_string(False),
                                       server_settings={"search_path": schema})
    try:
        # The indexes are built once after the rows are in, not kept up row by row.
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1"
            " AND tablename = 'work_order' AND indexname <> 'pk_work_order'", schema)
        for index in indexes:
            await connection.execute(f'DROP INDEX "{index["indexname"]}"')
        await connection.execute("SELECT setseed(0.5)")
        await connection.execute(PG_ORDERS, NOW, count, [c.code for c in kinds],
                                 [c.urgency.value for c in kinds], micro,
                                 [queue_of(parents[g]) for g in micro], staff, department)
        for index in indexes:
            await connection.execute(index["indexdef"])
        await connection.execute("VACUUM ANALYZE work_order")   # this table only
    finally:
        await connection.close()


async def load(url: str, count: int, schema: str | None = None, loaded: bool = False
               ) -> tuple[UnitOfWork, dict[str, OrderScope], dict[str, OrderFilter]]:
    await upgrade(url)
    engine = make_engine(url)
    uow = UnitOfWork(session_factory(engine), FixedClock(NOW))
    if not loaded:
        async with uow:
            await import_grids(uow, SAMPLE_DISTRICT, progress=False)
            await import_people(uow, SAMPLE_PEOPLE, progress=False)
            await uow.commit()
    tree = GridTree(grids_from_geojson(json.loads(Path(SAMPLE_DISTRICT).read_text("utf-8"))))
    async with uow:
        people = {code: (await uow.people.by_staff_code(code)).id
                  for code in ("P0001", "P0002", "P0005", "P0021", "P0089")}
        staff = [(await uow.people.by_staff_code(f"P{n:04d}")).id for n in range(1, 72)]
    micro = sorted(g.code for g in tree if g.level.value == "micro_grid")
    parents = {g.code: tree.parent_of(g.code).code for g in tree if tree.parent_of(g.code)}
    started = time.monotonic()
    if loaded:
        return uow, scopes(tree, people), filters(tree)
    if schema is None:
        await load_sqlite(uow, count, micro, parents, staff, people["P0089"])
    else:
        await load_postgres(url, schema, count, micro, parents, staff, people["P0089"])
    print(f"loaded {count:,} orders in {time.monotonic() - started:.1f} s")
    return uow, scopes(tree, people), filters(tree)


def _summary(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


async def _timed(uow: UnitOfWork, work: Callable[[UnitOfWork], Any]) -> float:
    async with uow:
        started = time.perf_counter()
        await work(uow)
        return (time.perf_counter() - started) * 1000


async def _bare(uow: UnitOfWork, wanted: OrderFilter, page: int) -> None:
    """The same sort and page with no WHERE: the floor."""
    column = ORDER.c[wanted.sort]
    order = (column.desc(), ORDER.c.code.desc()) if wanted.descending else (
        column.asc(), ORDER.c.code.asc())
    query = select(*ORDER.columns).order_by(*order).offset((page - 1) * PAGE).limit(PAGE + 1)
    (await uow.session.execute(query)).all()


async def _naive(uow: UnitOfWork, scope: OrderScope, wanted: OrderFilter) -> None:
    """The first page planned without any index scan: a list with no index to help it."""
    await uow.session.execute(text("SET LOCAL enable_indexscan = off"))
    await uow.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    await uow.session.execute(text("SET LOCAL enable_indexonlyscan = off"))
    query = filtered(scope, wanted, NOW, "postgresql").limit(PAGE + 1)
    (await uow.session.execute(query)).all()


async def _anchors(uow: UnitOfWork, scope: OrderScope, wanted: OrderFilter
                   ) -> dict[int, str | None]:
    """The code each measured page starts after, found by paging as the console does."""
    found: dict[int, str | None] = {1: None}
    after: str | None = None
    position = 0
    async with uow:
        for page in PAGES[1:]:
            while position < (page - 1) * PAGE:
                step = min(1000, (page - 1) * PAGE - position)
                listed = await uow.order_list.page(scope, wanted, size=step, after=after)
                if not listed.orders:
                    break
                after, position = listed.orders[-1].code, position + len(listed.orders)
            found[page] = after if position == (page - 1) * PAGE else None
    return found


async def measure(uow: UnitOfWork, scope_set: dict[str, OrderScope],
                  filter_set: dict[str, OrderFilter], rounds: int, postgres: bool
                  ) -> list[tuple[float, str, str, int]]:
    by_filter: dict[str, list[float]] = defaultdict(list)
    by_scope: dict[str, list[float]] = defaultdict(list)
    by_page: dict[int, list[float]] = defaultdict(list)
    bare: dict[str, list[float]] = defaultdict(list)
    slowest: list[tuple[float, str, str, int]] = []
    anchors = {(f, s): await _anchors(uow, scope, wanted)
               for f, wanted in filter_set.items() for s, scope in scope_set.items()}
    for _ in range(rounds):
        for filter_name, wanted in filter_set.items():
            for scope_name, scope in scope_set.items():
                for page in PAGES:
                    after = anchors[filter_name, scope_name][page]
                    if page > 1 and after is None:
                        continue              # the list is shorter than that
                    took = await _timed(uow, lambda u, s=scope, w=wanted, a=after:
                                        u.order_list.page(s, w, size=PAGE, after=a))
                    by_filter[filter_name].append(took)
                    by_scope[scope_name].append(took)
                    by_scope["all"].append(took)
                    by_page[page].append(took)
                    slowest.append((took, scope_name, filter_name, page))
                    if scope_name == "street":
                        bare[filter_name].append(await _timed(
                            uow, lambda u, w=wanted, p=page: _bare(u, w, p)))
    naive: dict[str, float] = {}
    if postgres:
        for filter_name, wanted in filter_set.items():
            naive[filter_name] = await _timed(
                uow, lambda u, w=wanted: _naive(u, scope_set["street"], w))
    print(f"\n{'filter (all scopes and pages), ms':<36}{'n':>5}{'p50':>8}{'p99':>8}{'max':>8}"
          f"{'bare p50':>10}{'bare p99':>10}" + (f"{'naive':>9}" if postgres else ""))
    for name, values in by_filter.items():
        p50, p99, most = _summary(values)
        b50, b99, _ = _summary(bare[name])
        print(f"{name:<36}{len(values):>5}{p50:>8.1f}{p99:>8.1f}{most:>8.1f}{b50:>10.1f}"
              f"{b99:>10.1f}" + (f"{naive[name]:>9.0f}" if postgres else ""))
    print(f"\n{'scope or page (all filters), ms':<36}{'n':>5}{'p50':>8}{'p99':>8}{'max':>8}")
    rows = [*by_scope.items(), *((f"page {p}", v) for p, v in by_page.items())]
    for name, values in rows:
        p50, p99, most = _summary(values)
        print(f"{name:<36}{len(values):>5}{p50:>8.1f}{p99:>8.1f}{most:>8.1f}")
    slowest.sort(reverse=True)
    return slowest


async def explain(uow: UnitOfWork, scope_set: dict[str, OrderScope],
                  filter_set: dict[str, OrderFilter], picks: list[tuple[str, str, int]],
                  out: Path) -> None:
    """EXPLAIN (ANALYZE) of each picked page's statements: the gathering that counts it, and
    the walk when the list is longer than the gathering holds."""
    lines: list[str] = []
    async with uow:
        dialect = uow.session.get_bind().dialect
        postgres = dialect.name == "postgresql"
        if postgres:
            await uow.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        for scope_name, filter_name, _ in picks:
            scope, wanted = scope_set[scope_name], filter_set[filter_name]
            total = await uow.order_list.count(scope, wanted)
            most = most_rows(dialect.name)
            statements = [("page: gathered, and counted", gathered(
                scope, wanted, NOW, dialect.name, None, False, most).limit(PAGE + 1))]
            if total > most:
                statements.append((f"page: walked ({most:,}+ counted)", walked(
                    scope, wanted, NOW, dialect.name, None, False, PAGE + 1)))
            for what, statement in statements:
                compiled = statement.compile(dialect=dialect,
                                             compile_kwargs={"literal_binds": True})
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                lines.append(f"-- {scope_name} / {filter_name} / page 1: {what}")
                for row in (await uow.session.execute(text(prefix + str(compiled)))).all():
                    lines.append("   " + " ".join(str(part) for part in row))
    out.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"plans written to {out}")


def picks(slowest: list[tuple[float, str, str, int]], filter_set: dict[str, OrderFilter]
          ) -> list[tuple[str, str, int]]:
    """The street's first page of every filter, then the three slowest combinations."""
    chosen = [("street", name, 1) for name in filter_set]
    seen: set[tuple[str, str]] = set()
    for _, scope_name, filter_name, page in slowest:
        if len(seen) == 3:
            break
        if (scope_name, filter_name) not in seen:
            seen.add((scope_name, filter_name))
            chosen.append((scope_name, filter_name, page))
    return chosen


async def run(url: str, args: argparse.Namespace, schema: str | None) -> None:
    uow, scope_set, filter_set = await load(url, args.orders, schema, bool(args.schema))
    if args.only:
        filter_set = {k: v for k, v in filter_set.items() if k in args.only.split(";")}
    slowest = await measure(uow, scope_set, filter_set, args.rounds, schema is not None)
    print("\nslowest:", ", ".join(f"{s}/{f}/p{p} {t:.0f} ms" for t, s, f, p in slowest[:5]))
    if args.plans:
        await explain(uow, scope_set, filter_set, picks(slowest, filter_set), Path(args.plans))


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--plans", help="write EXPLAIN (ANALYZE) of the main queries here")
    parser.add_argument("--only", help="only these filters (names, separated by ;)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--schema", help="measure a schema kept by --keep (no loading)")
    args = parser.parse_args()
    print(machine())
    if not args.postgres:
        with TemporaryDirectory() as folder:
            await run(f"sqlite:///{folder}/bench.db", args, None)
        return
    schema = args.schema or f"bench_console_{uuid.uuid4().hex[:8]}"
    dsn = make_url(PG).render_as_string(False)
    admin = await asyncpg.connect(dsn)
    if not args.schema:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(PG).update_query_dict({"schema": schema}).render_as_string(False)
        await run(url, args, schema)
    finally:
        if args.keep or args.schema:
            print(f"schema {schema} kept: drop it with DROP SCHEMA \"{schema}\" CASCADE")
        else:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
