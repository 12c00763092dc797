"""The pages in headless Chromium: a resident reports by taps and a map click, the leader signs."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from domain import invites
from tests.e2e.conftest import Site

pytestmark = pytest.mark.asyncio(loop_scope="module")   # the server and browser fixtures' loop
LEADER_BUILDING = "JJ-01-01-03"   # 锦江畔3号楼
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


async def press(pane: Locator, label: str) -> None:
    """Press a choice under the newest bot message of a pane."""
    await pane.locator(".msg.bot").last.get_by_role("button", name=label, exact=True).click()


async def bot_says(pane: Locator, text: str | re.Pattern) -> None:
    await expect(pane.locator(".msg.bot").last).to_contain_text(text)


async def resident_reports_by_taps(page: Page) -> str:
    resident = page.locator("#pane-resident")
    await bot_says(resident, "欢迎使用网格通")
    await press(resident, "同意并继续")
    await bot_says(resident, "请选择您的身份")
    await press(resident, "居民")
    await bot_says(resident, "请输入您的小区和楼栋")
    await press(resident, "跳过")
    await bot_says(resident, "需要做什么")
    await press(resident, "我要报事")
    await bot_says(resident, "请选择问题类别")
    await press(resident, "垃圾清运")
    await bot_says(resident, "请简单描述问题")
    await resident.get_by_placeholder("输入消息…").fill("3号楼门口垃圾桶满了，两天没人清运")
    await resident.get_by_role("button", name="发送", exact=True).click()
    await bot_says(resident, "可以发送照片")
    await press(resident, "跳过")
    await bot_says(resident, "请发送位置")

    await resident.get_by_role("button", name="在地图上选择位置").click()
    await expect(page.locator("#map .map-banner")).to_be_visible()
    await page.locator(f'#map circle[data-code="{LEADER_BUILDING}"]').click()
    await bot_says(resident, "留个电话方便网格长联系")
    await press(resident, "跳过")
    await bot_says(resident, "地点：锦江畔3号楼")
    await press(resident, "确认提交")
    await bot_says(resident, re.compile(r"已提交工单 WG-\d{8}-\d{4}"))
    filed = await resident.locator(".msg.bot").last.inner_text()
    return re.search(r"WG-\d{8}-\d{4}", filed).group()


async def test_resident_reports_on_the_map_and_the_leader_signs_for_it(
        browser: Browser, demo_server: Site, artifacts: Path):
    page = await browser.new_page(viewport={"width": 1600, "height": 900})
    await page.goto(demo_server.url + "/")
    await expect(page.locator(f'#map path[data-code="{LEADER_BUILDING}"]')).to_be_attached()

    code = await resident_reports_by_taps(page)

    leader = page.locator("#pane-leader")
    new_order = leader.locator(".msg.bot", has_text=code)
    await expect(new_order).to_contain_text("新工单")
    await expect(new_order.locator("svg.icon-clipboard")).to_be_visible()   # the bot's 📋
    await expect(new_order.get_by_role("button")).to_have_text(["签收", "退回", "上报"])
    await expect(new_order.locator("a.pin")).to_contain_text("锦江畔3号楼")   # the reported spot
    await new_order.get_by_role("button", name="签收").click()
    await expect(leader.locator(".msg.bot", has_text=f"已签收 {code}")).to_be_visible()
    resident = page.locator("#pane-resident")
    await expect(resident.locator(".msg.bot", has_text=f"工单 {code} 已由")).to_contain_text("签收")

    await page.screenshot(path=artifacts / "demo-wide.png", full_page=True)
    for width, height in ((1280, 800), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        await expect(resident).to_be_visible()
        await page.locator("#map").scroll_into_view_if_needed()
        await page.screenshot(path=artifacts / f"demo-{width}x{height}.png")
        await page.evaluate("window.scrollTo(0, 0)")   # the docs' pictures: the first screen
        await page.screenshot(path=SCREENSHOTS / f"demo-{width}x{height}.png")
        await the_map_reads_well(page, width)
        assert await emoji_left_as_text(page) == [], "an emoji would need a font the page lacks"


async def the_map_reads_well(page: Page, width: int) -> None:
    """Every shown map label is at least 12 px high and none overlaps another; the demo's
    building is named on the map, so it is found without hovering."""
    boxes = await page.eval_on_selector_all(
        "#map text.label", """labels => labels.filter(l => l.style.display !== "none")
            .map(l => { const r = l.getBoundingClientRect();
                        return {name: l.textContent, x: r.x, y: r.y, w: r.width, h: r.height}; })""")
    assert "锦江畔3号楼" in {box["name"] for box in boxes}, (width, boxes)
    assert len(boxes) >= 8, (width, boxes)   # the communities' and most grids' names
    inside = await page.locator("#map .map-body").bounding_box()
    assert all(inside["x"] <= box["x"] and box["x"] + box["w"] <= inside["x"] + inside["width"]
               for box in boxes), (width, boxes)
    assert all(box["h"] >= 12 for box in boxes), (width, boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                     or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])
            assert apart, (width, a, b)


async def emoji_left_as_text(page: Page) -> list[str]:
    """Characters of the page's text that only an emoji font could draw."""
    return await page.evaluate(
        r"""() => [...document.body.innerText.matchAll(/\p{Extended_Pictographic}/gu)]
                  .map(m => m[0])""")


async def test_an_invite_link_opens_the_chat_and_binds_the_staff_member(
        browser: Browser, demo_server: Site, artifacts: Path):
    code = invites.new_code()
    async with demo_server.services.uow() as uow:
        now = uow.clock.now()
        key = demo_server.services.settings.invite_key
        uow.invites.add(invites.Invite(invites.hash_code(code, key), LEADER_BUILDING, "member", now,
                                       now + timedelta(hours=72)))
        await uow.commit()

    page = await browser.new_page(viewport={"width": 420, "height": 860})
    await page.goto(f"{demo_server.url}/chat?start=inv_{code}&name=萧飞伟")

    await bot_says(page.locator("#pane"), "绑定成功：您现在是「锦江畔3号楼」的网格员")
    await page.screenshot(path=artifacts / "chat.png")
    # Opening the link again sends the same message id: it is handled once, not refused as used.
    await page.reload()
    pane = page.locator("#pane")
    await bot_says(pane, "绑定成功")
    await pane.get_by_placeholder("输入消息…").fill("/cancel")
    await pane.get_by_role("button", name="发送", exact=True).click()
    await bot_says(pane, "当前没有进行中的操作")
    await expect(pane.locator(".msg.bot .bubble")).to_have_text(
        [re.compile("^绑定成功"), "当前没有进行中的操作。"])
