"""The production path: N `gridbot run` workers on one PostgreSQL, Telegram in webhook mode.

    python -m bench.production [--workers 1 2] [--users 500] [--updates 1500] [--rounds 2]
                               [--rate 100] [--steady-users 200]
                               [--postgres postgresql+asyncpg://127.0.0.1:5432/test]

Each figure starts real `gridbot run` processes (python-telegram-bot transport, webhook mode) on
a fresh schema, points them at the loopback Bot API (tests/fakes), and posts report dialogs
(bench.telegram_dialogs) to their webhooks, odd updates to one worker and even to the next, as a
load balancer would. Beside it, in the same run, the same updates go to as many bare echo
processes (the same transport, no database: every text straight back) — the ceiling.

- all at once: every user starts a report at once (500 users × 3 steps: /report, category,
  description), each sending its next update once the previous one was answered 200 and its
  reply arrived; updates/s = updates ÷ time until the last reply arrived. Three replies per
  chat fit the per-chat burst (3, then 1/s), so Telegram's pacing does not cap the figure.
  `--rounds` pairs of echo then dialogs, the best of each.
- steady: `--rate` updates/s from `--steady-users` users in turn (200 users at 100/s: each user
  every 2 s, whole dialogs that file orders); latency is update posted → the first reply to
  that chat after it, as received by the Bot API fake.

As in bench.telegram_dialogs, Telegram's rate limits are lifted in the workers (the senders'
30 messages/s per worker and 1/s per chat would cap every figure at Telegram's pace, not
gridbot's); `--telegram-limits` runs the steady load on plain `gridbot run` to show that cap.
Everything else is production: the flood limit, the me-too radius (users share pins, so some
dialogs turn into "me too?"), JSON access logs. The load runs in this process, the bots in
theirs; on a shared 2-core machine read `load` beside each figure.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from fastapi import FastAPI, Request, Response

from bench.telegram_dialogs import (
    drop_schema,
    fresh_postgres_schema,
    prepared_services,
    report_dialog,
)
from bench.telegram_echo import FIRST_USER, say_text
from tests.fakes.telegram_api import SECRET_HEADER, TelegramEmulator

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-production-webhook-secret-" + "w" * 16
POSTGRES = "postgresql+asyncpg://127.0.0.1:5432/test"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_workers(kind: str, n: int, tg: TelegramEmulator, url: str, folder: Path,
                  telegram_limits: bool = False) -> list:
    """n processes: `gridbot run` (kind "dialogs") or the bare echo bot (kind "echo")."""
    processes = []
    for _ in range(n):
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "GRIDBOT_DATABASE_URL": url,
               "GRIDBOT_TELEGRAM_TOKEN": tg.token, "GRIDBOT_TELEGRAM_API_URL": tg.base_url,
               "GRIDBOT_TELEGRAM_MODE": "webhook", "GRIDBOT_TELEGRAM_WEBHOOK_SECRET": SECRET,
               "GRIDBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
               "GRIDBOT_WEB_PORT": str(port), "GRIDBOT_MEDIA_DIR": str(folder / "media"),
               "GRIDBOT_SECRET_KEY": "bench-production-" + "k" * 32, "GRIDBOT_LOG_LEVEL": "WARNING"}
        command = (["-m", "bench.production", "--echo-worker", str(port)] if kind == "echo"
                   else ["-m", "bot.cli", "run"] if telegram_limits
                   else ["-m", "bench.production", "--gridbot-worker"])
        log = (folder / f"{kind}-{port}.log").open("a")
        processes.append((port, subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env,
                                                 stdout=log, stderr=subprocess.STDOUT)))
    return processes


async def post(http: aiohttp.ClientSession, port: int, update: dict) -> int:
    for _ in range(600):
        try:
            async with http.post(f"http://127.0.0.1:{port}/telegram/webhook", json=update,
                                 headers={SECRET_HEADER: SECRET}) as reply:
                return reply.status
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)   # still starting
    raise RuntimeError(f"worker on {port} never answered")


class Replies:
    """Replies the fake received, per chat, and a way to wait for the next one."""

    def __init__(self, tg: TelegramEmulator):
        self.tg, self.read, self.per_chat = tg, 0, {}

    def scan(self) -> None:
        for call in self.tg.sent[self.read:]:
            self.per_chat.setdefault(call.chat_id, []).append(call.at)
        self.read = len(self.tg.sent)

    def nth(self, chat: int, n: int) -> float | None:
        """When the chat's n-th reply (from 0) arrived. Every step of the dialog is answered
        by exactly one message to its chat, so the n-th update's answer is the n-th reply;
        the first reply after posting could be an earlier step's, late."""
        self.scan()
        replies = self.per_chat.get(chat, [])
        return replies[n] if len(replies) > n else None


async def run_load(kind: str, n: int, users: int, updates: int, rate: float | None,
                   postgres: str, telegram_limits: bool = False) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-production-"))
    url = ""
    if kind == "dialogs":
        url = await fresh_postgres_schema(postgres)
        services = await prepared_services(folder, users, url)
        await services.close()
    step_of = report_dialog if kind == "dialogs" else say_text
    async with TelegramEmulator() as tg, aiohttp.ClientSession() as http:
        workers = start_workers(kind, n, tg, url or "sqlite:///:memory:", folder,
                                telegram_limits)
        try:
            while tg.calls["setWebhook"] < n:
                await asyncio.sleep(0.05)
            # This process is the load balancer: the fake stops pushing to the webhook itself.
            async with http.post(f"{tg.base_url}/bot{tg.token}/deleteWebhook"):
                pass
            for port, _ in workers:   # every worker listening before the clock starts
                await post(http, port, {"update_id": 1})
            replies, latencies, turns, by_step = Replies(tg), [], [], {}
            ports = [port for port, _ in workers]
            per_user = updates // users
            started = time.monotonic()
            if rate is None:
                async def person(user: int) -> None:
                    for step in range(per_user):
                        update_id = step_of(tg, user, step)
                        status = await post(http, ports[update_id % n], tg.update(update_id))
                        assert status == 200, status
                        for _ in range(400):   # its reply (10 s at most)
                            if replies.nth(user, step) is not None:
                                break
                            await asyncio.sleep(0.025)
                await asyncio.gather(*(person(FIRST_USER + u) for u in range(users)))
            else:
                pending = []

                async def one(user: int, step: int) -> None:
                    update_id = step_of(tg, user, step)
                    posted = time.monotonic()
                    assert await post(http, ports[update_id % n], tg.update(update_id)) == 200
                    turns.append(time.monotonic() - posted)   # the turn committed
                    by_step.setdefault(step % 6, []).append(turns[-1])
                    for _ in range(800):
                        at = replies.nth(user, step)
                        if at is not None:
                            latencies.append(at - posted)
                            return
                        await asyncio.sleep(0.005)
                for k in range(per_user * users):
                    user, step = FIRST_USER + k % users, k // users
                    await asyncio.sleep(max(0.0, started + k / rate - time.monotonic()))
                    pending.append(asyncio.create_task(one(user, step)))
                await asyncio.gather(*pending)
            replies.scan()
            # Each chat got exactly one reply per update: nothing lost, nothing doubled.
            wrong = [chat for chat in range(FIRST_USER, FIRST_USER + users)
                     if len(replies.per_chat.get(chat, [])) != per_user]
            last = max(call.at for call in tg.sent)
            sent = len(tg.sent)
        finally:
            for _, process in workers:
                process.terminate()
            for _, process in workers:
                process.wait(15)
    if url:
        await drop_schema(url)
    total = per_user * users
    figure = {"kind": kind, "workers": n, "updates": total, "replies": sent,
              "updates_per_s": round(total / (last - started), 1), "load": load()}
    if wrong:
        figure["chats_not_answered_once_per_update"] = len(wrong)
    if latencies:
        ordered = sorted(latencies)
        figure.update(answered=len(ordered),
                      p50_ms=round(statistics.median(ordered) * 1000, 1),
                      p99_ms=round(ordered[min(len(ordered) - 1,
                                               int(len(ordered) * 0.99))] * 1000, 1))
        turns.sort()   # post → 200: the turn, committed; the rest is the outbox's delivery
        figure.update(turn_p50_ms=round(statistics.median(turns) * 1000, 1),
                      turn_p99_ms=round(turns[int(len(turns) * 0.99)] * 1000, 1))
        if kind == "dialogs":   # which of the six steps is slow (0 /report … 5 confirm)
            figure["turn_p95_ms_by_step"] = {
                k: round(sorted(v)[int(len(v) * 0.95)] * 1000) for k, v in sorted(by_step.items())}
    return figure


async def main(workers: list[int], users: int, updates: int, rounds: int, rate: float,
               steady_users: int, postgres: str, telegram_limits: bool) -> None:
    if telegram_limits:   # what a deployment runs: Telegram's 30 messages/s per worker
        for n in workers:
            print(await run_load("dialogs", n, steady_users, updates, rate, postgres, True),
                  flush=True)
        return
    for n in workers:
        best: dict[str, float] = {}
        for _ in range(rounds):
            for kind in ("echo", "dialogs"):
                figure = await run_load(kind, n, users, updates, None, postgres)
                print(figure, flush=True)
                best[kind] = max(best.get(kind, 0), figure["updates_per_s"])
        if rounds:
            print(f"N={n}: dialogs/echo = {best['dialogs'] / best['echo']:.2f} (best of {rounds})",
                  flush=True)
        for kind in ("echo", "dialogs"):
            print(await run_load(kind, n, steady_users, updates, rate, postgres), flush=True)


def gridbot_worker() -> None:
    """`gridbot run` with Telegram's rate limits lifted, as in bench.telegram_dialogs: the aim
    is to measure gridbot, not Telegram's 30 messages/s (see `--telegram-limits`)."""
    from bot.cli import main as gridbot
    from bot.telegram import limits

    class Unlimited(limits.TelegramLimits):
        def __init__(self, **_: object) -> None:
            free = limits.Rate(1e6, 10**6)
            super().__init__(per_chat=free, per_group=free, overall=free, paced=free)

    limits.TelegramLimits = Unlimited   # the runner imports it when it sets Telegram up
    sys.argv = ["gridbot", "run"]
    gridbot()


def echo_worker(port: int) -> None:
    """The ceiling: the same Telegram transport and web server, no database, no outbox."""
    import uvicorn

    from bench.telegram_echo import echo
    from bot.telegram import AT_ONCE, make_transport

    async def serve() -> None:
        transport = make_transport("ptb", os.environ["GRIDBOT_TELEGRAM_TOKEN"],
                                   os.environ["GRIDBOT_TELEGRAM_API_URL"],
                                   tempfile.mkdtemp(), mode="webhook", webhook_secret=SECRET,
                                   webhook_url=os.environ["GRIDBOT_TELEGRAM_WEBHOOK_URL"],
                                   concurrency=AT_ONCE, http="aiohttp")
        app = FastAPI()

        @app.post("/telegram/webhook")
        async def webhook(request: Request) -> Response:
            handled = await transport.handle_webhook(
                await request.body(), request.headers.get(SECRET_HEADER))
            return Response("ok" if handled else "forbidden", status_code=200 if handled else 403)

        await transport.start(echo(transport))
        try:
            await uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                log_level="warning", lifespan="off")).serve()
        finally:
            await transport.stop()
    asyncio.run(serve())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--steady-users", type=int, default=200)
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--telegram-limits", action="store_true",
                        help="keep Telegram's rate limits (30 messages/s per worker): steady only")
    parser.add_argument("--echo-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--gridbot-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_worker:
        echo_worker(args.echo_worker)
    elif args.gridbot_worker:
        gridbot_worker()
    else:
        asyncio.run(main(args.workers, args.users, args.updates, args.rounds, args.rate,
                         args.steady_users, args.postgres, args.telegram_limits))
