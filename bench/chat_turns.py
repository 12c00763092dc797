"""The chat alone, in process: milliseconds per turn, one person at a time and many at once.

    python -m bench.chat_turns [--users 50] [--reports 6]

The same six-step report dialog as bench/telegram_dialogs.py (`/report` → category → text →
skip photos → pin → confirm), straight into `Chat.receive` on SQLite with no transport: first
each turn waiting for the one before (every message its own transaction), then `--users`
people at once, which the chat commits together (group commit). Transactions are counted at
the database (SQLAlchemy's "begin" event).
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench.telegram_dialogs import FIRST_USER, SPOTS, STEPS, prepared_services
from bench.telegram_echo import machine
from bot import heap
from bot.services import build_chat
from handlers.deps import Limits
from handlers.messages import Inbound, Kind, Sender


def turn(user: int, step: int) -> Inbound:
    """The user's `step`-th message of an endless run of reports."""
    sender, update = Sender("telegram", str(FIRST_USER + user)), f"{user}-{step}"
    report, stage = divmod(step, STEPS)
    if stage == 0:
        return Inbound(sender, Kind.COMMAND, update, command="report")
    if stage == 1:
        return Inbound.pressed(sender, "cat:H01", update)
    if stage == 2:
        return Inbound.text_message(sender, f"楼下垃圾没人清运（第{report}次）", update)
    if stage == 3:
        return Inbound.pressed(sender, "skip:", update)
    if stage == 4:
        lat, lng = SPOTS[user % len(SPOTS)]
        return Inbound.location(sender, lat + report * 1e-5, lng, update)
    return Inbound.pressed(sender, "confirm:", update)


async def measure(users: int, reports: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        services = await prepared_services(Path(folder), users)
        chat = await build_chat(services)
        chat.deps.limits = Limits(orders_per_hour=10**6, metoo_radius_m=0.5)
        began = [0]

        def count(_connection) -> None:
            began[0] += 1
        event.listen(services.engine.sync_engine, "begin", count)
        steps = reports * STEPS
        heap.settle()   # as `gridbot run` does once started

        async def person(user: int, first: int) -> None:
            for step in range(first, first + steps):
                await chat.receive(turn(user, step))

        for label, together, first in (("one at a time", False, 0),
                                       (f"{users} people at once", True, steps)):
            began[0], started = 0, time.perf_counter()
            if together:
                await asyncio.gather(*(person(user, first) for user in range(users)))
            else:
                for user in range(users):
                    await person(user, first)
            seconds, turns = time.perf_counter() - started, users * steps
            print(f"| {label} | {turns:,} | {seconds / turns * 1000:.2f} | {turns / seconds:,.0f} "
                  f"| {began[0]:,} |", flush=True)
        await services.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--reports", type=int, default=6)
    args = parser.parse_args()
    print(machine())
    print("| turns | count | ms per turn | turns/s | transactions |")
    print("|---|---:|---:|---:|---:|")
    asyncio.run(measure(args.users, args.reports))
