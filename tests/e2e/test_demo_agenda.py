"""The demo in Chromium: the resident finds the seeded 议题 in 商议 and supports it and comments,
by taps and one sentence, as a newcomer would."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from handlers import texts
from tests.e2e.conftest import Site
from tests.e2e.test_demo_page import bot_says, emoji_left_as_text, press
from web.demo_seed import DEMO_SUPPORTS

pytestmark = pytest.mark.asyncio(loop_scope="module")   # the server and browser fixtures' loop


async def test_the_resident_supports_the_seeded_item_and_comments(
        browser: Browser, demo_server: Site, artifacts: Path):
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(demo_server.url + "/")
    resident = page.locator("#pane-resident")
    box, send = resident.get_by_placeholder("输入消息…"), resident.get_by_role(
        "button", name="发送", exact=True)
    await bot_says(resident, "欢迎使用网格通")
    await press(resident, texts.CONSENT_YES)
    await bot_says(resident, "请选择您的身份")
    await press(resident, texts.ROLE_RESIDENT)
    await bot_says(resident, "请输入您的小区和楼栋")
    await box.fill("锦江畔3号楼")
    await send.click()
    await bot_says(resident, "找到以下地点")
    await press(resident, "锦江畔3号楼")
    await bot_says(resident, "需要做什么")
    await press(resident, texts.MENU_AGENDA)
    await bot_says(resident, texts.DEMO_AGENDA_TITLE)
    await resident.locator(".msg.bot").last.get_by_role(
        "button", name=re.compile(r"^YT-\d{8}-\d{4}$")).click()
    await bot_says(resident, f"支持：{DEMO_SUPPORTS}/10 人")
    await press(resident, texts.AGENDA_SUPPORT)
    await bot_says(resident, f"目前 {DEMO_SUPPORTS + 1} 人支持")
    await press(resident, texts.AGENDA_COMMENT)
    await bot_says(resident, "请写下您对议题")
    await box.fill("支持，最好再装个遮雨棚")
    await send.click()
    await bot_says(resident, texts.AGENDA_COMMENTED_DONE)
    await press(resident, texts.AGENDA_VIEW)
    await bot_says(resident, "遮雨棚")
    await expect(resident.locator(".msg.bot").last).to_contain_text(
        f"支持：{DEMO_SUPPORTS + 1}/10 人")
    assert await emoji_left_as_text(page) == [], "an emoji would need a font the page lacks"
    await page.screenshot(path=artifacts / "demo-agenda.png")
