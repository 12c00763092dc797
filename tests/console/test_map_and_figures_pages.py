"""The map and figures pages as a browser receives them: signed in or not, each person's own
orders only, the words of the catalogue, and headers that let nothing load from elsewhere."""
from __future__ import annotations

import base64
import json
import re

from handlers import texts
from tests.console.conftest import Console
from web.console.map_page import json_block


def map_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page)
    assert found, page[-500:]
    return json.loads(found.group(1))


async def test_both_pages_want_a_session(console_app: Console):
    anonymous = console_app.browser()
    for path in ("/console/map", "/console/figures"):
        answer = await anonymous.get(path)
        assert answer.status_code == 401 and texts.CONSOLE_NEED_SIGN_IN in answer.text


async def test_the_map_carries_the_viewers_orders_and_no_other_grids(console_app: Console,
                                                                     point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    leader = await console_app.sign_in("grid_leader")
    answer = await leader.get("/console/map")
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "http" not in policy
    data = map_data(answer.text)
    assert [p["code"] for p in data["pins"]] == [code]
    assert [f["properties"]["code"] for f in data["cells"]["features"]] == ["JJ-01-01"]
    assert data["cells"]["features"][0]["properties"]["href"] == "/console?grid=JJ-01-01"
    assert data["words"]["layers"] == texts.CONSOLE_MAP_LAYERS
    assert '<a href="/console/map" aria-current="page">' in answer.text
    for script in re.findall(r'<script src="([^"]+)"', answer.text):
        assert script.startswith("/static/")
        assert (await leader.get(script)).status_code == 200

    other = await console_app.sign_in("other_leader")
    theirs = map_data((await other.get("/console/map")).text)
    assert theirs["pins"] == [] and code not in json.dumps(theirs)
    assert [f["properties"]["code"] for f in theirs["cells"]["features"]] == ["JJ-02-01"]


async def test_the_heat_period_is_chosen_and_anything_else_means_four_weeks(
        console_app: Console, point_in_leader_grid):
    await console_app.file_rubbish(point_in_leader_grid)
    street = await console_app.sign_in("street")
    for asked, shown in (("1", "1"), ("12", "12"), ("999", "4"), ("", "4")):
        page = (await street.get("/console/map", params={"weeks": asked})).text
        assert f'<option value="{shown}" selected>' in page, asked
        assert map_data(page)["heat"], asked


async def test_the_figures_page_shows_every_rate_as_tables_and_charts(console_app: Console,
                                                                      point_in_leader_grid):
    await console_app.file_rubbish(point_in_leader_grid)
    community = await console_app.sign_in("community")
    answer = await community.get("/console/figures", params={"period": "this_week"})
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "img-src 'self' data:" in policy and "script-src" not in policy
    page = answer.text
    for words in texts.CONSOLE_FIGURE_NAMES.values():
        assert f"<th scope=\"col\">{words}</th>" in page, words
    assert '<option value="this_week" selected>' in page
    charts = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(charts) >= 2
    assert all(base64.b64decode(c).startswith(b"<?xml") for c in charts)
    assert "<script" not in page
    assert ">江畔社区</a>" in page and "月湾社区" not in page   # their community only
    odd = await community.get("/console/figures", params={"period": "<b>"})
    assert odd.status_code == 200 and '<option value="last_week" selected>' in odd.text


async def test_a_department_sees_no_grid_figures_but_its_red_list(console_app: Console):
    department = await console_app.sign_in("department")
    page = (await department.get("/console/figures")).text
    assert texts.CONSOLE_FIGURES_NO_GRIDS in page
    assert texts.CONSOLE_FIGURES_RED_LIST in page


async def test_the_pages_link_to_each_other(console_app: Console):
    street = await console_app.sign_in("street")
    for path in ("/console", "/console/map", "/console/figures"):
        page = (await street.get(path)).text
        links = re.findall(r'<nav class="pages"[^>]*>(.*?)</nav>', page)[0]
        assert {"/console", "/console/map", "/console/figures"} <= set(
            re.findall(r'href="([^"]+)"', links))
        assert f'href="{path}" aria-current="page"' in links


def test_the_maps_data_block_cannot_be_closed_by_what_it_carries():
    block = json_block({"place": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block) == {"place": "</script><script>alert(1)</script> & <!--"}
