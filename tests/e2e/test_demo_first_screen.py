"""Issue 18, items 8 and 9 in Chromium, on a laptop (1280×800) and a phone (390×844): what is in
sight without scrolling, the pin banner, a photo above the rating buttons, a reload."""
from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from handlers import texts
from storage.records import OutboxMessage
from tests.e2e.conftest import Site
from tests.e2e.test_demo_page import bot_says, emoji_left_as_text, press
from web.photos import store_photo

pytestmark = pytest.mark.asyncio(loop_scope="module")
LAPTOP, PHONE = (1280, 800), (390, 844)
SCREENS = [pytest.param(LAPTOP, id="1280x800"), pytest.param(PHONE, id="390x844")]


@pytest_asyncio.fixture(loop_scope="module")
async def opened(browser: Browser, demo_server: Site, request) -> AsyncIterator[Page]:
    """The demo page in a fresh browser profile at the screen size of the test's parameter."""
    width, height = request.node.callspec.params["screen"]
    phone = (width, height) == PHONE
    context: BrowserContext = await browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone)
    page = await context.new_page()
    await page.goto(demo_server.url + "/")
    await expect(page.locator("body[data-ready=yes]")).to_be_attached()
    try:
        yield page
    finally:
        await context.close()


async def owe(site: Site, session: str, payload: dict) -> None:
    """A bot message to a pane, as a handler would leave it in the outbox."""
    async with site.services.uow() as uow:
        await uow.outbox.add_all([OutboxMessage("web", session, payload)])
        await uow.commit()
    site.bell.ring()


async def in_sight(locator: Locator) -> None:
    await expect(locator).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("screen", SCREENS)
async def test_the_guide_is_hidden_on_a_laptop_no_more_guide_first_button_and_text_box_in_sight(
        opened: Page, screen):
    resident = opened.locator("#pane-resident")
    await bot_says(resident, "欢迎使用网格通")

    await in_sight(opened.locator(".guide"))
    await in_sight(resident.get_by_role("button", name="同意并继续"))
    await in_sight(resident.get_by_placeholder("输入消息…"))
    assert await opened.evaluate("window.scrollY") == 0
    # 悬停 where there is a mouse, 点按 where there is a finger.
    hint = opened.locator("#map header small")
    await expect(hint).to_have_text("点按网格可看名称与网格长" if screen == PHONE
                                    else "悬停网格可看名称与网格长", use_inner_text=True)


@pytest.mark.parametrize("screen", SCREENS)
async def test_the_pin_banner_is_in_sight_when_armed(opened: Page, screen):
    await opened.locator("#pane-resident").get_by_role("button", name="在地图上选择位置").click()

    await in_sight(opened.locator("#map .map-banner"))
    await opened.locator("#map .map-cancel").click()


@pytest.mark.parametrize("screen", [pytest.param(PHONE, id="390x844")])
async def test_on_a_phone_a_pane_out_of_sight_says_an_order_arrived(
        opened: Page, demo_server: Site, screen):
    leader = opened.locator("#pane-leader")
    await expect(leader).not_to_be_in_viewport()

    await owe(demo_server, "leader-demo", {"text": "📋 新工单 WG-20261207-0099（测试）"})

    notice = opened.locator(".arrived")
    await expect(notice).to_have_text("网格长 收到新消息 ↓")
    await notice.click()
    await expect(leader.locator(".msg.bot").last).to_be_in_viewport()
    await expect(notice).to_be_hidden()


@pytest.mark.parametrize("screen", SCREENS)
async def test_a_photo_leaves_the_rating_buttons_in_sight_and_no_emoji_needs_a_font(
        opened: Page, demo_server: Site, screen):
    picture = io.BytesIO()
    Image.new("RGB", (900, 1200), (90, 140, 200)).save(picture, "JPEG")
    photo = store_photo(picture.getvalue(), demo_server.services.settings.media_dir)
    resident = opened.locator("#pane-resident")
    await resident.scroll_into_view_if_needed()

    await owe(demo_server, "resident-demo", {
        "text": "工单 WG-20261207-0098 已办结。\n" + texts.CONTACT_LEFT, "photo": str(photo),
        "choices": [[texts.SOLVED_YES, "solved:y"], [texts.SOLVED_NO, "solved:n"]]})

    last = resident.locator(".msg.bot").last
    await expect(last.locator("img.photo")).to_be_visible()
    await opened.wait_for_function(   # the photo has its height: the log scrolled after it
        "() => [...document.querySelectorAll('#pane-resident img.photo')].every(i => i.complete)")
    log_box = await resident.locator(".log").bounding_box()
    for label in (texts.SOLVED_YES, texts.SOLVED_NO):
        await expect(last.get_by_role("button", name=label)).to_be_in_viewport()
        box = await last.get_by_role("button", name=label).bounding_box()
        assert log_box["y"] <= box["y"] and box["y"] + box["height"] <= log_box["y"] + log_box["height"]
    await expect(last.locator("svg.icon-phone")).to_be_visible()   # 📞, drawn by the page
    assert await emoji_left_as_text(opened) == []


@pytest.mark.parametrize("screen", [pytest.param(LAPTOP, id="1280x800")])
async def test_a_reload_keeps_the_persons_own_bubbles_and_pressed_buttons(opened: Page, screen):
    resident = opened.locator("#pane-resident")
    welcomes = resident.locator(".msg.bot", has_text="欢迎使用网格通")
    await expect(resident.locator(".msg.bot").first).to_be_attached()   # the history is in
    shown = await welcomes.count()
    await resident.get_by_placeholder("输入消息…").fill("/start")
    await resident.get_by_role("button", name="发送", exact=True).click()
    await expect(welcomes).to_have_count(shown + 1)
    await press(resident, "同意并继续")
    await bot_says(resident, "请选择您的身份")
    said = await resident.locator(".msg.me .bubble").all_inner_texts()
    assert said[-2:] == ["/start", "同意并继续"]

    await opened.reload()
    await bot_says(resident, "请选择您的身份")

    await expect(resident.locator(".msg.me .bubble")).to_have_text(said)
    # Mine stay where they were said: right after the bot's message they answered.
    welcome = resident.locator(".msg.bot", has_text="欢迎使用网格通").last
    await expect(welcome.locator("xpath=following-sibling::div[1]")).to_have_text("同意并继续")
    await expect(welcome.get_by_role("button", name="同意并继续")).to_have_class("chosen")
    await welcome.get_by_role("button", name="同意并继续").click()   # pressed before the reload
    await expect(resident.locator(".note").last).to_contain_text("这个按钮已经按过了")


@pytest.mark.parametrize("screen", [pytest.param(LAPTOP, id="1280x800")])
async def test_a_place_link_sits_on_a_line_of_its_own(opened: Page, demo_server: Site, screen):
    await owe(demo_server, "dispatcher-demo", {"text": "📋 W97",
                                               "location": [30.6601, 104.0833, "锦江畔3号楼"]})

    bubble = opened.locator("#pane-dispatcher .msg.bot .bubble", has_text="W97")
    link = bubble.locator("a.pin")
    await expect(link).to_contain_text("锦江畔3号楼")
    text_box, link_box = await bubble.bounding_box(), await link.bounding_box()
    line = 14 * 1.5   # the bubble's font size × line height
    assert link_box["y"] - text_box["y"] > line, "the link starts its own line, not after the text"
    assert link_box["x"] - text_box["x"] < 16
