"""One rule, many doors: an order posted over Open311 is filed, routed, clocked and announced
exactly as a chat report is, and its partner follows it over plain HTTP."""
from __future__ import annotations

import re

from sqlalchemy import select

from domain.orders import State
from storage.repositories.api_keys import EXTERNAL_SYSTEM
from storage.tables import EventRow
from tests import scenarios
from tests.open311.conftest import Partners
from tests.scenarios import BUILDING, CODE, labels

DESCRIPTION = "楼下垃圾三天没人清运了"


def _same_words(text: str) -> str:
    """A notice with its order number and times blanked: what must match across doors."""
    return re.sub(r"\d{2}-\d{2} \d{2}:\d{2}", "TIME", CODE.sub("CODE", text))


async def test_an_order_posted_over_open311_reaches_the_grid_leader_in_telegram(
        partners: Partners, point_in_leader_grid):
    key = await partners.key("hotline-12345")
    code = await partners.file(key, point_in_leader_grid)
    await partners.delivered()

    new = partners.talk.inbox("leader")[-1]
    assert code in new.text and DESCRIPTION in new.text
    assert labels(new) == ["签收", "退回", "上报"]

    mine = (await partners.get(f"/requests/{code}.json", api_key=key)).json()[0]
    assert mine["status"] == "open" and mine["status_notes"] == "已派单"
    assert mine["service_code"] == "H01" and mine["description"] == DESCRIPTION
    assert mine["agency_responsible"].endswith("楼栋网格")    # the building's grid, by name
    assert mine["expected_datetime"] is not None         # clocked: a real deadline


async def test_the_leader_reads_the_same_notice_whichever_door_the_report_came_through(
        partners: Partners, point_in_leader_grid):
    await scenarios.onboard_resident(partners.talk, "resident")
    await scenarios.resident_files_rubbish(partners.talk, "resident", point_in_leader_grid)
    from_chat = partners.talk.inbox("leader")[-1]

    await partners.file(await partners.key("hotline-12345"), point_in_leader_grid)
    await partners.delivered()
    from_open311 = partners.talk.inbox("leader")[-1]

    assert from_open311.text != from_chat.text                     # another order …
    assert _same_words(from_open311.text) == _same_words(from_chat.text)   # … the same words
    assert labels(from_open311) == labels(from_chat)


async def test_the_reporter_of_a_posted_order_is_the_partner_as_an_external_system(
        partners: Partners, point_in_leader_grid):
    code = await partners.file(await partners.key("hotline-12345"), point_in_leader_grid)
    async with partners.production.runtime.services.uow() as uow:
        order = await uow.orders.get(code)
        assert order is not None and order.grid_code == BUILDING
        assert order.state is State.DISPATCHED and order.sign_due is not None
        reporter = await uow.people.get(order.reporter_id)
        waiting = [c.order.code for c in await uow.clocks.unplanned(100)]
        kinds = (await uow.session.execute(select(EventRow.kind).where(
            EventRow.order_code == code).order_by(EventRow.id))).scalars().all()
    assert reporter is not None and reporter.kind == EXTERNAL_SYSTEM
    assert reporter.name == "hotline-12345"
    assert kinds == ["submitted", "dispatched"]
    assert code in waiting           # the scheduler's next sweep plans its reminders and 督办


async def test_an_address_is_routed_by_the_matcher_as_in_chat(partners: Partners):
    key = await partners.key("hotline-12345")
    answer = await partners.post("/requests.json", api_key=key, service_code="P03",
                                 address_string="锦江畔3号楼", description="路灯不亮")
    assert answer.status_code == 200, answer.text
    code = answer.json()[0]["service_request_id"]
    await partners.delivered()
    assert code in partners.talk.inbox("leader")[-1].text
    assert "路灯不亮" in partners.talk.inbox("leader")[-1].text


async def test_a_partner_follows_its_order_through_sign_for_then_adds_a_note(
        partners: Partners, point_in_leader_grid):
    key = await partners.key("hotline-12345")
    code = await partners.file(key, point_in_leader_grid)
    await partners.delivered()
    await partners.talk.press("leader", f"sign:{code}")

    note = await partners.post("/servicerequestupdates.json", api_key=key,
                               service_request_id=code, description="市民补充：垃圾在东门旁")
    assert note.status_code == 200, note.text
    await partners.delivered()
    assert "市民补充：垃圾在东门旁" in partners.talk.inbox("leader")[-1].text

    updates = (await partners.get("/servicerequestupdates.json", api_key=key)).json()
    assert [u["status"] for u in updates if u["service_request_id"] == code] == [
        "OPEN", "OPEN", "IN_PROGRESS", "IN_PROGRESS"]
    assert updates[-1]["update_id"] == note.json()[0]["update_id"]
    assert "垃圾在东门旁" in updates[-1]["description"]


async def test_a_token_leads_to_the_order_it_was_given_for(partners: Partners,
                                                           point_in_leader_grid):
    key = await partners.key("hotline-12345")
    posted = await partners.post("/requests.json", api_key=key, service_code="H01",
                                 lat=point_in_leader_grid[0], long=point_in_leader_grid[1])
    token, code = posted.json()[0]["token"], posted.json()[0]["service_request_id"]
    found = await partners.get(f"/tokens/{token}.json")
    assert found.json() == [{"service_request_id": code, "token": token}]
    assert (await partners.get("/tokens/nope.json")).status_code == 404


async def test_an_emergency_posted_over_open311_alarms_the_whole_chain_as_in_chat(
        partners: Partners, point_in_leader_grid):
    code = await partners.file(await partners.key("hotline-12345"), point_in_leader_grid,
                               code="S03", description="楼道里有很重的燃气味")
    await partners.delivered()
    for staff in ("leader", "grid_leader", "community"):
        assert any(code in m.text for m in partners.talk.inbox(staff)), staff
    assert any(m.text.startswith("🚨 特急") and code in m.text
               for m in partners.talk.inbox("community"))
