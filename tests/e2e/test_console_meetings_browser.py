"""The console's 议题 and 联席会议 pages in headless Chromium: a community secretary signs in from
the chat link, reads the 议题 that reached 江畔社区, schedules and holds its joint meeting,
records who came, the minutes and a decision with an owner, a deadline and tasks, and the
item's page tells the decision. Nothing is fetched from anywhere but the server; screenshots of
the 议题 list, an item and a meeting at 1280×800 and 390×844 are kept in docs/screenshots/.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from bot.services import build_chat
from handlers import agenda, texts
from tests import scenarios
from tests.channels.talk_web import WebTalk
from tests.e2e.conftest import Site
from tests.e2e.test_console_browser import (  # noqa: F401 — fixtures
    SCREENSHOTS,
    STAFF,
    console_site,
    point_in_leader_grid,
    signed_in,
    talk,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
SIZES = ((1280, 800), (390, 844))


async def seeded(site: Site, talk: WebTalk) -> dict[str, str]:  # noqa: F811
    """What reached 江畔社区: a grid's item moved up with a resident's comment, the secretary's
    own item on the agenda, one decided earlier and 40 % done, and one still in 商议."""
    await scenarios.onboard_resident_at(talk, "neighbour", "锦江畔3号楼")
    services = site.services
    tree = (await build_chat(services)).deps.router.tree
    async with services.uow() as uow:
        staff = {role: (await uow.people.by_staff_code(code)).id for role, code in STAFF.items()}
        resident = (await uow.people.by_channel("web", "neighbour")).id
        now = uow.clock.now()
        grid, secretary = staff["grid_leader"], staff["community"]
        lifted, _ = await agenda.raise_item(uow, tree, grid, "JJ-01-01", "小区门口加装充电桩",
                                            "电动车飞线充电，存在火灾隐患", now)
        await agenda.comment(uow, tree, resident, lifted.code, "楼下天天有人飞线充电，支持", now)
        await agenda.move_up(uow, tree, grid, lifted.code, "需社区协调场地和供电", now)
        own, _ = await agenda.raise_item(uow, tree, secretary, "JJ-01", "楼道堆物集中清理",
                                         "多个楼栋楼道堆物，影响消防通道", now)
        await agenda.convene(uow, tree, secretary, own.code, now)
        done, _ = await agenda.raise_item(uow, tree, secretary, "JJ-01", "老旧路灯更换",
                                          "江畔路北段路灯常年不亮", now)
        await agenda.convene(uow, tree, secretary, done.code, now)
        await agenda.decide(uow, tree, secretary, done.code, "社区协调城管更换路灯", grid,
                            now + timedelta(days=45), ("摸排", "更换", "验收"), now)
        await agenda.finish_task(uow, grid, done.code, 0, now)
        await agenda.report_progress(uow, grid, done.code, 40, "已摸排 12 盏", now)
        talking, _ = await agenda.raise_item(uow, tree, grid, "JJ-01-01", "增设快递柜",
                                             "快递常放门口丢失", now)
        await uow.commit()
    return {"lifted": lifted.code, "own": own.code, "done": done.code, "open": talking.code}


def fits(page: Page, width: int):
    return page.evaluate(f"document.documentElement.scrollWidth <= {width}")


async def form_of(page: Page, action: str, item: str = ""):
    where = f'form.act[data-action="{action}"]' + (f'[data-item="{item}"]' if item else "")
    return page.locator(where)


async def press(page: Page, action: str, item: str = "") -> None:
    form = await form_of(page, action, item)
    await form.get_by_role("button", name=texts.CONSOLE_MEETING_ACTIONS[action]).click()
    await expect(page.locator(".notice")).to_contain_text(texts.CONSOLE_MEETING_ACTIONS[action])


async def test_a_community_secretary_holds_the_meeting_and_records_a_decision(
        browser: Browser, console_site: Site, talk: WebTalk):  # noqa: F811
    codes = await seeded(console_site, talk)
    requested: list[str] = []
    context, page = await signed_in(browser, talk, "staff-community")
    page.on("request", lambda request: requested.append(request.url))

    await page.locator("header nav.pages").get_by_role(
        "link", name=texts.CONSOLE_AGENDA_PAGE).click()
    await expect(page.get_by_role("heading", name=texts.CONSOLE_AGENDA)).to_be_visible()
    for code in codes.values():
        await expect(page.locator(f'tr[data-code="{code}"]')).to_be_visible()
    await page.get_by_role("link", name=codes["lifted"]).click()
    await expect(page.get_by_text("楼下天天有人飞线充电，支持")).to_be_visible()
    await expect(page.get_by_text("需社区协调场地和供电")).to_be_visible()

    await page.locator("header nav.pages").get_by_role(
        "link", name=texts.CONSOLE_MEETINGS_PAGE).click()
    schedule = page.locator('form[data-action="schedule"]')
    await schedule.locator("select[name=unit]").select_option("JJ-01")
    await schedule.locator("input[name=at]").fill("2030-01-15T09:00")
    await schedule.get_by_role("button", name=texts.CONSOLE_MEETING_SCHEDULE).click()
    await expect(page.locator(".notice")).to_contain_text(texts.CONSOLE_MEETING_SCHEDULE)
    await expect(page.locator(f'li[data-item="{codes["lifted"]}"]')).to_be_visible()
    await expect(page.locator(f'li[data-item="{codes["open"]}"]')).to_have_count(0)
    meeting = page.url.split("?")[0]

    await press(page, "convene")
    attend = await form_of(page, "attend")
    for box in await attend.locator("input[name=attendees]").all():
        await box.check()
    await press(page, "attend")
    await expect(page.locator("p.attendees")).to_contain_text("杨玉丽")
    minutes = await form_of(page, "minutes")
    await minutes.locator("textarea").fill("一、充电桩：社区协调物业选址，供电公司配合。\n"
                                           "二、楼道堆物：下次会议复议。")
    await press(page, "minutes")
    decide = await form_of(page, "decide", codes["lifted"])
    await decide.locator("textarea[name=decision]").fill("社区协调物业在小区门口加装充电桩")
    await decide.locator("select[name=owner]").select_option(label="杨玉丽")
    await decide.locator("input[name=deadline]").fill("2030-03-31")
    await decide.locator("textarea[name=tasks]").fill("选址\n施工\n验收")
    await press(page, "decide", codes["lifted"])
    decided = page.locator(f'li[data-item="{codes["lifted"]}"]')
    await expect(decided).to_contain_text(texts.MEETING_OUTCOME_LABELS["decided"])
    await expect(decided).to_contain_text("社区协调物业在小区门口加装充电桩")

    await page.goto(f"{console_site.url}/console/agenda/{codes['lifted']}")
    await expect(page.get_by_text("社区协调物业在小区门口加装充电桩").first).to_be_visible()
    await expect(page.locator("ul.tasks li")).to_have_count(3)
    await context.close()

    for width, height in SIZES:
        context, page = await signed_in(browser, talk, "staff-community",
                                        {"width": width, "height": height})
        page.on("request", lambda request: requested.append(request.url))
        for path, name in (("/console/agenda", "agenda"),
                           (f"/console/agenda/{codes['done']}", "agenda-item"),
                           (meeting.removeprefix(console_site.url), "meeting")):
            await page.goto(console_site.url + path)
            await expect(page.locator("h1")).to_be_visible()
            assert await fits(page, width), (path, width)
            await page.screenshot(path=SCREENSHOTS / f"console-{name}-{width}x{height}.png",
                                  full_page=name != "agenda")
        await context.close()
    assert requested and all(url.startswith(console_site.url + "/") for url in requested), \
        [url for url in requested if not url.startswith(console_site.url)]
