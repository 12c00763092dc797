"""The scenario suite through every channel: Telegram on both libraries, and the web chat."""
import httpx
import pytest

from bot.services import build_chat
from tests import scenarios
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
           scenarios.scenario_resolve_note_then_photo]
POINTED += [scenarios.scenario_delete_then_my]


@pytest.fixture(params=["ptb", "aiogram", "web"])
async def channel_talk(request, services, tmp_path):  # noqa: F811
    chat = await build_chat(services)
    if request.param == "web":
        app = create_demo_app(services, chat)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            talk = WebTalk(client)
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


async def test_unstaffed_order_reaches_the_operator(channel_talk, services, point):  # noqa: F811
    await scenarios.leave_chain_unstaffed(services, channel_talk.chat.deps)
    await scenarios.scenario_unstaffed_order_reaches_the_operator(channel_talk, point)
