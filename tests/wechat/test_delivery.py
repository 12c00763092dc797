"""Delivery paths: the passive reply racing a live sender, hand-over, and photos."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.sender import OutboxSender
from handlers.messages import Choice, Outbound
from storage.records import OutboxMessage
from storage.tables import OutboxRow
from tests import scenarios
from tests.fakes.wechat_api import CUSTOM
from tests.wechat.talk import OPENID


async def test_a_waiting_callback_takes_the_message_instead_of_the_api(rig):
    transport, openid = rig.wechat.transport, "o-waiting"
    slot = rig.wechat.passive.open(openid)
    out = Outbound("wechat", openid, "请选择", (Choice("签收", "sign:WG-1"),))
    await transport.deliver(out)
    assert rig.wechat.passive.close(openid, slot) == out
    assert rig.wechat_fake.sent == []
    assert await rig.wechat.choices.pressed(openid, 1) == "sign:WG-1"
    await transport.deliver(out)                       # nobody waits now: the API carries it
    assert [s.kind for s in rig.wechat_fake.sent] == [CUSTOM]


async def owed_to(rig, address: str, unsent_only: bool = False) -> int:
    condition = OutboxRow.address == address
    if unsent_only:
        condition &= OutboxRow.sent_at.is_(None)
    async with rig.services.uow() as uow:
        return (await uow.session.execute(select(func.count()).where(condition))).scalar_one()


async def test_with_a_live_sender_every_reply_arrives_exactly_once(talk, rig):
    await scenarios.onboard_resident(talk, "resident")
    openid = OPENID + "resident"
    rows_before, custom_before = await owed_to(rig, openid), len(rig.wechat_fake.to(openid))
    sender = OutboxSender(rig.services.uow, "wechat", rig.wechat.transport)
    kicked, stopping = asyncio.Event(), False

    async def live_sender() -> None:
        """Like OutboxSender.run, kicked on every commit, but it stops between batches."""
        while not stopping:
            await kicked.wait()
            kicked.clear()
            while await sender.drain_once():
                pass

    rig.chat.deps.on_committed = kicked.set           # as `gridbot run` wires it
    running = asyncio.create_task(live_sender())
    passive = 0
    for n, text in enumerate(["/my", "/grid", "/report", "/cancel", "/help"] * 2):
        rig.wechat_fake.user_wrote(openid)
        passive += (await rig.official.text(openid, text, 8_000 + n)).reply is not None
    stopping = True
    kicked.set()
    await running
    rig.chat.deps.on_committed = None
    await talk.drain()
    by_api = len(rig.wechat_fake.to(openid)) - custom_before
    assert await owed_to(rig, openid, unsent_only=True) == 0
    assert passive + by_api == await owed_to(rig, openid) - rows_before
    # How many went passively depends on whether the callback or the kicked sender takes the
    # database's turn first; only a courier that hands the reply to the callback decides it.


async def test_a_photo_goes_up_first_and_counts_twice_against_the_window(talk, rig):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/grid")                          # a fresh window, none spent
    picture = rig.settings.media_dir / "after.jpg"
    picture.parent.mkdir(parents=True, exist_ok=True)
    picture.write_bytes(b"\xff\xd8after-photo")
    async with rig.services.uow() as uow:
        for n in range(3):
            uow.outbox.add(OutboxMessage("wechat", OPENID + "resident",
                                         {"text": f"已办结 {n}", "choices": [],
                                          "photo": str(picture)}))
        await uow.commit()
    await talk.drain()
    sent = rig.wechat_fake.to(OPENID + "resident")[-4:]
    assert [(s.msgtype, s.text) for s in sent] == [("image", ""), ("text", "已办结 0"),
                                                  ("image", ""), ("text", "已办结 1")]
    assert list(rig.wechat_fake.uploads.values()) == [b"\xff\xd8after-photo"] * 2


async def test_a_photo_to_a_leader_goes_as_an_image_then_the_card(rig):
    picture = rig.settings.media_dir / "report.jpg"
    picture.parent.mkdir(parents=True, exist_ok=True)
    picture.write_bytes(b"\xff\xd8report")
    await rig.wecom.transport.deliver(Outbound(
        "wecom", "leader", "📋 新工单 WG-20261123-0001", (Choice("签收", "sign:WG-20261123-0001"),),
        str(picture)))
    assert [m.msgtype for m in rig.wecom_fake.sent] == ["image", "template_card"]
    assert list(rig.wecom_fake.uploads.values()) == [b"\xff\xd8report"]


async def test_a_message_in_flight_is_not_made_due_again_when_the_person_writes(talk, rig):
    """The sender has leased a reply and is sending it; the person writes again meanwhile.
    Only messages held for the window are released: the leased one must not become claimable
    by the new callback's passive reply, or it would arrive twice."""
    await scenarios.onboard_resident(talk, "resident")
    openid = OPENID + "resident"
    await talk.drain()
    async with rig.services.uow() as uow:
        uow.outbox.add(OutboxMessage("wechat", openid, Outbound("wechat", openid, "处理中").as_payload()))
        await uow.commit()
    async with rig.services.uow() as uow:
        leased = await uow.outbox.due(10, channels=["wechat"])   # the sender's claim
        await uow.commit()
    assert [m.payload["text"] for m in leased] == ["处理中"]
    assert await rig.wechat.window.opened(openid) == 0
    async with rig.services.uow() as uow:
        assert await uow.outbox.due(10, channels=["wechat"]) == []
