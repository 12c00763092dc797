"""The authorisation matrix's Open311 rows: a key sees and updates only its own orders' details;
a wrong or revoked key is refused; the public sees the echo wall's view, never a private
category; posting without a key is refused."""
from __future__ import annotations

import pytest

from tests import scenarios
from tests.open311.conftest import Partners

PHONE = "13800138000"
WORDS = f"东门垃圾堆了三天，联系我{PHONE}"


@pytest.fixture
async def two(partners: Partners, point_in_leader_grid) -> dict[str, str]:
    """Two partners, each with one order of its own."""
    keys = {"a": await partners.key("hotline-12345"), "b": await partners.key("city-ops")}
    codes = {name: await partners.file(key, point_in_leader_grid, description=WORDS)
             for name, key in keys.items()}
    return {**{f"key_{n}": k for n, k in keys.items()}, **{f"code_{n}": c
                                                          for n, c in codes.items()}}


async def test_a_key_reads_its_own_orders_whole_and_anothers_only_as_the_public_does(
        partners: Partners, two, point_in_leader_grid):
    own = (await partners.get(f"/requests/{two['code_a']}.json", api_key=two["key_a"])).json()[0]
    assert own["description"] == WORDS
    assert (own["lat"], own["long"]) == point_in_leader_grid

    other = (await partners.get(f"/requests/{two['code_b']}.json",
                                api_key=two["key_a"])).json()[0]
    public = (await partners.get(f"/requests/{two['code_b']}.json")).json()[0]
    assert other == public
    assert PHONE not in other["description"] and "东门垃圾" in other["description"]
    assert (other["lat"], other["long"]) != point_in_leader_grid     # snapped to ≥ 100 m

    listed = (await partners.get("/requests.json", api_key=two["key_a"])).json()
    assert [r["service_request_id"] for r in listed] == [two["code_a"]]
    updates = (await partners.get("/servicerequestupdates.json", api_key=two["key_a"])).json()
    assert {u["service_request_id"] for u in updates} == {two["code_a"]}


async def test_a_key_cannot_add_to_another_partners_order_nor_to_a_chat_report(
        partners: Partners, point_in_leader_grid):
    await scenarios.onboard_resident(partners.talk, "resident")
    chat_code = await scenarios.resident_files_rubbish(partners.talk, "resident",
                                                       point_in_leader_grid)
    two = {"key_a": await partners.key("hotline-12345"),
           "code_b": await partners.file(await partners.key("city-ops"), point_in_leader_grid)}
    for code in (two["code_b"], chat_code):
        answer = await partners.post("/servicerequestupdates.json", api_key=two["key_a"],
                                     service_request_id=code, description="改一下")
        assert answer.status_code == 403, code
    answer = await partners.post("/servicerequestupdates.json", api_key=two["key_a"],
                                 service_request_id="WG-20000101-0001", description="x")
    assert answer.status_code == 404


async def test_a_revoked_or_wrong_key_is_refused_with_403_everywhere(partners: Partners, two,
                                                                     point_in_leader_grid):
    await partners.revoke("hotline-12345")
    lat, lng = point_in_leader_grid
    for key in (two["key_a"], "o311_" + "x" * 43):
        assert (await partners.get("/requests.json", api_key=key)).status_code == 403
        assert (await partners.get(f"/requests/{two['code_a']}.json",
                                   api_key=key)).status_code == 403
        assert (await partners.post("/requests.json", api_key=key, service_code="H01",
                                    lat=lat, long=lng)).status_code == 403
        assert (await partners.post("/servicerequestupdates.json", api_key=key,
                                    service_request_id=two["code_a"],
                                    description="x")).status_code == 403
    assert (await partners.get("/requests.json", api_key=two["key_b"])).status_code == 200


async def test_posting_without_a_key_is_refused_and_files_nothing(partners: Partners,
                                                                  point_in_leader_grid):
    lat, lng = point_in_leader_grid
    answer = await partners.post("/requests.json", service_code="H01", lat=lat, long=lng)
    assert answer.status_code == 400
    assert answer.json()[0]["description"] == "缺少 api_key"
    assert (await partners.post("/servicerequestupdates.json", service_request_id="x",
                                description="x")).status_code == 400
    assert (await partners.get("/requests.json")).json() == []


async def test_a_private_category_never_reaches_the_public_but_its_partner_follows_it(
        partners: Partners, point_in_leader_grid):
    key = await partners.key("hotline-12345")
    code = await partners.file(key, point_in_leader_grid, code="M01",
                               description="楼上邻居半夜吵架")
    assert (await partners.get("/requests.json")).json() == []
    assert (await partners.get(f"/requests/{code}.json")).status_code == 404
    assert (await partners.get("/requests.json", status="open", service_code="M01")).json() == []
    mine = (await partners.get(f"/requests/{code}.json", api_key=key)).json()
    assert mine[0]["description"] == "楼上邻居半夜吵架"


async def test_the_public_list_shows_chat_reports_as_the_echo_wall_would(
        partners: Partners, point_in_leader_grid):
    await scenarios.onboard_resident(partners.talk, "resident")
    code = await scenarios.resident_files_rubbish(partners.talk, "resident",
                                                  point_in_leader_grid)
    listed = (await partners.get("/requests.json")).json()
    assert [r["service_request_id"] for r in listed] == [code]
    assert "3号楼" not in listed[0]["address"]           # the grid's name, never a building
