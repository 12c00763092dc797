"""WeChat's 5-second rule: the first reply rides in the callback's response even with the real
outbox sender running, and a slow media download never holds a callback past its budget."""
from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

import httpx
from sqlalchemy import func, select

from bot.runner import assemble
from handlers import texts
from storage.tables import InboundRow, OutboxRow
from tests import scenarios
from tests.fakes.wechat_client import OfficialAccountClient
from tests.wechat.conftest import AES_KEY, APPID, TOKEN
from tests.wechat.talk import OPENID

# Whole dialogs, as bench.wechat_callback plays them: consent, role, /my, /grid, numbers…
TURNS = ("/start", "1", "1", "1", "/my", "/grid", "1", "/my", "你好", "/grid",
         "/help", "/my", "/grid", "/report", "/cancel", "/my")


async def rows_to(services, address: str, unsent: bool = False) -> int:
    query = select(func.count()).where(OutboxRow.address == address)
    if unsent:
        query = query.where(OutboxRow.sent_at.is_(None))
    async with services.uow() as uow:
        return (await uow.session.execute(query)).scalar_one()


async def test_under_gridbot_run_the_first_reply_goes_in_the_callback_not_by_the_sender(
        rig, wechat_fake):
    """`gridbot run`'s own wiring (bot.runner.assemble) with its real OutboxSenders running:
    before the fix the sender leased every reply first, and 0 of 16 went passively."""
    openid = "o-passive-resident"
    async with AsyncExitStack() as stack:
        runtime = await assemble(rig.settings, stack)
        running = [asyncio.create_task(sender.run(poll=0.05)) for sender in runtime.senders]
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                 base_url="http://gridbot.test")
        stack.push_async_callback(http.aclose)
        wechat = OfficialAccountClient(http, TOKEN, APPID, AES_KEY, lambda: int(time.time()))
        passive: list[str] = []
        for n, text in enumerate(TURNS):
            wechat_fake.user_wrote(openid)
            answer = await wechat.text(openid, text, 31_000 + n)
            assert answer.status == 200
            if answer.reply is not None:
                passive.append(answer.reply["Content"])
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await asyncio.gather(*(sender.settle() for sender in runtime.senders))
        services = runtime.services
        by_customer_service = [sent.text for sent in wechat_fake.to(openid)]
        assert len(passive) == len(TURNS)                   # every turn answered in its callback
        assert await rows_to(services, openid, unsent=True) == 0
        # Each reply went exactly once: none of the passive ones also as a customer-service one.
        assert len(passive) + len(by_customer_service) == await rows_to(services, openid)


async def test_a_slow_media_download_does_not_hold_the_callback_and_is_done_once(talk, rig):
    await scenarios.onboard_rider(talk, "rider")
    openid = OPENID + "rider"
    rig.wechat.budget = 0.3                      # stands for WeChat's 5 s, the download for 6 s
    media = rig.wechat_fake.add_media(scenarios.phone_photo())
    downloads_before = rig.wechat_fake.calls["media_get"]
    rig.wechat_fake.media_gate = asyncio.Event()            # the download hangs until set
    started = time.monotonic()
    first = await asyncio.wait_for(rig.official.image(openid, media, "", 9_301), timeout=5)
    answered_in = time.monotonic() - started
    retry = await asyncio.wait_for(rig.official.image(openid, media, "", 9_301), timeout=5)
    assert (first.status, first.body, retry.status, retry.body) == (200, "success", 200, "success")
    assert answered_in < rig.wechat.budget + 1.0
    assert rig.wechat_fake.calls["media_get"] - downloads_before == 1   # the retry joined it
    rig.wechat_fake.media_gate.set()
    await rig.wechat.settle()
    stored = list((rig.settings.media_dir / "wechat").iterdir())
    assert len(stored) == 1 and stored[0].read_bytes().startswith(b"\xff\xd8")   # one JPEG
    assert rig.wechat_fake.calls["media_get"] - downloads_before == 1
    async with rig.services.uow() as uow:
        seen = (await uow.session.execute(select(func.count()).where(
            InboundRow.external_id == "msg:9301"))).scalar_one()
    assert seen == 1
    replies = await talk.drain()                  # the dialog's answer went by the sender
    assert [out.text for _, _, out in replies] == [texts.PHOTO_SAVED.format(n=1),
                                                   texts.ASK_LOCATION.format(
                                                       example="锦江畔1号楼",
                                                       how=texts.LOCATION_HOW["wechat"])]   # once, not twice
