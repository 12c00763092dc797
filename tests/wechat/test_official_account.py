"""The 公众号 callback as a resident meets it: signed, deduplicated, answered within 5 s."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.wechat.inbound import MENU_MY, MENU_REPORT
from bot.wechat.menu import set_menu
from handlers import texts
from storage.records import OutboxMessage
from storage.tables import DialogRow, InboundRow, OutboxRow, PersonRow, WorkOrderRow
from tests import scenarios
from tests.fakes.wechat_api import CUSTOM, TEMPLATE
from tests.wechat.talk import OPENID

BOTH = pytest.mark.parametrize("services", ["sqlite", "postgres"], indirect=True)


async def count(services, table) -> int:
    query = select(func.count()).select_from(table)
    if table is InboundRow:     # messages seen, not the nonces of callbacks (no one's data)
        query = query.where(InboundRow.channel.in_(["wechat", "wecom"]))
    async with services.uow() as uow:
        return (await uow.session.execute(query)).scalar_one()


async def file_up_to_confirm(talk, point, user="resident") -> None:
    await scenarios.onboard_resident(talk, user)
    await talk.text(user, "/report")
    await talk.press(user, "cat:H01")
    await talk.text(user, "楼下垃圾三天没人清运了")
    await talk.press(user, "skip:")
    await talk.location(user, *point)
    summary = (await talk.text(user, "跳过"))[-1]                     # no phone left
    assert "请确认" in summary.text


async def test_url_verification_echoes_only_a_signed_request(rig):
    good = await rig.official.verify_url("echo-20261123")
    assert (good.status_code, good.text) == (200, "echo-20261123")
    forged = await rig.official.verify_url("echo-20261123", forge=True)
    assert forged.status_code == 403 and "echo" not in forged.text


async def test_forged_or_stale_callback_is_refused_and_changes_nothing(rig, talk):
    tables = (PersonRow, OutboxRow, InboundRow, DialogRow)
    before = [await count(rig.services, t) for t in tables]
    forged = await rig.official.text("o-mallory", "/start", 1, forge=True)
    stale = str(rig.unix_now() - 6 * 60)
    replayed = await rig.official.text("o-mallory", "/start", 2, timestamp=stale)
    assert (forged.status, stale and replayed.status) == (403, 403)
    await talk.drain()
    assert [await count(rig.services, t) for t in tables] == before
    assert rig.wechat_fake.to("o-mallory") == []


@BOTH
async def test_same_msgid_delivered_three_times_makes_one_order(talk, point, services):
    await file_up_to_confirm(talk, point)
    first = await talk.press("resident", "confirm:", update_id="tap-1")
    retries = [await talk.press("resident", "confirm:", update_id="tap-1") for _ in range(2)]
    assert first[-1].text.startswith("已提交工单 WG-") and retries == [[], []]
    assert await count(services, WorkOrderRow) == 1


async def test_first_reply_is_passive_and_the_rest_go_as_customer_service(talk, rig):
    await talk.text("resident", "/start")
    await talk.press("resident", "consent:yes")
    await talk.press("resident", "role:resident")
    replies = await talk.press("resident", "home:skip")
    assert [r.text for r in replies] == [texts.ONBOARDED_RESIDENT, texts.MENU]
    assert talk.last_answer.reply["Content"] == texts.ONBOARDED_RESIDENT
    last = rig.wechat_fake.to(OPENID + "resident")[-1]
    assert last.kind == CUSTOM and last.text.startswith(texts.MENU + "\n\n回复 1 ")
    async with rig.services.uow() as uow:
        unsent = await uow.session.execute(select(OutboxRow).where(OutboxRow.sent_at.is_(None)))
        assert unsent.first() is None


async def test_reply_that_misses_the_budget_still_arrives_as_customer_service(talk, rig):
    rig.wechat.budget = 0.0
    replies = await talk.text("resident", "/start")
    assert talk.last_answer.body == "success" and talk.last_answer.reply is None
    assert texts.PRIVACY_NOTICE in replies[-1].text
    assert rig.wechat_fake.to(OPENID + "resident")[-1].kind == CUSTOM


@BOTH
async def test_window_holds_messages_after_48_hours_and_delivers_them_on_the_next_message(
        talk, point, rig):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    seen = len(talk.inbox("resident"))
    rig.services.clock.advance(timedelta(hours=49))
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"progress:{code}")
    await talk.text("leader", "明早清运")
    assert len(talk.inbox("resident")) == seen                  # held, not sent …
    assert rig.wechat_fake.refused == []                        # … and WeChat never refused us
    replies = await talk.text("resident", "/my")
    assert replies[0].text == texts.WECHAT_HELD.format(n=2)
    assert "签收" in replies[1].text and "明早清运" in replies[2].text
    assert code in replies[3].text and len(replies) == 4


async def test_window_takes_five_messages_and_holds_the_rest(talk, rig):
    await scenarios.onboard_resident(talk, "resident")
    only = await talk.text("resident", "/grid")                 # one reply, passive: 0 spent
    assert len(only) == 1 and talk.last_answer.reply is not None
    async with rig.services.uow() as uow:
        person = (await uow.session.execute(select(PersonRow.id))).scalars().all()[-1]
        for n in range(7):
            uow.outbox.add(OutboxMessage("wechat", OPENID + "resident",
                                         {"text": f"进展 {n}", "choices": []}, person))
        await uow.commit()
    await talk.drain()
    sent = [s.text for s in rig.wechat_fake.to(OPENID + "resident")]
    assert sent[-5:] == [f"进展 {n}" for n in range(5)]
    replies = await talk.text("resident", "/grid")
    assert [r.text for r in replies[:3]] == [texts.WECHAT_HELD.format(n=2), "进展 5", "进展 6"]


async def test_closed_window_sends_a_template_message_when_one_is_configured(talk, point, rig):
    rig.wechat.transport.template_id = "TPL-progress"
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    rig.services.clock.advance(timedelta(hours=49))
    await talk.press("leader", f"sign:{code}")
    template = rig.wechat_fake.to(OPENID + "resident")[-1]
    assert template.kind == TEMPLATE and template.template_id == "TPL-progress"
    assert code in template.text and "签收" in template.text
    assert template.url == "https://grid.example.cn/wall"


async def test_subscribe_starts_onboarding_and_menu_clicks_are_commands(talk, rig):
    answer = await rig.official.event("o-newcomer", "subscribe")
    assert answer.reply["Content"].startswith(texts.PRIVACY_NOTICE)
    await scenarios.onboard_resident(talk, "resident")
    report = await talk._after("resident", await rig.official.event(OPENID + "resident", "CLICK",
                                                                    MENU_REPORT))
    assert report[0].text == texts.ASK_CATEGORY
    mine = await talk._after("resident", await rig.official.event(OPENID + "resident", "CLICK",
                                                                  MENU_MY))
    assert mine[-1].text == texts.MY_EMPTY


async def test_unsubscribe_and_location_reports_are_answered_and_kept_nowhere(talk, rig):
    await scenarios.onboard_resident(talk, "resident")
    before = await count(rig.services, InboundRow)
    located = await rig.official.send(OPENID + "resident", {
        "MsgType": "event", "Event": "LOCATION", "Latitude": 30.66, "Longitude": 104.06,
        "Precision": 65})
    gone = await rig.official.event(OPENID + "resident", "unsubscribe")
    assert (located.body, gone.body) == ("success", "success")
    assert await count(rig.services, InboundRow) == before      # no track, no trace


async def test_photo_is_downloaded_at_once_into_the_media_folder(talk, rig):
    await scenarios.onboard_rider(talk, "rider")
    rig.wechat_fake.fail_next(1, 40007)          # the media API lost it: the PicUrl still works
    await talk.photo("rider", scenarios.phone_photo())
    [stored] = list((rig.settings.media_dir / "wechat").iterdir())
    assert re.fullmatch(r"[0-9a-f]{64}\.jpg", stored.name)
    with Image.open(stored) as kept:             # kept without its EXIF (GPS)
        assert kept.size == (160, 120) and not kept.getexif() and "exif" not in kept.info


async def test_voice_transcript_is_taken_as_the_description(talk, point, rig):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    await talk._after("resident", await rig.official.voice(OPENID + "resident", "v1",
                                                           "楼道里堆满了杂物", 9_001))
    await talk.press("resident", "skip:")
    await talk.location("resident", 30.0, 104.0)
    summary = (await talk.text("resident", "跳过"))[-1]               # no phone left
    assert "描述：楼道里堆满了杂物" in summary.text


async def test_a_number_still_presses_its_choice_after_a_restart(talk, rig):
    await talk.text("resident", "/start")
    rig.wechat.choices._offered.clear()          # what a restart forgets
    role = await talk.press("resident", "consent:yes")
    assert role[-1].text == texts.ASK_ROLE


async def test_plain_mode_answers_in_plain_xml(plain):
    client, _ = plain
    answer = await client.text("o-plain", "/start", 5_001)
    assert answer.body.lstrip().startswith("<xml>") and "<Encrypt>" not in answer.body
    assert answer.reply["Content"].startswith(texts.PRIVACY_NOTICE)
    assert answer.reply["ToUserName"] == "o-plain"


async def test_menu_command_sets_report_my_orders_and_echo_wall(rig):
    menu = await set_menu(rig.settings)
    assert rig.wechat_fake.menus == [menu]
    buttons = menu["button"]
    assert [b["name"] for b in buttons] == ["我要报事", "我的工单", "回音壁"]
    assert buttons[2] == {"type": "view", "name": "回音壁", "url": "https://grid.example.cn/wall"}


async def test_an_expired_access_token_is_renewed_once(talk, rig):
    rig.wechat.budget = 0.0                      # so every reply goes through the API
    await talk.text("resident", "/start")
    rig.wechat_fake.expire_tokens()
    await talk.press("resident", "consent:yes")
    assert rig.wechat_fake.to(OPENID + "resident")[-1].text.startswith(texts.ASK_ROLE)
    assert rig.wechat_fake.calls["token"] == 2


async def test_a_photo_that_cannot_be_fetched_for_now_asks_wechat_to_retry(talk, rig):
    await scenarios.onboard_rider(talk, "rider")
    before = await count(rig.services, InboundRow)
    media = rig.wechat_fake.add_media(b"\xff\xd8later")
    rig.wechat_fake.fail_next(1, -1)              # 系统繁忙: the media API will serve it later
    busy = await rig.official.image(OPENID + "rider", media, "", 9_101)
    assert busy.status == 503                   # not "success": WeChat will deliver it again
    assert await count(rig.services, InboundRow) == before     # so it must not count as seen


async def test_a_photo_wechat_no_longer_has_is_answered_success_and_changes_nothing(talk, rig):
    await scenarios.onboard_rider(talk, "rider")
    before = await count(rig.services, InboundRow)
    lost = await rig.official.image(OPENID + "rider", "gone", rig.wechat_fake.pic_url("gone"),
                                    9_102)
    assert (lost.status, lost.body) == (200, "success")     # retrying could not help
    assert await count(rig.services, InboundRow) == before
