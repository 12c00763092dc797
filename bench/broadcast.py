"""Broadcast benchmark: 10,000 messages through the real sender, outbox and Telegram transport.

    python -m bench.broadcast                  # 10,000 messages: about 5.5 minutes at 30/s
    python -m bench.broadcast --messages 1000  # a shorter run

The Telegram emulator (tests/fakes/telegram_api.py) enforces 1 message/s per chat and 30/s in
any one second overall, answering 429 with retry_after beyond that. Each message goes to its own
chat, as a digest does. `bot.sender.OutboxSender` drains a migrated SQLite outbox through
`bot.telegram.make_transport`; a thin wrapper times every delivery attempt. Aims: ≥ 95 % of
the global limit, every 429 honoured (no retry to that chat before retry_after), none lost,
none sent twice.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import func, select

from bench.routing import machine
from bot.delivery import RetryAfter
from bot.sender import OutboxSender
from bot.telegram import make_transport
from bot.telegram.limits import Rate, TelegramLimits
from handlers.messages import Outbound
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.records import OutboxMessage
from storage.tables import OutboxRow
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import TelegramEmulator

GLOBAL_LIMIT = 30
FIRST_CHAT = 100_000_000


class Timed:
    """The real transport, with the time and outcome of every delivery attempt kept."""

    def __init__(self, transport):
        self.transport = transport
        self.attempts: list[tuple[float, str, float | None]] = []   # (t, chat, retry_after)

    async def deliver(self, out: Outbound) -> None:
        at = time.monotonic()
        try:
            await self.transport.deliver(out)
        except RetryAfter as flood:
            self.attempts.append((at, out.external_id, flood.seconds))
            raise
        self.attempts.append((at, out.external_id, None))


def honoured(attempts: list[tuple[float, str, float | None]]) -> tuple[int, int]:
    """(429s, retries that came before retry_after) over the attempts, chat by chat."""
    by_chat: dict[str, list[tuple[float, float | None]]] = defaultdict(list)
    for at, chat, wait in attempts:
        by_chat[chat].append((at, wait))
    floods = early = 0
    for tries in by_chat.values():
        for (at, wait), (again, _) in itertools.pairwise(tries):
            if wait is not None:
                floods += 1
                early += again - at < wait - 0.05
        floods += tries[-1][1] is not None
    return floods, early


async def run(messages: int, library: str, overall: Rate | None = None,
              batch: int = 200) -> dict[str, float | int | bool]:
    folder = Path(tempfile.mkdtemp(prefix="gridbot-broadcast-"))
    url = f"sqlite:///{folder / 'outbox.db'}"
    await upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    async with uow() as work:
        await work.publishing.owe_once([OutboxMessage(
            "telegram", str(FIRST_CHAT + i),
            Outbound("telegram", str(FIRST_CHAT + i), f"📰 社区周报 第 {i} 份").as_payload(),
            dedupe_key=f"broadcast:{i}") for i in range(messages)])
        await work.commit()
    async with TelegramEmulator() as tg:
        tg.rate_limit(per_chat_per_s=1, global_per_s=GLOBAL_LIMIT)
        transport = make_transport(library, tg.token, api_url=tg.base_url, media_dir=folder)
        timed = Timed(transport)
        limits = TelegramLimits(overall=overall) if overall else TelegramLimits()
        sender = OutboxSender(uow, "telegram", timed, limits, batch=batch)
        began = time.monotonic()
        draining = asyncio.create_task(sender.run(poll=0.2))
        while len(tg.sent) < messages:
            await asyncio.sleep(0.5)
            if time.monotonic() - began > messages / GLOBAL_LIMIT * 3 + 60:
                break
        await asyncio.sleep(1.0)                   # anything sent twice would show up now
        draining.cancel()
        await asyncio.gather(draining, return_exceptions=True)
        await transport.stop()
        sends = [s.at for s in tg.sent]
        per_chat = Counter(s.chat_id for s in tg.sent)
        too_many = tg.too_many
    async with uow() as work:
        unsent = (await work.session.execute(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_(None))
        )).scalar_one()
    await engine.dispose()
    span = sends[-1] - sends[0] if len(sends) > 1 else float("nan")
    rate = (len(sends) - 1) / span
    floods, early = honoured(timed.attempts)
    worst = max(sum(1 for t in sends[i:i + 60] if t - sends[i] < 1.0)
                for i in range(0, len(sends), 10))
    return {"messages": messages, "sent": len(sends), "seconds": span, "rate": rate,
            "of_limit": rate / GLOBAL_LIMIT, "429s": too_many, "429s_seen": floods,
            "retried_early": early, "attempts": len(timed.attempts),
            "twice": sum(1 for n in per_chat.values() if n > 1),
            "missing": messages - len(per_chat), "unsent_rows": unsent,
            "worst_second": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--library", choices=("aiogram", "ptb"), default="aiogram")
    parser.add_argument("--overall", type=float, nargs=2, metavar=("RATE", "BURST"),
                        help="try another overall token bucket than TelegramLimits' default")
    parser.add_argument("--batch", type=int, default=200, help="the sender's batch (default 200)")
    args = parser.parse_args()
    overall = Rate(*args.overall) if args.overall else None
    result = asyncio.run(run(args.messages, args.library, overall, args.batch))
    print(f"{result['sent']:,} of {result['messages']:,} messages in {result['seconds']:.1f} s: "
          f"{result['rate']:.2f}/s = {result['of_limit']:.1%} of the {GLOBAL_LIMIT}/s limit")
    print(f"429s answered {result['429s']} (seen by the sender {result['429s_seen']}), retried "
          f"before retry_after {result['retried_early']}; {result['attempts']:,} attempts; "
          f"busiest second {result['worst_second']} sends")
    print(f"sent twice {result['twice']}, never sent {result['missing']}, "
          f"outbox rows left unsent {result['unsent_rows']}")
    print(f"machine: {machine()}")


if __name__ == "__main__":
    main()
