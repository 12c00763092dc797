"""Two workers' senders on one database share the outbox: every message once, each chat in order."""
from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

from bot.sender import OutboxSender
from bot.telegram import make_transport
from storage.clock import FixedClock
from storage.db import make_engine, session_factory
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import TelegramEmulator
from tests.reliability.conftest import owe

CHATS, EACH = 50, 10


def units_on(engine, clock):
    sessions = session_factory(engine)
    return lambda: UnitOfWork(sessions, clock)


async def test_two_senders_send_500_messages_over_50_chats_once_each_and_in_order(
        migrated_url, clock: FixedClock, tmp_path):
    engines = [make_engine(migrated_url), make_engine(migrated_url)]   # two workers
    workers = [units_on(engine, clock) for engine in engines]
    async with TelegramEmulator() as tg:
        transports = [make_transport("aiogram", tg.token, tg.base_url, tmp_path / f"media{n}",
                                     mode="webhook", webhook_secret="s3cret") for n in range(2)]
        senders = [OutboxSender(units, "telegram", transport)
                   for units, transport in zip(workers, transports, strict=False)]
        running = [asyncio.get_running_loop().create_task(sender.run(poll=0.05))
                   for sender in senders]
        try:
            for round_ in range(EACH):                    # ten turns, each owing every chat one
                await owe(workers[round_ % 2], *((str(900_000 + chat), f"第{round_}条")
                                                 for chat in range(CHATS)))
                for sender in senders:
                    sender.kick()
            await tg.wait_for_sent(CHATS * EACH, timeout=30)
        finally:
            for task in running:
                task.cancel()
            for task in running:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for sender in senders:
                await sender.settle()
            for transport in transports:
                await transport.stop()
            for engine in engines:
                await engine.dispose()

    received: dict[int, list[str]] = defaultdict(list)
    for call in tg.sent:
        received[call.chat_id].append(call.text or "")
    assert len(tg.sent) == CHATS * EACH                                  # none twice, none lost
    assert all(texts == [f"第{n}条" for n in range(EACH)] for texts in received.values())
    assert len(received) == CHATS
