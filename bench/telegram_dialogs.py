"""Full report dialogs through each Telegram transport, against a bare echo bot on the same library.

    python -m bench.telegram_dialogs [--library ptb|aiogram|both] [--users 500] [--updates 3000]
                                     [--rounds 3] [--rate 100]

Each simulated user files reports: /report → category button → description → skip photos →
location pin → confirm (six updates, one reply each). Every update goes through the whole real
path: emulator → library → Chat.receive (SQLite, one transaction) → outbox → OutboxSender →
library → emulator. Two measurements per transport, each beside the echo ceiling in the same run:
all updates at once (throughput; `--rounds` pairs of echo then dialogs, since a bare echo on a
shared 2-core machine swings by a third from run to run) and a steady rate (latency; `--rate`,
default 100 updates/s).

Two settings differ from production, both because one simulated user files many orders in a
minute: the per-person flood limit is lifted and the me-too radius is shrunk to 0.5 m (each
report moves its pin ~1 m), so every dialog takes the same six steps. Telegram's own rate limits
are not enforced: the aim is to measure gridbot, not Telegram's 30 messages/s cap.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.telegram_echo import FIRST_USER, Result, echo, machine, run_load
from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.sender import OutboxSender
from bot.services import build_chat, open_services
from bot.telegram import AT_ONCE, make_transport
from domain.routing import grids_from_geojson
from handlers.deps import Limits
from storage.importer import import_grids, import_people
from storage.records import Person

STEPS = 6


def _spots() -> list[tuple[float, float]]:
    grids = grids_from_geojson(json.loads(SAMPLE_DISTRICT.read_text()))
    return [(p.y, p.x) for p in (g.geometry.representative_point() for g in grids
                                  if g.level.value == "micro_grid")]


SPOTS = _spots()


def report_dialog(tg, user_id: int, step: int) -> int:
    """The k-th update of a user's endless run of reports (runs in the emulator's process)."""
    report, stage = divmod(step, STEPS)
    if stage == 0:
        return tg.user_sends_text(user_id, "/report")
    if stage == 1:
        return tg.user_presses(user_id, "cat:H01", 1)
    if stage == 2:
        return tg.user_sends_text(user_id, f"楼下垃圾没人清运（第{report}次）")
    if stage == 3:
        return tg.user_presses(user_id, "skip:", 1)
    if stage == 4:
        lat, lng = SPOTS[user_id % len(SPOTS)]
        return tg.user_sends_location(user_id, lat + report * 1e-5, lng)
    return tg.user_presses(user_id, "confirm:", 1)


async def prepared_services(folder: Path, users: int, database_url: str | None = None):
    url = database_url or f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(database_url=url, media_dir=folder)
    services = await open_services(settings)
    async with services.uow() as uow:
        await import_grids(uow, SAMPLE_DISTRICT, progress=False)
        await import_people(uow, SAMPLE_PEOPLE, progress=False)
        now = services.clock.now()
        for n in range(users):   # residents who already agreed to the privacy notice
            person = await uow.people.upsert(Person(name=f"居民{n}", consent_at=now,
                                                    kind="resident"))
            await uow.people.link(person.id, "telegram", str(FIRST_USER + n))
        await uow.commit()
    return services


def dialog_bot(services, chat, senders: list):
    """The handler for run_load: the real chat, and the sender kicked on every commit."""
    def handler(transport):
        sender = OutboxSender(services.uow, "telegram", transport)
        chat.deps.on_committed = sender.kick      # as `gridbot run` wires it
        task = asyncio.get_running_loop().create_task(sender.run(poll=0.5))
        senders.append((sender, task))

        async def receive(inbound) -> None:
            await chat.receive(inbound)
        return receive
    return handler


async def fresh_postgres_schema(base: str) -> str:
    """A new empty schema on the PostgreSQL server at `base`, as a URL (dropped by the caller)."""
    import asyncpg
    name = f"bench_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    connection = await asyncpg.connect(base.replace("+asyncpg", ""))
    try:
        await connection.execute(f"CREATE SCHEMA {name}")
    finally:
        await connection.close()
    return f"{base}?schema={name}"


async def drop_schema(url: str) -> None:
    import asyncpg
    base, _, schema = url.partition("?schema=")
    connection = await asyncpg.connect(base.replace("+asyncpg", ""))
    try:
        await connection.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await connection.close()


async def measure(library: str, options: dict, users: int, updates: int,
                  rate: float | None, postgres: str | None = None,
                  text_echo: bool = False) -> tuple[Result, Result, Result | None]:
    """(the echo ceiling on the same updates, the dialogs, the echo on plain texts if asked)."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)

        def factory(api, token):
            return make_transport(library, token, api, folder, **options)
        texts = await run_load(factory, echo, users, updates, rate) if text_echo else None
        ceiling = await run_load(factory, echo, users, updates, rate, scenario=report_dialog)
        url = await fresh_postgres_schema(postgres) if postgres else None
        services = await prepared_services(folder, users, url)
        chat = await build_chat(services)
        chat.deps.limits = Limits(orders_per_hour=10**6, metoo_radius_m=0.5)
        senders: list[tuple[OutboxSender, asyncio.Task]] = []
        try:
            dialogs = await run_load(factory, dialog_bot(services, chat, senders), users,
                                     updates, rate, scenario=report_dialog)
        finally:
            for sender, task in senders:   # what was claimed is recorded first
                task.cancel()
                await sender.settle()
            await services.close()
            if url:
                await drop_schema(url)
        return ceiling, dialogs, texts


TRANSPORTS = {
    "ptb": (f"python-telegram-bot (aiohttp request, concurrency {AT_ONCE})",
            {"http": "aiohttp", "concurrency": AT_ONCE}),
    "ptb-default": ("python-telegram-bot (as shipped: httpx, one at a time)", {}),
    "aiogram": (f"aiogram (concurrency {AT_ONCE})", {"concurrency": AT_ONCE}),
}


async def main(libraries: list[str], users: int, updates: int, postgres: str | None,
               rounds: int, steady: float = 100.0) -> None:
    print(machine())
    print(f"{users} users, {updates} updates, {STEPS} updates per report, database: "
          f"{'PostgreSQL' if postgres else 'SQLite'}; all at once: {rounds} rounds of echo then "
          "dialogs, and their median\n")
    print("| transport | load | echo, same updates: updates/s | dialogs: updates/s | ratio | "
          "echo p50/p99 ms | dialogs p50/p99 ms | echo, plain texts: updates/s (ratio) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for key in libraries:
        name, options = TRANSPORTS[key]
        library = "aiogram" if key == "aiogram" else "ptb"
        ratios: list[float] = []
        for label, rate in [*((f"all at once, round {n + 1}", None) for n in range(rounds)),
                            (f"{steady:g}/s steady", steady)]:
            ceiling, dialogs, texts = await measure(library, options, users, updates, rate,
                                                    postgres, text_echo=rate is None)
            ratio = dialogs.updates_per_s / ceiling.updates_per_s if ceiling.updates_per_s else 0
            if rate is None:
                ratios.append(ratio)
            plain = (f"{texts.updates_per_s:,.0f} ({dialogs.updates_per_s / texts.updates_per_s:.2f})"
                     if texts else "—")
            print(f"| {name} | {label} | {ceiling.updates_per_s:,.0f} | "
                  f"{dialogs.updates_per_s:,.0f} | {ratio:.2f} | "
                  f"{ceiling.p50_ms}/{ceiling.p99_ms} | {dialogs.p50_ms}/{dialogs.p99_ms} | {plain} |"
                  + ("" if dialogs.answered == updates else
                     f" (answered {dialogs.answered}/{updates})"), flush=True)
            if rate is None and len(ratios) == rounds:
                print(f"| {name} | all at once, median of {rounds} | | | "
                      f"**{statistics.median(ratios):.2f}** | | | |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", choices=["ptb", "ptb-default", "aiogram", "both"],
                        default="both")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--postgres", nargs="?", const="postgresql://postgres@127.0.0.1:5432/test",
                        help="run the dialogs on PostgreSQL (a fresh schema) instead of SQLite")
    parser.add_argument("--rounds", type=int, default=3,
                        help="echo-then-dialogs pairs for the all-at-once load (median shown)")
    parser.add_argument("--rate", type=float, default=100.0,
                        help="updates per second for the steady (latency) load")
    args = parser.parse_args()
    chosen = ["ptb", "aiogram"] if args.library == "both" else [args.library]
    asyncio.run(main(chosen, args.users, args.updates, args.postgres, args.rounds, args.rate))
