"""A conversation at tapping speed on Telegram, with Telegram's limits on both sides.

    python -m bench.telegram_pacing [--library ptb|aiogram|both] [--people 60] [--dialogs 2]
                                    [--pause 10] [--arrivals 2 3] [--pacing now|before|both]

Each person files reports (bench.telegram_dialogs' six steps: /report → category → description
→ skip photos → pin → confirm) and taps the next step as soon as the last answer arrived;
between two reports they read for `--pause` seconds. People start `--arrivals` a second. The
whole real path runs: emulator → library → Chat.receive (SQLite) → outbox → OutboxSender with
`TelegramLimits` as `gridbot run` wires it → library → emulator. The emulator (its own process)
enforces Telegram's documented limits (tests/fakes/telegram_api.py: about 1 message a second per
chat after a short burst, 20 a minute per group, 30 a second in all) and answers 429 with
retry_after when they are broken. Measured: tap → the first answer to that chat after it, as
the emulator receives it; every 429 it answered.

`--pacing before` paces as the sender did before replies had a burst of their own: every
message to a chat from one bucket of three, then one a second.

As in bench.telegram_dialogs, one simulated person files many orders in a minute: the flood
limit is lifted and the me-too radius shrunk to 0.5 m, so every report takes the same six steps.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from bench.telegram_dialogs import STEPS, TRANSPORTS, prepared_services, report_dialog
from bench.telegram_echo import FIRST_USER, machine
from bot.sender import OutboxSender
from bot.services import build_chat
from bot.telegram import make_transport
from bot.telegram.limits import BOT_PER_SECOND, Rate, TelegramLimits, overall_share
from handlers.deps import Limits
from tests.fakes.telegram_api import TelegramEmulator


def busiest_second(moments: list[float]) -> int:
    """The most taps (each owed one answer) within any one second."""
    moments = sorted(moments)
    first, most = 0, 0
    for last, at in enumerate(moments):
        while at - moments[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def percentile(values: list[float], pct: int) -> str:
    if len(values) < 2:
        return "—"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[pct - 1]:.0f}"


def limits_for(pacing: str) -> TelegramLimits:
    if pacing == "before":   # one bucket for every message: three at once, then 1/s
        return TelegramLimits(per_chat=Rate(1.0, 3), paced=Rate(1.0, 3), overall=overall_share(1))
    return TelegramLimits(overall=overall_share(1))   # as bot/runner.py wires it


async def talk(people: int, dialogs: int, pause: float, arrivals: float, conn: Connection) -> None:
    """The emulator's side: people tapping; sends back (latencies ms, 429s, taps unanswered)."""
    loop = asyncio.get_running_loop()
    async with TelegramEmulator() as tg:
        tg.rate_limit()
        conn.send((tg.base_url, tg.token))
        await loop.run_in_executor(None, conn.recv)
        latencies: list[float] = []
        taps: list[float] = []
        unanswered = 0

        async def person(n: int) -> None:
            nonlocal unanswered
            await asyncio.sleep(n / arrivals)
            user = FIRST_USER + n
            for step in range(dialogs * STEPS):
                if step and step % STEPS == 0:
                    await asyncio.sleep(pause)
                tapped = tg.injected_at[report_dialog(tg, user, step)]
                taps.append(tapped)
                try:
                    answer = await tg.wait_for_answer(user, tapped, timeout=30)
                except TimeoutError:
                    unanswered += 1
                    continue
                latencies.append((answer.at - tapped) * 1000)

        await asyncio.gather(*(person(n) for n in range(people)))
        await asyncio.sleep(1)   # a turn's later messages, if any, arrive
        answers = sum(len(tg.sent_to.get(FIRST_USER + n, ())) for n in range(people))
        too_many = ", ".join(f"{n} {limit}" for limit, n in tg.too_many_by_limit.items())
        conn.send((latencies, f"{tg.too_many}" + (f" ({too_many})" if too_many else ""),
                   unanswered, answers, busiest_second(taps)))
        await loop.run_in_executor(None, conn.recv)


def _emulator(conn: Connection, *args: float) -> None:
    people, dialogs, pause, arrivals = args
    asyncio.run(talk(int(people), int(dialogs), pause, arrivals, conn))


async def measure(library: str, options: dict, pacing: str, people: int, dialogs: int,
                  pause: float, arrivals: float) -> tuple[list[float], str, int, int, int, float]:
    ctx = mp.get_context("spawn")
    ours, theirs = ctx.Pipe()
    emulator = ctx.Process(target=_emulator, daemon=True,
                           args=(theirs, people, dialogs, pause, arrivals))
    emulator.start()
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as folder:
        services = await prepared_services(Path(folder), people)
        chat = await build_chat(services)
        chat.deps.limits = Limits(orders_per_hour=10**6, metoo_radius_m=0.5)
        try:
            api_url, token = await loop.run_in_executor(None, ours.recv)
            transport = make_transport(library, token, api_url, Path(folder), **options)
            sender = OutboxSender(services.uow, "telegram", transport, limits_for(pacing))
            chat.deps.on_committed = sender.kick      # as `gridbot run` wires it
            sending = loop.create_task(sender.run(poll=0.5))

            async def receive(inbound) -> None:
                await chat.receive(inbound)
            await transport.start(receive)
            began = time.monotonic()
            try:
                ours.send("go")
                latencies, too_many, unanswered, answers, busiest = await loop.run_in_executor(
                    None, ours.recv)
            finally:
                sending.cancel()
                await sender.settle()
                await transport.stop()
                ours.send("stop")
            return latencies, too_many, unanswered, answers, busiest, time.monotonic() - began
        finally:
            await services.close()
            emulator.join(timeout=10)
            if emulator.is_alive():
                emulator.kill()


async def main(libraries: list[str], pacing: list[str], people: int, dialogs: int, pause: float,
               arrivals: list[float]) -> None:
    print(machine())
    print(f"{people} people, {dialogs} reports each ({STEPS} taps), {pause:g} s between reports; "
          f"the emulator enforces Telegram's limits. The ceiling: the bot may send "
          f"{BOT_PER_SECOND} messages a second in all; the busiest second's taps (each owed one "
          "answer) say whether a run stayed under it\n")
    print("| transport | pacing | people starting a second | busiest second, taps | taps "
          "| messages to them | tap → first answer p50 / p99 / max ms | 429s | unanswered "
          "| seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rate in arrivals:
        for key in libraries:
            name, options = TRANSPORTS[key]
            for how in pacing:
                latencies, too_many, unanswered, answers, busiest, seconds = await measure(
                    "aiogram" if key == "aiogram" else "ptb", options, how, people, dialogs,
                    pause, rate)
                print(f"| {name} | {how} | {rate:g} | {busiest} | {len(latencies)} | {answers} | "
                      f"{percentile(latencies, 50)} / {percentile(latencies, 99)} / "
                      f"{max(latencies, default=0):.0f} | {too_many} | {unanswered} | "
                      f"{seconds:.1f} |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", choices=["ptb", "aiogram", "both"], default="both")
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--dialogs", type=int, default=2, help="reports each person files")
    parser.add_argument("--pause", type=float, default=10.0,
                        help="seconds a person reads between two reports")
    parser.add_argument("--arrivals", type=float, nargs="+", default=[2.0, 3.0],
                        help="people starting a second; 3 asks more than Telegram's 30/s at its"
                             " busiest, so answers queue")
    parser.add_argument("--pacing", choices=["now", "before", "both"], default="now")
    args = parser.parse_args()
    asyncio.run(main(["ptb", "aiogram"] if args.library == "both" else [args.library],
                     ["now", "before"] if args.pacing == "both" else [args.pacing],
                     args.people, args.dialogs, args.pause, args.arrivals))
