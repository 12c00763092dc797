"""The finding: two `gridbot run` in polling mode for one bot both started and fought over
getUpdates (Telegram serves one consumer). The second one now refuses with a clear message."""
from __future__ import annotations

import asyncio
import os
import subprocess

import pytest
from sqlalchemy.engine import make_url

from storage.db import make_engine
from storage.process_lock import LockHeld, ProcessLock
from tests.conftest import POSTGRES_URL
from tests.fakes.telegram_api import TelegramEmulator
from tests.reliability.test_crash import ROOT, Worker, free_port
from tests.storage.conftest import migrated_schemas  # noqa: F401 — fixture


def polling_env(url: str, tg: TelegramEmulator, tmp_path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "GRIDBOT_DATABASE_URL": url,
            "GRIDBOT_TELEGRAM_TOKEN": tg.token, "GRIDBOT_TELEGRAM_API_URL": tg.base_url,
            "GRIDBOT_TELEGRAM_MODE": "polling", "GRIDBOT_WEB_PORT": str(free_port()),
            "GRIDBOT_MEDIA_DIR": str(tmp_path / "media"),
            "GRIDBOT_SECRET_KEY": "one-poller-" + "k" * 32}


async def exited(worker: Worker, seconds: float) -> int | None:
    assert worker.process is not None
    for _ in range(int(seconds * 10)):
        if worker.process.poll() is not None:
            return worker.process.returncode
        await asyncio.sleep(0.1)   # a real process on the other side
    return None


@pytest.mark.postgres
async def test_a_second_polling_process_for_the_same_bot_refuses_to_start(
        migrated_schemas, tmp_path):  # noqa: F811
    url = make_url(POSTGRES_URL).update_query_dict(
        {"schema": migrated_schemas.take()}).render_as_string(hide_password=False)
    async with TelegramEmulator() as tg:
        first = Worker(polling_env(url, tg, tmp_path), tmp_path / "first.log")
        second = Worker(polling_env(url, tg, tmp_path), tmp_path / "second.log")
        first.start()
        try:
            for _ in range(300):       # the first one is polling
                if tg.calls["getUpdates"]:
                    break
                await asyncio.sleep(0.1)
            assert tg.calls["getUpdates"], first.log.read_text()
            second.start()
            code = await exited(second, 30)
            assert code not in (None, 0), second.log.read_text()
            assert "already polling Telegram for this bot" in second.log.read_text()
            assert tg.token not in second.log.read_text()   # no secret in the message
            assert first.process is not None and first.process.poll() is None   # still serving
            tg.user_sends_text(1001, "/start")             # and still answering
            await tg.wait_for_sent(1, timeout=15)
        finally:
            for worker in (first, second):
                if worker.process is not None and worker.process.poll() is None:
                    worker.process.send_signal(subprocess.signal.SIGTERM)
                    worker.process.wait(10)


async def test_the_sqlite_lock_is_taken_once_and_freed_on_release(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gridbot.db'}")
    try:
        async with ProcessLock(engine, "telegram-polling:123:abc"):
            with pytest.raises(LockHeld):
                async with ProcessLock(engine, "telegram-polling:123:abc"):
                    pass
            async with ProcessLock(engine, "telegram-polling:456:other"):   # another bot: free
                pass
        async with ProcessLock(engine, "telegram-polling:123:abc"):   # released: free again
            pass
    finally:
        await engine.dispose()
