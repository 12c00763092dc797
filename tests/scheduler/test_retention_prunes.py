"""Issue 16, finding 7: every table that holds people has a retention rule the scheduler keeps
(SECURITY.md, "Retention"): de-duplication keys and WeChat nonces a day, parked updates the
retention window."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import build_chat
from bot.wechat.crypto import CallbackQuery
from bot.wechat.guard import Refused
from bot.wechat.replay import NonceMemory
from scheduler.sweeps import RETENTION, Sweeper
from storage.tables import DeadLetterRow, InboundRow
from tests.handlers.conftest import open_district


@pytest.fixture
async def district(db_url):
    """The sample district on SQLite and on PostgreSQL."""
    services = await open_district(db_url)
    yield services
    await services.close()


@pytest.fixture
async def keeper(district):
    return Sweeper((await build_chat(district)).deps)


async def rows(services, table, *where) -> int:
    async with services.uow() as uow:
        return (await uow.session.execute(
            select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_inbound_pruned_after_a_day(district, keeper):
    async with district.uow() as uow:
        await uow.inbound.first_seen([("telegram", "4711"), ("wechat", "msg:99")])
        await uow.commit()
    district.clock.advance(timedelta(hours=23))
    await keeper.sweep(RETENTION)
    assert await rows(district, InboundRow) == 2          # a redelivery is still recognised
    district.clock.advance(timedelta(hours=2))
    report = await keeper.sweep(RETENTION)
    assert await rows(district, InboundRow) == 0 and report.pruned["inbound"] == 2


async def test_wechat_nonces_pruned(district, keeper):
    nonces = NonceMemory(district.uow, "wechat")
    query = CallbackQuery("sig", "1790000000", "n0nce")
    await nonces.check(query, b"<xml>one</xml>")
    with pytest.raises(Refused):                          # replay refused inside the window
        await nonces.check(query, b"<xml>other</xml>")
    district.clock.advance(timedelta(days=1, minutes=1))
    await keeper.sweep(RETENTION)
    assert await rows(district, InboundRow, InboundRow.channel == "wechat-nonce") == 0


async def test_dead_letters_pruned_after_retention(district, keeper):
    async with district.uow() as uow:
        for _ in range(3):
            await uow.dead_letters.failed("telegram", "77", "text", "RuntimeError")
        await uow.dead_letters.park("telegram", "77", {"text": "/start inv_secret 张秀兰"})
        await uow.dead_letters.failed("telegram", "78", "text", "RuntimeError")   # counted once
        await uow.commit()
    district.clock.advance(timedelta(days=179))
    await keeper.sweep(RETENTION)
    assert await rows(district, DeadLetterRow) == 2
    district.clock.advance(timedelta(days=2))
    await keeper.sweep(RETENTION)
    assert await rows(district, DeadLetterRow) == 0
