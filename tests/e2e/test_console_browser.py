"""The staff console in headless Chromium, for each staff role: sign in from the link /console
sends in chat, filter, open an order, act on it, and the reporter reads it in the web chat.

The demo server here knows its own address (as `gridbot demo` does), so the link in the chat
message is the one the browser opens. Screenshots of the list, an order page, the map and the
figures at 1280×800 and 390×844 are kept in docs/screenshots/.
"""
from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import time_machine
from playwright.async_api import Browser, BrowserContext, Page, expect

from bot.config import Settings
from bot.services import build_chat
from bot.web_server import DemoServer, demo_app
from handlers import texts
from tests import scenarios
from tests.channels.talk_web import WebTalk
from tests.e2e.conftest import Site
from web.demo_past import seed_past
from web.mailbox import WEB

pytestmark = pytest.mark.asyncio(loop_scope="module")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LINK = re.compile(r"https?://\S+/console/login\?t=[\w-]+")
STAFF = {"grid_leader": "P0005", "community": "P0002", "street": "P0001",
         "department": "P0089", "other_leader": "P0010"}
POINT = (0.0, 0.0)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def console_site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """The seeded demo with its past on a free port, its staff bound to web chat sessions
    `staff-<role>`."""
    folder = tmp_path_factory.mktemp("console")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    settings = Settings(database_url=f"sqlite:///{folder / 'demo.db'}",
                        media_dir=folder / "media", public_base_url=f"http://127.0.0.1:{port}")
    async with demo_app(settings) as app:
        services = app.state.services
        # A few weeks of history, as `gridbot demo` opens on: the map and figures show it.
        await seed_past(services.sessions, (await build_chat(services)).deps,
                        services.clock.now(), settings.media_dir)
        async with services.uow() as uow:
            for role, code in STAFF.items():
                person = await uow.people.by_staff_code(code)
                await uow.people.link(person.id, WEB, f"staff-{role}")
                person.consent_at = uow.clock.now()
                await uow.people.upsert(person)
            await uow.commit()
        server = DemoServer(app, "127.0.0.1", port, log_level="warning")
        serving = asyncio.create_task(server.serve(sockets=[listener]))
        try:
            yield Site(f"http://127.0.0.1:{port}", services, app.state.bell)
        finally:
            server.should_exit = True
            await serving
            listener.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def talk(console_site: Site, point_in_leader_grid) -> AsyncIterator[WebTalk]:
    """The web chat over HTTP."""
    global POINT
    POINT = point_in_leader_grid
    async with httpx.AsyncClient(base_url=console_site.url, timeout=30) as client:
        yield WebTalk(client, console_site.services)


@pytest.fixture(scope="session")
def point_in_leader_grid():
    from tests.web.conftest import point_in_leader_grid as point
    return point.__wrapped__()


async def chat_link(talk: WebTalk, session: str) -> str:
    said = await talk.text(session, "/console")
    found = LINK.search(said[-1].text)
    assert found, said[-1].text
    return found.group(0)


async def signed_in(browser: Browser, talk: WebTalk, session: str,
                    viewport: dict[str, int] | None = None) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(await chat_link(talk, session))
    await page.get_by_role("button", name=texts.CONSOLE_SIGN_IN).click()
    await expect(page.get_by_role("heading", name=texts.CONSOLE_ORDERS)).to_be_visible()
    return context, page


REPORTERS = iter(range(1, 1000))


async def file_one(talk: WebTalk) -> tuple[str, str]:
    """A new resident files a rubbish report at 锦江畔3号楼 (each their own: no me-too offer)."""
    user = f"resident-{next(REPORTERS)}"
    await scenarios.onboard_resident(talk, user)
    await talk.text(user, "/report")
    await talk.press(user, "cat:H01")
    await talk.text(user, "楼下垃圾三天没人清运了")
    await talk.press(user, "skip:")
    answer = (await talk.location(user, *POINT))[-1]
    if texts.METOO_NO in scenarios.labels(answer):
        answer = (await talk.press(user, scenarios.data_for(answer, texts.METOO_NO)))[-1]
    if scenarios.asks(answer, texts.ASK_PHONE):
        answer = (await talk.text(user, texts.SKIP))[-1]
    return user, scenarios.order_code(await talk.press(user, "confirm:"))


async def reporter_reads(talk: WebTalk, user: str, words: str) -> None:
    answer = await talk.client.get(f"/api/chat/{user}/messages", params={"after": 0, "wait": 0})
    assert any(words in m["text"] for m in answer.json()["messages"]), words


async def filter_to(page: Page, code: str) -> None:
    await page.locator("form.filters input[name=code]").fill(code)
    await page.locator("form.filters select[name=state]").select_option("dispatched")
    await page.get_by_role("button", name=texts.CONSOLE_FILTER).click()
    await expect(page.locator("table.orders tbody tr")).to_have_count(1)


async def press(page: Page, action: str, words: str = "") -> None:
    form = page.locator(f'form.act[data-action="{action}"]')
    if words:
        await form.locator("textarea").fill(words)
    await form.get_by_role("button", name=texts.CONSOLE_ACTION_LABELS[action]).click()
    await expect(page.locator(".notice")).to_contain_text(texts.CONSOLE_ACTION_LABELS[action])


async def test_the_leader_opens_the_console_from_the_demo_pane_in_one_click(
        browser: Browser, console_site: Site, talk: WebTalk):
    user, code = await file_one(talk)
    context = await browser.new_context(viewport={"width": 1600, "height": 900})
    page = await context.new_page()
    await page.goto(console_site.url + "/")
    async with context.expect_page() as opened:
        await page.locator("#pane-leader a.console-link").click()
    console = await opened.value
    await console.get_by_role("button", name=texts.CONSOLE_SIGN_IN).click()
    await expect(console.get_by_role("heading", name=texts.CONSOLE_ORDERS)).to_be_visible()
    await filter_to(console, code)
    await console.get_by_role("link", name=code).click()
    await press(console, "sign")
    await reporter_reads(talk, user, f"工单 {code} 已由")
    await context.close()


@pytest.mark.parametrize(("role", "action", "words", "told"), [
    ("grid_leader", "escalate", "需要社区协调", "已上报至"),
    ("community", "invalid", "重复上报", "不予受理"),
    ("street", "assign", "", "已派给"),
])
async def test_each_dispatching_role_signs_in_filters_opens_and_acts(
        browser: Browser, console_site: Site, talk: WebTalk, role: str, action: str,
        words: str, told: str):
    user, code = await file_one(talk)
    context, page = await signed_in(browser, talk, f"staff-{role}")
    await filter_to(page, code)
    await page.get_by_role("link", name=code).click()
    await expect(page.get_by_role("heading", name=code)).to_be_visible()
    if action == "assign":
        await page.locator('form.act[data-action="assign"] select').select_option(index=1)
    await press(page, action, words)
    await reporter_reads(talk, user, f"工单 {code} {told}" if action != "invalid"
                         else texts.NOTICE["invalidated"].format(code=code, reason=words))
    await context.close()


async def test_a_department_signs_for_what_was_whistled_to_it(
        browser: Browser, console_site: Site, talk: WebTalk):
    user, code = await file_one(talk)
    async with console_site.services.uow() as uow:
        department = await uow.people.by_staff_code(STAFF["department"])
    await talk.text("staff-street", "/todo")
    await talk.press("staff-street", f"to:{code}:@{department.id}")
    context, page = await signed_in(browser, talk, "staff-department")
    await filter_to(page, code)
    await page.get_by_role("link", name=code).click()
    await press(page, "sign")
    await reporter_reads(talk, user, f"工单 {code} 已由")
    await context.close()


async def test_a_link_used_twice_or_expired_is_refused(browser: Browser, talk: WebTalk):
    link = await chat_link(talk, "staff-community")
    first = await browser.new_context()
    page = await first.new_page()
    await page.goto(link)
    await page.get_by_role("button", name=texts.CONSOLE_SIGN_IN).click()
    await expect(page.get_by_role("heading", name=texts.CONSOLE_ORDERS)).to_be_visible()
    second = await browser.new_context()
    again = await second.new_page()
    await again.goto(link)
    await again.get_by_role("button", name=texts.CONSOLE_SIGN_IN).click()
    await expect(again.locator(".notice")).to_have_text(texts.CONSOLE_LINK_REFUSED)

    late = await chat_link(talk, "staff-community")
    await again.goto(late)
    with time_machine.travel(timedelta(minutes=11), tick=True):
        await again.get_by_role("button", name=texts.CONSOLE_SIGN_IN).click()
        await expect(again.locator(".notice")).to_have_text(texts.CONSOLE_LINK_REFUSED)
    await first.close()
    await second.close()


async def test_a_leader_cannot_open_another_grids_order_by_url(
        browser: Browser, console_site: Site, talk: WebTalk):
    _user, code = await file_one(talk)
    context, page = await signed_in(browser, talk, "staff-other_leader")
    answer = await page.goto(f"{console_site.url}/console/orders/{code}")
    assert answer is not None and answer.status == 404
    await expect(page.locator(".notice")).to_have_text(texts.CONSOLE_NOT_FOUND)
    await context.close()


async def test_no_request_leaves_the_server_and_screenshots_are_kept(
        browser: Browser, console_site: Site, talk: WebTalk):
    for _ in range(3):
        _user, code = await file_one(talk)
    requested: list[str] = []
    for width, height in ((1280, 800), (390, 844)):
        context, page = await signed_in(browser, talk, "staff-street",
                                        {"width": width, "height": height})
        page.on("request", lambda request: requested.append(request.url))
        await page.reload()
        await expect(page.locator("table.orders tbody tr").first).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=SCREENSHOTS / f"console-list-{width}x{height}.png")
        await page.get_by_role("link", name=code).click()
        await expect(page.get_by_role("heading", name=code)).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=SCREENSHOTS / f"console-order-{width}x{height}.png",
                              full_page=True)
        await page.get_by_role("link", name=texts.CONSOLE_MAP).click()
        await expect(page.locator("#map[data-ready='1']")).to_be_visible()
        await expect(page.locator("path.pin").first).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=SCREENSHOTS / f"console-map-{width}x{height}.png",
                              full_page=True)
        await page.get_by_role("link", name=texts.CONSOLE_FIGURES).click()
        await expect(page.locator("figure.chart img").first).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=SCREENSHOTS / f"console-figures-{width}x{height}.png",
                              full_page=True)
        await context.close()
    assert requested and all(url.startswith(console_site.url + "/") for url in requested), \
        [url for url in requested if not url.startswith(console_site.url)]
