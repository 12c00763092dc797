"""Two `gridbot run` workers on one PostgreSQL, Telegram's webhook traffic split across them
(odd updates to one, even to the other, as a load balancer would): every reply is sent exactly
once and each chat's messages arrive in the order written, whichever worker wrote or sent them.
(Reminders and escalations across two workers: tests/scheduler/test_exactly_once.py.)"""
from __future__ import annotations

import asyncio
import os
from collections import defaultdict

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bench.telegram_dialogs import STEPS, prepared_services, report_dialog
from bench.telegram_echo import FIRST_USER
from tests.conftest import POSTGRES_URL
from tests.fakes.telegram_api import SECRET_HEADER, TelegramEmulator
from tests.reliability.test_crash import ROOT, Worker, free_port, written
from tests.storage.conftest import migrated_schemas  # noqa: F401 — fixture

pytestmark = pytest.mark.postgres
USERS, REPORTS, SECRET = 20, 2, "two-workers-webhook-secret-" + "w" * 16


async def post(http: aiohttp.ClientSession, url: str, update: dict) -> int:
    """Post an update as Telegram does, again while the worker is still starting."""
    for _ in range(300):
        try:
            async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as reply:
                return reply.status
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)   # not listening yet
    raise AssertionError(f"{url} never answered")


async def test_webhook_traffic_split_across_two_workers_is_answered_once_and_in_order(
        migrated_schemas, tmp_path):  # noqa: F811
    url = make_url(POSTGRES_URL).update_query_dict(
        {"schema": migrated_schemas.take()}).render_as_string(hide_password=False)
    services = await prepared_services(tmp_path, USERS, url)
    await services.close()
    ports = [free_port(), free_port()]
    async with TelegramEmulator() as tg, aiohttp.ClientSession() as http:
        workers = []
        for n, port in enumerate(ports):
            env = {**os.environ, "PYTHONPATH": str(ROOT), "GRIDBOT_DATABASE_URL": url,
                   "GRIDBOT_TELEGRAM_TOKEN": tg.token, "GRIDBOT_TELEGRAM_API_URL": tg.base_url,
                   "GRIDBOT_TELEGRAM_MODE": "webhook", "GRIDBOT_TELEGRAM_WEBHOOK_SECRET": SECRET,
                   "GRIDBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
                   "GRIDBOT_WEB_PORT": str(port), "GRIDBOT_MEDIA_DIR": str(tmp_path / "media"),
                   "GRIDBOT_SECRET_KEY": "two-workers-" + "k" * 32}
            workers.append(Worker(env, tmp_path / f"worker{n}.log"))
            workers[-1].start()
        try:
            for _ in range(300):   # both registered the (shared) webhook
                if tg.calls["setWebhook"] >= 2:
                    break
                await asyncio.sleep(0.1)
            # The load balancer is this test: the emulator stops pushing to the webhook itself.
            async with http.post(f"{tg.base_url}/bot{tg.token}/deleteWebhook") as reply:
                assert reply.status == 200
            served: dict[int, int] = defaultdict(int)

            async def resident(user: int) -> None:
                for step in range(STEPS * REPORTS):
                    update_id = report_dialog(tg, user, step)
                    port = ports[update_id % 2]
                    status = await post(http, f"http://127.0.0.1:{port}/telegram/webhook",
                                        tg.update(update_id))
                    assert status == 200, [w.log.read_text()[-2000:] for w in workers]
                    served[port] += 1

            await asyncio.wait_for(asyncio.gather(
                *(resident(FIRST_USER + n) for n in range(USERS))), 120)
            rows = await written(url)
            for _ in range(150):   # every message owed is sent and recorded
                if all(all(sent) for _, sent, _ in rows.values()):
                    break
                await asyncio.sleep(0.2)
                rows = await written(url)
            await asyncio.sleep(1.5)   # a message sent twice would show up by now
        finally:
            for worker in workers:
                worker.kill()
    assert min(served.values()) >= USERS * STEPS * REPORTS // 3, served   # both took traffic
    assert len(rows) == USERS
    received: dict[str, list[str]] = defaultdict(list)
    for call in tg.sent:
        received[str(call.chat_id)].append(call.text or "")
    for chat, (texts, sent, _) in rows.items():
        assert all(sent), chat
        assert len(texts) >= STEPS * REPORTS
        assert received.pop(chat) == texts, chat   # exactly once each, in the order written
    assert not received
