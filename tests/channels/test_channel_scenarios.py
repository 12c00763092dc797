"""The scenario suite through every channel: Telegram on both libraries, and the web chat."""
import httpx
import pytest

from bot.services import build_chat
from tests import scenarios
from tests.channels.talk_telegram import TelegramTalk
from tests.channels.talk_web import WebTalk
from tests.fakes.telegram_api import TelegramEmulator
from tests.handlers.conftest import bind_staff, point, services  # noqa: F401 — fixtures
from web.app import create_app

POINTED = [scenarios.scenario_report_to_close, scenarios.scenario_rider_quick_path,
           scenarios.scenario_me_too, scenarios.scenario_return_and_redispatch,
           scenarios.scenario_escalation, scenarios.scenario_unauthorised_action_refused,
           scenarios.scenario_duplicate_delivery_makes_one_order,
           scenarios.scenario_leader_receives_photos_and_pin,
           scenarios.scenario_contact_shared_then_viewed_by_the_holder_only]
# The web chat takes no voice notes (its page records none); Telegram does.
VOICED = [scenarios.scenario_voice_note_reaches_leader_as_audio]


@pytest.fixture(params=["ptb", "aiogram", "web"])
async def channel_talk(request, services, tmp_path):  # noqa: F811
    chat = await build_chat(services)
    if request.param == "web":
        app = create_app(services, chat)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            talk = WebTalk(client, services)
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


async def test_address_disambiguation(channel_talk):
    await scenarios.scenario_address_disambiguation(channel_talk)


@pytest.mark.parametrize("scenario", VOICED, ids=lambda s: s.__name__.removeprefix("scenario_"))
async def test_voiced_scenario(channel_talk, point, scenario):  # noqa: F811
    if isinstance(channel_talk, WebTalk):
        pytest.skip("the web chat records no voice notes")
    await scenario(channel_talk, point)
