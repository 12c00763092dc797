"""The 公众号 callback under a steady load: signed, AES-encrypted messages against the real app.

    python -m bench.wechat_callback [--rate 50] [--seconds 20] [--users 500]

A child process serves the whole app with uvicorn on 127.0.0.1 (SQLite, the sample district,
the chat, the WeChat router, an outbox sender kicked on every commit, and a loopback WeChat API
host that takes the customer-service messages). This process plays WeChat: it sends `rate`
callbacks a second on a fixed schedule (open loop: a slow answer does not slow the sending) and
times each one from sending to the full answer. The same run loads a bare callback that only
verifies, decrypts and answers "success" — the ceiling the full path is compared with — and
then the full path again on a server whose SQLite engine has SQLAlchemy's usual pool (5 + 10
connections, contending for SQLite's write lock) instead of storage.db's single connection.

Each simulated resident goes through the same cycle of messages (/start, consent, role, skip,
/my, /grid, a numbered reply …), so the load is whole dialogs, not one cached answer.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
from fastapi import Request, Response
from fastapi.responses import PlainTextResponse

from tests.fakes.wechat_client import encrypt, from_xml, sign, to_xml

TOKEN, APPID = "bench-token", "wx-bench-appid"
AES_KEY = "XQMKR4aJWuOSGW6GExaXosZaykvAHeY8xJU4nn+TIfQ"
CYCLE = ("/start", "1", "1", "1", "/my", "/grid", "1", "/my", "你好", "/grid")
FULL, BARE = "/wechat/callback", "/bare/callback"


@dataclass(frozen=True)
class Result:
    path: str
    sent: int
    ok: int
    passive: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


# ---- the server (child process) -----------------------------------------------------------
def serve(port: int, workdir: str, pooled: bool, stop: Connection) -> None:
    asyncio.run(_serve(port, Path(workdir), pooled, stop))


async def open_bench_services(settings, pooled: bool):
    """The services as `gridbot run` opens them, or over SQLAlchemy's usual pool (5 + 10)."""
    from sqlalchemy.pool import AsyncAdaptedQueuePool

    from bot.services import Services, open_services
    from storage.clock import SystemClock
    from storage.db import make_engine, session_factory
    from storage.migrate import upgrade
    if not pooled:
        return await open_services(settings)
    await upgrade(settings.database_url)
    engine = make_engine(settings.database_url, poolclass=AsyncAdaptedQueuePool, pool_size=5,
                         max_overflow=10)
    return Services(settings, engine, session_factory(engine), SystemClock())


async def _serve(port: int, workdir: Path, pooled: bool, stop: Connection) -> None:
    import uvicorn

    from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
    from bot.sender import OutboxSender
    from bot.services import build_chat
    from bot.wechat.channel import WeChatChannel
    from bot.wechat.crypto import CallbackQuery, Refused
    from bot.wechat.routes import wechat_router
    from storage.importer import import_grids, import_people
    from tests.fakes.wechat_api import WeChatApiFake
    from web.app import create_app

    async with WeChatApiFake(APPID, "bench-secret") as fake:
        settings = Settings(database_url=f"sqlite:///{workdir / 'bench.db'}",
                            media_dir=workdir / "media", wechat_appid=APPID,
                            wechat_secret="bench-secret", wechat_token=TOKEN,
                            wechat_aes_key=AES_KEY, wechat_api_url=fake.url)
        services = await open_bench_services(settings, pooled)
        async with services.uow() as uow:
            await import_grids(uow, SAMPLE_DISTRICT, progress=False)
            await import_people(uow, SAMPLE_PEOPLE, progress=False)
            await uow.commit()
        senders: list[OutboxSender] = []
        chat = await build_chat(services, on_committed=lambda: [s.kick() for s in senders])
        wechat = WeChatChannel(settings, services.uow, services.clock)
        senders.append(OutboxSender(services.uow, "wechat", wechat.transport))
        chat.deps.couriers = (*chat.deps.couriers, wechat.courier(senders[0]))   # as runner
        app = create_app(services, chat)
        app.include_router(wechat_router(wechat, chat))

        @app.post(BARE)
        async def bare(request: Request) -> Response:
            try:
                wechat.crypto.open(CallbackQuery.of(request.query_params), await request.body())
            except Refused:
                return PlainTextResponse("forbidden", status_code=403)
            return PlainTextResponse("success")

        sending = asyncio.create_task(senders[0].run(poll=0.5))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        # The parent says "stop" down the pipe: shut down cleanly, not by a signal.
        asyncio.get_running_loop().add_reader(stop.fileno(),
                                              lambda: setattr(server, "should_exit", True))
        try:
            await server.serve()
        finally:
            sending.cancel()
            await wechat.close()
            await services.close()


# ---- WeChat's side (this process) ---------------------------------------------------------
def signed(openid: str, content: str, msg_id: int, nonce: int) -> tuple[dict, bytes]:
    timestamp = str(int(time.time()))
    xml = to_xml({"ToUserName": "gh_bench", "FromUserName": openid,
                  "CreateTime": int(timestamp), "MsgType": "text", "Content": content,
                  "MsgId": msg_id})
    encrypted = encrypt(AES_KEY, xml, APPID)
    query = {"signature": sign(TOKEN, timestamp, str(nonce)), "timestamp": timestamp,
             "nonce": str(nonce), "openid": openid, "encrypt_type": "aes",
             "msg_signature": sign(TOKEN, timestamp, str(nonce), encrypted)}
    return query, to_xml({"ToUserName": APPID, "Encrypt": encrypted}).encode()


async def load(base: str, path: str, rate: float, seconds: float, users: int,
               first_id: int) -> Result:
    total = int(rate * seconds)
    latencies: list[float] = []
    outcome = {"ok": 0, "passive": 0}
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as http:
        async def one(n: int) -> None:
            user = n % users
            query, body = signed(f"o-bench-{user}", CYCLE[(n // users) % len(CYCLE)],
                                 first_id + n, first_id + n)
            started = time.perf_counter()
            try:
                response = await http.post(path, params=query, content=body)
            except httpx.HTTPError:
                latencies.append((time.perf_counter() - started) * 1000)
                return   # counted as not 200; WeChat would have retried it
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code == 200:
                outcome["ok"] += 1
                outcome["passive"] += "Encrypt" in from_xml(response.text)
        begin = time.perf_counter()
        tasks = []
        for n in range(total):
            await asyncio.sleep(max(0.0, begin + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
    cuts = statistics.quantiles(latencies, n=100)
    return Result(path, total, outcome["ok"], outcome["passive"], elapsed, cuts[49], cuts[89],
                  cuts[98], max(latencies))


async def wait_until_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as http:
        for _ in range(300):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the app did not come up")


def run_server(args: argparse.Namespace, pooled: bool,
               paths: tuple[tuple[str, int], ...]) -> list[Result]:
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as workdir:
        stop, child_end = mp.Pipe()
        server = mp.get_context("spawn").Process(
            target=serve, args=(args.port, workdir, pooled, child_end))
        server.start()
        try:
            asyncio.run(wait_until_up(base))
            return [asyncio.run(load(base, path, args.rate, args.seconds, args.users, first))
                    for path, first in paths]
        finally:
            stop.send("stop")
            server.join(30)
            if server.exitcode is None:
                server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--port", type=int, default=18_765)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}; python "
          f"{platform.python_version()}; {os.cpu_count()} cores; "
          f"{args.rate:g}/s for {args.seconds:g} s, {args.users} residents")
    shipped = run_server(args, False, ((FULL, 1), (BARE, 10_000_000)))
    pooled = run_server(args, True, ((FULL, 1),))
    rows = [("full, as shipped (one SQLite connection)", shipped[0]),
            ("full, a pool of 5 + 10 SQLite connections", pooled[0]),
            ("bare: verify + decrypt only", shipped[1])]
    print("| callback | sent | 200 | passive reply | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in rows:
        print(f"| {label} | {r.sent} | {r.ok} | {r.passive} | {r.p50_ms:.1f} | {r.p90_ms:.1f} "
              f"| {r.p99_ms:.1f} | {r.max_ms:.1f} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
