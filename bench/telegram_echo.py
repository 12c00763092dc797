"""Telegram transports under load: a bare echo bot on each library against the loopback Bot API.

    python -m bench.telegram_echo --library ptb|aiogram|both --users 50 --updates 3000 [--rate 200]

The emulator runs in a child process (its own core and interpreter), so the figures are the bot's,
not the fake's. Latency runs from injecting an update into the emulator to the bot's reply
reaching it. `run_load` is the reusable harness: hand it another handler to load whole dialogs.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path

from bot import heap
from bot.telegram import Receive, Transport, make_transport
from handlers.messages import Inbound, Outbound
from tests.fakes.telegram_api import TelegramEmulator

TransportFactory = Callable[[str, str], Transport]       # (api_url, token) -> transport
Handler = Callable[[Transport], Receive]                 # the bot's reaction, given its transport
Scenario = Callable[[TelegramEmulator, int, int], int]   # (tg, user_id, step) -> update_id
FIRST_USER = 100_000


@dataclass(frozen=True)
class Result:
    updates: int
    answered: int
    seconds: float
    updates_per_s: float
    p50_ms: float
    p99_ms: float


def say_text(tg: TelegramEmulator, user_id: int, step: int) -> int:
    """The default load: each user types short messages."""
    return tg.user_sends_text(user_id, f"消息 {step}")


def echo(transport: Transport) -> Receive:
    """The bare bot: every text goes straight back to its sender."""
    async def receive(inbound: Inbound) -> None:
        await transport.deliver(Outbound(inbound.sender.channel, inbound.sender.external_id,
                                         inbound.text or inbound.kind.value))
    return receive


async def run_load(transport_factory: TransportFactory, handler: Handler = echo, users: int = 50,
                   updates: int = 3000, rate: float | None = None, scenario: Scenario = say_text,
                   replies_per_update: int = 1, timeout: float = 120.0) -> Result:
    """Inject `updates` from `users` (at `rate`/s, or all at once) and time the bot's replies.

    A user's k-th update is matched with the k-th group of `replies_per_update` replies to that
    user's chat, so the handler must answer each update with exactly that many messages.
    `scenario` must be a module-level function: it runs in the emulator's process.
    """
    ctx = mp.get_context("spawn")
    ours, theirs = ctx.Pipe()
    emulator = ctx.Process(target=_emulator_process, daemon=True, args=(
        theirs, users, updates, rate, scenario, replies_per_update, timeout))
    emulator.start()
    loop = asyncio.get_running_loop()
    try:
        api_url, token = await loop.run_in_executor(None, ours.recv)
        transport = transport_factory(api_url, token)
        await transport.start(handler(transport))
        heap.settle()   # as `gridbot run` does once started
        try:
            ours.send("go")
            return await loop.run_in_executor(None, ours.recv)
        finally:
            await transport.stop()
            ours.send("stop")   # the emulator outlives the bot, so polling ends cleanly
    finally:
        emulator.join(timeout=10)
        if emulator.is_alive():
            emulator.kill()


def _emulator_process(conn: Connection, users: int, updates: int, rate: float | None,
                      scenario: Scenario, replies_per_update: int, timeout: float) -> None:
    asyncio.run(_serve_load(conn, users, updates, rate, scenario, replies_per_update, timeout))


async def _serve_load(conn: Connection, users: int, updates: int, rate: float | None,
                      scenario: Scenario, replies_per_update: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    async with TelegramEmulator() as tg:
        conn.send((tg.base_url, tg.token))
        await loop.run_in_executor(None, conn.recv)
        injected: dict[int, list[float]] = defaultdict(list)
        started = time.monotonic()
        for step in range(updates):
            user = FIRST_USER + step % users
            injected[user].append(tg.injected_at[scenario(tg, user, step // users)])
            if rate:
                await asyncio.sleep(max(0.0, started + (step + 1) / rate - time.monotonic()))
        expected = updates * replies_per_update
        with contextlib.suppress(TimeoutError):
            await tg.wait_for_sent(expected, timeout=timeout)
        conn.send(_measure(injected, tg, replies_per_update, started, updates))
        await loop.run_in_executor(None, conn.recv)


def _measure(injected: dict[int, list[float]], tg: TelegramEmulator, replies_per_update: int,
             started: float, updates: int) -> Result:
    replies: dict[int, list[float]] = defaultdict(list)
    for sent in tg.sent:
        replies[sent.chat_id].append(sent.at)
    latencies, last = [], started
    for chat, times in injected.items():
        answered = replies[chat][replies_per_update - 1::replies_per_update]
        latencies += [(done - sent) * 1000 for sent, done in zip(times, answered, strict=False)]
        last = max([last, *answered])
    seconds = last - started
    if os.environ.get("GRIDBOT_BENCH_TIMELINE"):   # (sent, latency) pairs, to find stalls
        Path(os.environ["GRIDBOT_BENCH_TIMELINE"]).write_text(json.dumps(sorted(
            (sent - started, (done - sent) * 1000) for chat, times in injected.items()
            for sent, done in zip(times, replies[chat][replies_per_update - 1::replies_per_update], strict=False))))
    p50, p99 = _percentile(latencies, 50), _percentile(latencies, 99)
    return Result(updates, len(latencies), round(seconds, 3),
                  round(len(latencies) / seconds if seconds else 0.0, 1), p50, p99)


def _percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return round(values[0], 1) if values else float("nan")
    return round(statistics.quantiles(values, n=100, method="inclusive")[pct - 1], 1)


def variants(library: str, media_dir: str) -> dict[str, TransportFactory]:
    """The transports to measure: each library one update at a time and fifty at a time."""
    def factory(lib: str, **options: int | str) -> TransportFactory:
        return lambda api, token: make_transport(lib, token, api, media_dir, **options)
    ptb = {"ptb httpx, one at a time": factory("ptb"),
           "ptb httpx, concurrency=50": factory("ptb", concurrency=50),
           "ptb aiohttp, one at a time": factory("ptb", http="aiohttp"),
           "ptb aiohttp, concurrency=50": factory("ptb", concurrency=50, http="aiohttp")}
    aiogram = {"aiogram, one at a time": factory("aiogram"),
               "aiogram, concurrency=50": factory("aiogram", concurrency=50)}
    return {"ptb": ptb, "aiogram": aiogram, "both": {**ptb, **aiogram}}[library]


def echo_after_io(io_ms: float) -> Handler:
    """An echo bot that first waits `io_ms` as a dialog waits for its database commit."""
    def handler(transport: Transport) -> Receive:
        reply = echo(transport)

        async def receive(inbound: Inbound) -> None:
            await asyncio.sleep(io_ms / 1000)
            await reply(inbound)
        return receive
    return handler


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
            f"python-telegram-bot {version('python-telegram-bot')}, aiogram {version('aiogram')}, "
            f"aiohttp {version('aiohttp')}, httpx {version('httpx')}")


async def main(library: str, users: int, updates: int, rate: float | None, repeat: int,
               io_ms: float) -> None:
    print(machine())
    print(f"{users} users, {updates} updates " + (f"at {rate:g}/s" if rate else "all at once")
          + (f", {io_ms:g} ms of I/O per update" if io_ms else "")
          + f", median of {repeat} runs by updates/s")
    handler = echo_after_io(io_ms) if io_ms else echo
    print(f"{'transport':30} {'updates/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'answered':>11}")
    with tempfile.TemporaryDirectory() as media_dir:
        for label, factory in variants(library, media_dir).items():
            runs = [await run_load(factory, handler, users, updates, rate) for _ in range(repeat)]
            r = sorted(runs, key=lambda run: run.updates_per_s)[len(runs) // 2]
            print(f"{label:30} {r.updates_per_s:10.1f} {r.p50_ms:9.1f} {r.p99_ms:9.1f} "
                  f"{r.answered:>5}/{r.updates}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--library", choices=["ptb", "aiogram", "both"], default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=None, help="updates/s; default all at once")
    parser.add_argument("--repeat", type=int, default=3, help="runs per transport; median shown")
    parser.add_argument("--io-ms", type=float, default=0,
                        help="simulated I/O (a database commit) before each reply")
    args = parser.parse_args()
    asyncio.run(main(args.library, args.users, args.updates, args.rate, args.repeat, args.io_ms))
