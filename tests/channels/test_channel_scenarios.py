"""The scenario suite through every channel: Telegram on both libraries, and the web chat."""
import httpx
import pytest
from sqlalchemy import select

from bot.services import build_chat
from storage.tables import OutboxRow
from tests import scenarios, scenarios_agenda
from tests.channels.talk_telegram import TelegramTalk
from tests.channels.talk_web import WebTalk
from tests.fakes.telegram_api import TelegramEmulator
from tests.handlers.conftest import bind_staff, point, services  # noqa: F401 — fixtures
from web.app import create_demo_app

POINTED = [scenarios.scenario_report_to_close, scenarios.scenario_rider_quick_path,
           scenarios.scenario_me_too, scenarios.scenario_return_and_redispatch,
           scenarios.scenario_escalation, scenarios.scenario_unauthorised_action_refused,
           scenarios.scenario_duplicate_delivery_makes_one_order,
           scenarios.scenario_back_at_every_step, scenarios.scenario_back_on_rider_quick_path,
           scenarios.scenario_three_photos_collected, scenarios.scenario_resolve_photo_then_note,
           scenarios.scenario_resolve_note_then_photo,
           scenarios.scenario_leader_receives_photos_and_pin,
           scenarios.scenario_contact_shared_then_viewed_by_the_holder_only]
# The web chat takes no voice notes (its page records none); Telegram does.
VOICED = [scenarios.scenario_voice_note_reaches_leader_as_audio]
POINTED += [scenarios.scenario_delete_then_my]
# 议事: a proposal to its rating, an order lifted, an opinion to the street.
POINTED += [scenarios_agenda.scenario_agenda_from_proposal_to_rating,
            scenarios_agenda.scenario_leader_lifts_an_order_into_an_item,
            scenarios_agenda.scenario_opinion_reaches_the_street_and_the_column]


@pytest.fixture(params=["ptb", "aiogram", "web"])
async def channel_talk(request, services, tmp_path):  # noqa: F811
    chat = await build_chat(services)
    if request.param == "web":
        app = create_demo_app(services, chat)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            talk = WebTalk(client, services)
            talk.chat = chat
            await bind_staff(services, talk)
            yield talk
        return
    async with TelegramEmulator() as tg:
        talk = TelegramTalk(tg, chat, services.uow, request.param, tmp_path / "media")
        await talk.start()
        try:
            await bind_staff(services, talk)
            yield talk
        finally:
            await talk.stop()


@pytest.mark.parametrize("scenario", POINTED, ids=lambda s: s.__name__.removeprefix("scenario_"))
async def test_scenario(channel_talk, point, scenario):  # noqa: F811
    await scenario(channel_talk, point)


async def test_example_from_home_grid(channel_talk):
    await scenarios.scenario_example_from_home_grid(channel_talk)


async def test_address_disambiguation(channel_talk):
    await scenarios.scenario_address_disambiguation(channel_talk)


@pytest.mark.parametrize("scenario", VOICED, ids=lambda s: s.__name__.removeprefix("scenario_"))
async def test_voiced_scenario(telegram_talk, point, scenario):  # noqa: F811
    """Voice notes come by Telegram (the web chat has no voice input, so no web case)."""
    await scenario(telegram_talk, point)


@pytest.fixture(params=["ptb", "aiogram"])
async def telegram_talk(request, services, tmp_path):  # noqa: F811
    chat = await build_chat(services)
    async with TelegramEmulator() as tg:
        talk = TelegramTalk(tg, chat, services.uow, request.param, tmp_path / "media")
        await talk.start()
        try:
            await bind_staff(services, talk)
            yield talk
        finally:
            await talk.stop()


async def test_telegram_leader_gets_the_album_and_a_venue_at_the_reported_spot(telegram_talk,
                                                                               point):  # noqa: F811
    talk = telegram_talk
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_with(talk, "resident", point, photos=2)
    leader = talk.ids["leader"]
    to_leader = [m for m in talk.tg.sent if m.chat_id == leader]
    album = [m for m in to_leader if m.method == "sendMediaGroup"]
    assert len(album) == 1 and len(album[0].media) == 2
    assert all(isinstance(photo, bytes) and photo[:2] == b"\xff\xd8" for photo in album[0].media)
    venue = [m for m in to_leader if m.method == "sendVenue"]
    assert [v.location for v in venue] == [(point[0], point[1], "锦江畔3号楼")]
    assert to_leader[-1].method == "sendMessage" and code in to_leader[-1].text


async def test_telegram_asks_for_the_phone_with_the_request_contact_button(telegram_talk, point):  # noqa: F811
    talk = telegram_talk
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    await talk.text("resident", "垃圾没人清运")
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    asked = [m for m in talk.tg.sent if m.chat_id == talk.ids["resident"]][-1]
    rows = asked.reply_markup["keyboard"]
    assert rows[0] == [{"text": "📱 发送我的手机号", "request_contact": True}]
    assert [row[0]["text"] for row in rows[1:]] == ["跳过", "返回上一步", "取消"]   # sent as text
    async with talk.uow() as uow:                # and the library took Telegram's answer
        rows = (await uow.session.execute(select(OutboxRow.payload, OutboxRow.sent_at))).all()
    assert [sent for payload, sent in rows if payload.get("ask_contact")] != []
    assert all(sent is not None for payload, sent in rows if payload.get("ask_contact"))


async def test_telegram_a_forwarded_contact_card_is_not_taken_as_the_reporters_number(
        telegram_talk, point):  # noqa: F811
    talk = telegram_talk
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    await talk.text("resident", "垃圾没人清运")
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    someone_else = talk._id("neighbour")
    answer = await talk._after("resident", talk.tg.user_shares_contact(
        talk._id("resident"), scenarios.PHONE, owner=someone_else))
    assert "本人" in answer[-1].text
    async with talk.uow() as uow:
        assert (await uow.people.by_channel(*talk.account("resident"))).phone is None


async def test_telegram_menus_each_kind_of_person_sees_its_own_commands(telegram_talk):
    """setMyCommands: residents the default menu at start; a rider's and a staff member's chat
    their own once onboarding or an invite makes them one (the leader is bound at fixture set-up)."""
    talk = telegram_talk
    menu = {scope: [c["command"] for c in commands] for scope, commands in talk.tg.commands.items()}
    assert menu["default"][:3] == ["report", "my", "grid"] and "nickname" not in menu["default"]
    assert {"opinion", "points"} <= set(menu["default"])          # 民意直报, 参与积分
    assert "todo" in menu[f"chat:{talk.ids['leader']}"]
    assert f"chat:{talk.ids.get('rider')}" not in menu
    await scenarios.onboard_rider(talk, "rider")
    rider = [c["command"] for c in talk.tg.commands[f"chat:{talk.ids['rider']}"]]
    assert {"points", "nickname"} <= set(rider) and "todo" not in rider
    await scenarios.onboard_resident(talk, "resident")
    assert f"chat:{talk.ids['resident']}" not in talk.tg.commands   # the default menu is theirs
