"""The console's map and figures in headless Chromium, for a grid leader and the street's
dispatcher: the map draws the grids and the pins of their own orders only, a click on a grid
opens the list filtered to it, the figures show charts and tables, and the pages run without
a refused script, style or request (their Content-Security-Policy holds)."""
from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from handlers import texts
from tests.channels.talk_web import WebTalk
from tests.e2e.conftest import Site
from tests.e2e.test_console_browser import (  # noqa: F401 — fixtures
    console_site,
    file_one,
    point_in_leader_grid,
    signed_in,
    talk,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
LEADERS_GRID, OTHER_GRID = "JJ-01-01", "JJ-02-01"


def complaints(page: Page) -> list[str]:
    """Console errors and failed loads the page will collect: a CSP refusal shows here."""
    heard: list[str] = []
    page.on("console", lambda m: heard.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: heard.append(str(error)))
    page.on("requestfailed", lambda request: heard.append(f"failed: {request.url}"))
    return heard


async def open_map(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/console/map")
    await expect(page.locator("#map[data-ready='1']")).to_be_visible()


async def test_a_leaders_map_shows_their_grid_and_their_orders_only(
        browser: Browser, console_site: Site, talk: WebTalk):  # noqa: F811
    _user, code = await file_one(talk)
    context, page = await signed_in(browser, talk, "staff-grid_leader")
    heard = complaints(page)
    await page.get_by_role("link", name=texts.CONSOLE_MAP).click()
    await expect(page.locator("#map[data-ready='1']")).to_be_visible()
    cells = page.locator("path.cell")
    await expect(cells).to_have_count(1)
    assert "cell-" + LEADERS_GRID in (await cells.first.get_attribute("class") or "")
    assert await page.locator("path.pin").count() >= 1
    data = await page.locator("#map-data").text_content() or ""
    assert code in data and OTHER_GRID not in data
    assert heard == []
    await context.close()


async def test_a_click_on_a_grid_opens_the_list_filtered_to_it(
        browser: Browser, console_site: Site, talk: WebTalk):  # noqa: F811
    context, page = await signed_in(browser, talk, "staff-street")
    heard = complaints(page)
    await open_map(page, console_site)
    assert await page.locator("path.cell").count() >= 10
    await page.locator(f"path.cell-{OTHER_GRID}").click(force=True)
    await expect(page).to_have_url(f"{console_site.url}/console?grid={OTHER_GRID}")
    await expect(page.get_by_role("heading", name=texts.CONSOLE_ORDERS)).to_be_visible()
    await expect(page.locator("form.filters select[name=grid]")).to_have_value(OTHER_GRID)
    assert heard == []
    await context.close()


@pytest.mark.parametrize("who", ["staff-grid_leader", "staff-street"])
async def test_figures_show_charts_and_tables_of_the_persons_units(
        browser: Browser, console_site: Site, talk: WebTalk, who: str):  # noqa: F811
    context, page = await signed_in(browser, talk, who)
    heard = complaints(page)
    await page.get_by_role("link", name=texts.CONSOLE_FIGURES).click()
    await expect(page.get_by_role("heading", name=texts.CONSOLE_FIGURES, exact=True)
                 ).to_be_visible()
    await page.locator("select[name=period]").select_option("4w")
    await page.get_by_role("button", name=texts.CONSOLE_FILTER).click()
    charts = page.locator("figure.chart img")
    # The leader's grid has no history in the demo: nothing to rank, a notice says so.
    assert await charts.count() >= (2 if who == "staff-grid_leader" else 3)
    for n in range(await charts.count()):
        assert await charts.nth(n).evaluate("img => img.complete && img.naturalWidth > 300")
    table = page.locator("table.figures").first
    for words in texts.CONSOLE_FIGURE_NAMES.values():
        await expect(table.get_by_role("columnheader", name=words, exact=True)).to_have_count(1)
    first_column = await table.locator("tbody tr td:first-child").all_text_contents()
    if who == "staff-grid_leader":
        assert first_column[0] == "锦江畔小区" and not any("月亮湾" in t for t in first_column)
    else:
        assert first_column[0] == "锦江街道" and any("月亮湾" in t for t in first_column)
    assert heard == []
    await context.close()
