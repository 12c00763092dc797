"""Ledger export benchmark: 100,000 orders to CSV and XLSX on PostgreSQL, peak RSS recorded.

    python -m bench.ledger                      # 100,000 orders, 3 events each
    python -m bench.ledger --orders 20000       # a quicker run

Loads a fresh schema of the test database (the sample district and its staff, then orders and
their events made by one set-based INSERT … SELECT over generate_series each), then exports the
whole period with `handlers.ledger_files.export` — each format, and the events ledger, in a
child process of its own so that its peak resident memory is its own — and, in the same run, the
ceiling: a bare `COPY (SELECT the same columns) TO STDOUT` of the same rows to a file.
Aim: ≤ 10 s and ≤ 200 MB for 100,000 orders.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.routing import machine
from bot.config import Settings
from bot.services import open_services
from domain.calendar import SHANGHAI
from handlers.ledger import Books
from handlers.ledger_files import export
from storage.clock import FixedClock
from storage.order_filter import OrderFilter
from web.demo_seed import seed_demo

BASE = os.environ.get("GRIDBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
DAYS = 30
PERIOD = OrderFilter(since=NOW - timedelta(days=DAYS + 1), until=NOW)

# One statement: n orders over the last DAYS days, in every state, on the district's
# micro-grids, reported by a few residents with accounts, held by one leader.
ORDERS = """
INSERT INTO work_order (code, category, urgency, reporter_id, description, created_at, state,
    grid_code, unit_code, assignee_id, address, sign_due, resolve_due, signed_at, resolved_at,
    closed_at, returns, reopens, escalations, extensions, solved, satisfaction, version,
    clock_version)
SELECT 'WG-' || to_char(born, 'YYYYMMDD') || '-' || lpad(n::text, 6, '0'),
       (ARRAY['H01','H02','H03','J02','G01','M01'])[1 + n % 6],
       (ARRAY['normal','normal','urgent','complex'])[1 + n % 4],
       $3 + n % 5,
       '楼下垃圾没人清运，联系电话13812345678，' || n || '号楼',
       born, state, grid, grid, $4, '锦江畔3号楼2单元501室',
       born + interval '2 hours', born + interval '3 days',
       CASE WHEN state IN ('accepted','resolved','closed') THEN born + interval '40 minutes' END,
       CASE WHEN state IN ('resolved','closed') THEN born + interval '30 hours' END,
       CASE WHEN state = 'closed' THEN born + interval '40 hours' END,
       n % 7 / 6, n % 11 / 10, n % 13 / 12, 0,
       CASE WHEN state = 'closed' THEN n % 9 <> 0 END,
       CASE WHEN state = 'closed' THEN (ARRAY['very_satisfied','satisfied',
            'basically_satisfied'])[1 + n % 3] END,
       1, 1
FROM (SELECT n, $1::timestamptz - (n % ($2 * 1440)) * interval '1 minute' AS born,
             (ARRAY['closed','closed','closed','closed','accepted','dispatched','resolved',
                    'invalid'])[1 + n % 8] AS state,
             grids[1 + n % array_length(grids, 1)] AS grid
      FROM generate_series(1, $5) AS n,
           (SELECT array_agg(code ORDER BY code) AS grids FROM grid
            WHERE level = 'micro_grid') AS g) AS o
"""
EVENTS = """
INSERT INTO event (order_code, kind, at, actor_id, from_state, to_state, reason, data)
SELECT code, kind, created_at + step * interval '20 minutes', actor, before, after, NULL, '{}'
FROM work_order,
     LATERAL (VALUES (0, 'submitted', reporter_id, NULL, 'submitted'),
                     (1, 'dispatched', NULL, 'submitted', 'dispatched'),
                     (2, 'signed', assignee_id, 'dispatched', 'accepted'))
             AS e(step, kind, actor, before, after)
"""
COPY = """
SELECT o.code, o.created_at, o.category, o.urgency, o.state, o.grid_code, o.unit_code,
       o.description, o.signed_at, o.resolved_at, o.resolve_due, o.returns, o.escalations,
       o.reopens, o.satisfaction, o.solved, r.kind, r.name,
       (SELECT channel FROM channel_account a WHERE a.person_id = o.reporter_id
        ORDER BY a.id LIMIT 1), h.name
FROM work_order o LEFT JOIN person r ON r.id = o.reporter_id
     LEFT JOIN person h ON h.id = o.assignee_id
WHERE o.created_at >= $1 AND o.created_at < $2
ORDER BY o.created_at, o.code
"""


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def schema_url(schema: str) -> str:
    return make_url(BASE).update_query_dict({"schema": schema}).render_as_string(
        hide_password=False)


async def load(schema: str, orders: int) -> float:
    services = await open_services(Settings(database_url=schema_url(schema)),
                                   clock=FixedClock(NOW))
    try:
        await seed_demo(services)            # the sample district and its staff
    finally:
        await services.close()
    connection = await asyncpg.connect(dsn(BASE), server_settings={"search_path": schema})
    try:
        started = time.perf_counter()
        leader = await connection.fetchval("SELECT id FROM person WHERE staff_code = 'P0021'")
        first = await connection.fetchval(
            "INSERT INTO person (name, kind, created_at, subscribed) SELECT '居民' || n, "
            "'resident', now(), false FROM generate_series(1, 5) n RETURNING id")
        await connection.execute(
            "INSERT INTO channel_account (channel, external_id, person_id, window_sent) "
            "SELECT 'wechat', 'o_' || id, id, 0 FROM person WHERE kind = 'resident'")
        await connection.execute(ORDERS, NOW, DAYS, first, leader, orders)
        await connection.execute(EVENTS)
        await connection.execute("ANALYZE")
        return time.perf_counter() - started
    finally:
        await connection.close()


async def ceiling(schema: str, out: Path) -> tuple[float, int]:
    """The same rows by COPY to a file: what the database alone takes to hand them over."""
    connection = await asyncpg.connect(dsn(BASE), server_settings={"search_path": schema})
    try:
        started = time.perf_counter()
        with out.open("wb") as file:
            await connection.copy_from_query(COPY, PERIOD.since, PERIOD.until, output=file,
                                             format="csv")
        return time.perf_counter() - started, out.stat().st_size
    finally:
        await connection.close()


async def child(schema: str, form: str, events: bool, out: Path) -> None:
    """One export, in this process alone (its peak RSS is read by the parent)."""
    services = await open_services(Settings(database_url=schema_url(schema)),
                                   clock=FixedClock(NOW), migrate=False)
    try:
        books = Books(services.uow, await services.load_tree(), services.taxonomy)
        started, cpu = time.perf_counter(), time.process_time()
        with out.open("wb") as stream:
            await export(books, PERIOD, stream, "xlsx" if form == "xlsx" else "csv", events,
                         NOW)
        print(f"{time.perf_counter() - started:.2f} {time.process_time() - cpu:.2f}")
    finally:
        await services.close()


def timed_child(schema: str, form: str, events: bool, out: Path
                ) -> tuple[float, float, float, int]:
    """Seconds and CPU seconds (export alone), peak RSS in MB (the whole child), file size."""
    process = subprocess.Popen([sys.executable, "-m", "bench.ledger", "--child", schema, form,
                                "events" if events else "orders", str(out)],
                               stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    took = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"export {form} failed: status {status}")
    wall, cpu = took.strip().splitlines()[-1].split()
    return float(wall), float(cpu), usage.ru_maxrss / 1024, out.stat().st_size


def baseline_rss() -> float:
    """The peak RSS of a child that only imports what an export imports (MB)."""
    code = ("import resource, handlers.ledger_files, bot.services, openpyxl;"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    return int(subprocess.check_output([sys.executable, "-c", code], text=True)) / 1024


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    schema = args.schema or f"bench_ledger_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(BASE))
    if not args.schema:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not args.schema:
            took = await load(schema, args.orders)
            print(f"loaded {args.orders:,} orders and {3 * args.orders:,} events in {took:.1f} s")
        print(f"imports alone: peak RSS {baseline_rss():.0f} MB")
        seconds, size = await ceiling(schema, folder / "copy.csv")
        print(f"{'COPY … TO STDOUT (ceiling)':<28} {seconds:6.2f} s  {size / 2**20:6.1f} MB file")
        for form, events in (("csv", False), ("xlsx", False), ("csv", True)):
            name = f"ledger{'-events' if events else ''}.{form}"
            seconds, cpu, rss, size = timed_child(schema, form, events, folder / name)
            print(f"{'export ' + name:<28} {seconds:6.2f} s  {size / 2**20:6.1f} MB file  "
                  f"peak RSS {rss:.0f} MB  (its CPU {cpu:.2f} s)")
    finally:
        if args.keep or args.schema:
            print(f"schema {schema} kept: drop it with DROP SCHEMA \"{schema}\" CASCADE")
        else:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, schema, form, what, out = sys.argv
        asyncio.run(child(schema, form, what == "events", Path(out)))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--out", default="/tmp/bench-ledger", help="folder for the files")
    parser.add_argument("--keep", action="store_true", help="keep the schema")
    parser.add_argument("--schema", help="export from a schema kept by --keep (no loading)")
    asyncio.run(main(parser.parse_args()))
