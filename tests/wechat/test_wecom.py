"""WeCom as a grid leader meets it: order cards with buttons, typed commands, paced messages."""
from __future__ import annotations

from sqlalchemy import select

from bot.sender import OutboxSender
from bot.wecom.limits import MemberLimits
from handlers import texts
from storage.records import OutboxMessage
from storage.tables import OutboxRow
from tests import scenarios
from tests.fakes.wechat_client import WeComClient
from tests.wechat.conftest import AGENTID, CORPID, WECOM_AES


async def owe(rig, channel: str, address: str, text_of, n: int) -> None:
    async with rig.services.uow() as uow:
        for i in range(n):
            uow.outbox.add(OutboxMessage(channel, address, {"text": text_of(i), "choices": []}))
        await uow.commit()


async def test_url_verification_answers_the_decrypted_echo(rig):
    good = await rig.work.verify_url("8417296120035219")
    assert (good.status_code, good.text) == (200, "8417296120035219")
    stranger = WeComClient(rig.http, "not-the-token", CORPID, WECOM_AES, AGENTID, rig.unix_now)
    assert (await stranger.verify_url("8417296120035219")).status_code == 403


async def test_new_order_reaches_the_leader_as_a_card_whose_button_signs_it(talk, point, rig):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    card = rig.wecom_fake.to("leader")[-1]
    assert card.msgtype == "template_card" and code in card.body["main_title"]["title"]
    assert [(b["text"], b["key"]) for b in card.body["button_list"]] == [
        ("签收", f"sign:{code}"), ("退回", f"return:{code}"), ("上报", f"up:{code}")]
    signed = await talk.press("leader", f"sign:{code}")
    assert talk.last_answer.reply["MsgType"] == "update_button"
    assert texts.WECOM_BUTTON_DONE in talk.last_answer.reply["Button"]
    assert signed[0].text.startswith(f"已签收 {code}")
    assert "签收" in talk.inbox("resident")[-1].text


async def test_a_retried_button_click_signs_once(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    first = await talk.press("leader", f"sign:{code}", update_id="click-1")
    again = await talk.press("leader", f"sign:{code}", update_id="click-1")
    assert first[0].text.startswith(f"已签收 {code}") and again == []


async def test_leader_can_sign_by_typing_the_word_and_the_order_number(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    signed = await talk.text("leader", f"签收 {code}")
    assert signed[0].text.startswith(f"已签收 {code}")


async def test_a_long_order_comes_as_numbered_text_and_a_number_answers_it(talk, point, rig):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    await talk.text("resident", "楼下垃圾三天没人清运了，" * 12)
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    await talk.text("resident", "跳过")                 # no phone left
    code = scenarios.order_code(await talk.press("resident", "confirm:"))
    numbered = rig.wecom_fake.to("leader")[-1]
    assert numbered.msgtype == "text" and numbered.text.endswith("回复 1 签收\n回复 2 退回\n回复 3 上报")
    signed = await talk.text("leader", "1")
    assert signed[0].text.startswith(f"已签收 {code}")


async def test_messages_to_one_member_keep_within_30_a_minute(rig, virtual_time):
    await owe(rig, "wecom", "leader", lambda i: f"提醒 {i}", 45)
    sender = OutboxSender(rig.services.uow, "wecom", rig.wecom.transport, rig.wecom.limits)
    while await sender.drain_once():
        pass
    assert [m.text for m in rig.wecom_fake.sent] == [f"提醒 {i}" for i in range(45)]
    assert rig.wecom_fake.dropped == [] and virtual_time.slept >= 60


async def test_without_pacing_wecom_drops_the_excess(rig):
    """The fake polices the limit, so the test above can fail."""
    await owe(rig, "wecom", "leader", lambda i: f"提醒 {i}", 35)
    sender = OutboxSender(rig.services.uow, "wecom", rig.wecom.transport, limits=None)
    rig.wecom.transport.limits = None
    while await sender.drain_once():
        pass
    assert len(rig.wecom_fake.dropped) == 5


async def test_member_limits_hold_every_minute_and_hour_window(virtual_time):
    limits = MemberLimits(30, 1000, clock=virtual_time.monotonic, sleep=virtual_time.sleep)
    sent = []
    for _ in range(1100):
        await limits.acquire("leader")
        sent.append(virtual_time.now)
    for i, start in enumerate(sent):
        assert sum(1 for t in sent[i:i + 31] if t - start < 60) <= 30
        assert sum(1 for t in sent[i:i + 1001] if t - start < 3600) <= 1000


async def test_group_robot_posts_markdown_split_at_line_ends(rig):
    lines = [f"- 工单 WG-20261123-{n:04d} 已办结，按期 ✅" for n in range(150)]
    await owe(rig, "wecom_robot", "robot-echo", lambda i: "\n".join(lines), 1)
    sender = OutboxSender(rig.services.uow, "wecom_robot", rig.wecom.robot, rig.wecom.robot_limits)
    while await sender.drain_once():
        pass
    posts = rig.wecom_fake.robot_posts
    assert len(posts) > 1 and {p.key for p in posts} == {"robot-echo"}
    assert all(len(p.markdown.encode()) <= 4096 for p in posts)
    assert "\n".join(p.markdown for p in posts).split("\n") == lines


async def test_a_member_wecom_does_not_know_is_undeliverable_and_kept(rig):
    rig.wecom_fake.members = {"leader"}
    await owe(rig, "wecom", "ghost", lambda i: "新工单", 1)
    sender = OutboxSender(rig.services.uow, "wecom", rig.wecom.transport, rig.wecom.limits)
    await sender.drain_once()
    async with rig.services.uow() as uow:
        sent_at, error = (await uow.session.execute(
            select(OutboxRow.sent_at, OutboxRow.last_error))).one()
    assert sent_at is None and "ghost" in error
