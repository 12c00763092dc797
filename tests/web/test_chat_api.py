"""The web chat channel as a page uses it: send, press, pin, upload, and long-poll the replies."""
from __future__ import annotations

import asyncio
import io
import re

from PIL import Image
from sqlalchemy import func, select

from storage.records import Person, Role
from storage.tables import InboundRow, OutboxRow, WorkOrderRow
from tests.web.conftest import Web
from web.district import district_geojson

RESIDENT, LEADER = "resident-demo", "leader-demo"


async def onboard_and_describe(web: Web, session: str = RESIDENT) -> None:
    """A resident agrees, says who they are and gets as far as the photo step of a report."""
    for body in ({"text": "/start", "name": "王阿姨"}, {"button": "consent:yes"},
                 {"button": "role:resident"}, {"button": "home:skip"}, {"text": "/report"},
                 {"button": "cat:H01"}, {"text": "3号楼楼道里堆满了纸箱，影响通行"}):
        response = await web.send(session, **body)
        assert response.status_code == 200, response.text


async def file_report(web: Web, point: tuple[float, float], confirm_id: str = "confirm") -> None:
    await onboard_and_describe(web)
    await web.send(RESIDENT, button="skip:")
    lat, lng = point
    await web.send(RESIDENT, lat=lat, lng=lng)
    await web.send(RESIDENT, text="跳过")                 # no phone left
    assert "锦江畔3号楼" in (await web.last(RESIDENT))["text"]
    await web.send(RESIDENT, confirm_id, button="confirm:")


async def count(web: Web, table) -> int:
    async with web.services.uow() as uow:
        return (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_resident_files_a_report_and_the_leader_can_sign_for_it(web: Web, point_in_leader_grid):
    await file_report(web, point_in_leader_grid)

    filed = await web.last(RESIDENT)
    assert filed["text"].startswith("已提交工单 WG-")
    code = re.search(r"WG-\d{8}-\d{4}", filed["text"]).group()
    new_order = [m for m in await web.messages(LEADER) if code in m["text"]]
    assert len(new_order) == 1
    assert [label for label, _ in new_order[0]["choices"]] == ["签收", "退回", "上报"]

    sign = {label: data for label, data in new_order[0]["choices"]}["签收"]
    await web.send(LEADER, button=sign)
    assert (await web.messages(LEADER, after=new_order[0]["id"]))[0]["text"].startswith(
        f"已签收 {code}")
    assert any(f"工单 {code} 已由" in m["text"] and "签收" in m["text"]
               for m in await web.messages(RESIDENT, after=filed["id"]))


async def test_the_same_press_sent_twice_files_one_order(web: Web, point_in_leader_grid):
    await file_report(web, point_in_leader_grid, confirm_id="double-click")
    again = await asyncio.gather(*(web.send(RESIDENT, "double-click", button="confirm:")
                                   for _ in range(2)))

    assert [r.status_code for r in again] == [200, 200]
    assert await count(web, WorkOrderRow) == 1
    filed = [m for m in await web.messages(RESIDENT) if m["text"].startswith("已提交工单")]
    assert len(filed) == 1


async def test_a_leader_waiting_for_messages_gets_the_new_order_at_once(web: Web,
                                                                        point_in_leader_grid):
    before = await web.messages(LEADER)
    after = before[-1]["id"] if before else 0
    waiting = asyncio.create_task(web.messages(LEADER, after=after, wait=20))
    await file_report(web, point_in_leader_grid)

    # Woken by the commit, not by the 20 s timeout.
    arrived = await asyncio.wait_for(waiting, timeout=5)
    assert any(m["text"].startswith("📋 新工单 WG-") for m in arrived)


async def test_a_poll_with_nothing_new_returns_empty_and_a_reload_gets_the_history(web: Web):
    await web.send(RESIDENT, text="/start")
    history = await web.messages(RESIDENT)
    assert "隐私" in history[0]["text"] or "欢迎" in history[0]["text"]

    assert await web.messages(RESIDENT, after=history[-1]["id"], wait=0.05) == []
    assert [m["id"] for m in await web.messages(RESIDENT)] == [m["id"] for m in history]
    async with web.services.uow() as uow:
        unsent = (await uow.session.execute(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.address == RESIDENT, OutboxRow.sent_at.is_(None)))).scalar_one()
    assert unsent == 0


async def test_a_file_that_is_not_an_image_is_refused_and_changes_nothing(web: Web):
    await onboard_and_describe(web)
    rows, seen = await count(web, OutboxRow), await count(web, InboundRow)

    response = await web.client.post(
        f"/api/chat/{RESIDENT}/photo", data={"id": "p1"},
        files={"file": ("photo.jpg", b"#!/bin/sh\necho not a photo\n", "image/jpeg")})

    assert response.status_code == 400
    assert "JPEG 或 PNG" in response.json()["detail"]
    assert (await count(web, OutboxRow), await count(web, InboundRow)) == (rows, seen)
    assert not list(web.media_dir.rglob("*.*"))


async def test_a_photo_is_kept_and_acknowledged(web: Web):
    await onboard_and_describe(web)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(picture, "PNG")

    response = await web.client.post(
        f"/api/chat/{RESIDENT}/photo", data={"id": "p1"},
        files={"file": ("IMG_0001.png", picture.getvalue(), "image/png")})

    assert response.status_code == 200, response.text
    assert any(m["text"].startswith("已收到第 1 张照片。") for m in await web.messages(RESIDENT))
    stored = list(web.media_dir.rglob("*.jpg"))
    assert len(stored) == 1 and stored[0].name != "IMG_0001.png"


async def test_a_session_id_with_odd_characters_is_refused(web: Web):
    response = await web.send("../../etc", text="/start")
    assert response.status_code in (400, 404)
    response = await web.client.post("/api/chat/bad%20id/send", json={"text": "/start"})
    assert response.status_code == 400


async def test_an_empty_message_is_refused(web: Web):
    response = await web.send(RESIDENT, text="   ")
    assert response.status_code == 400
    assert await count(web, InboundRow) == 0


async def test_the_map_shows_micro_grids_with_their_public_leader(web: Web):
    response = await web.client.get("/api/district.geojson")

    features = {f["properties"]["code"]: f for f in response.json()["features"]}
    building = features["JJ-01-01-03"]["properties"]
    assert building["name"] == "锦江畔3号楼" and building["level"] == "micro_grid"
    assert building["leader"] == web.demo["leader"]["name"]
    assert "13900000" not in response.text   # the sample leaders' phones stay private


async def test_district_map_shows_only_roster_names(web: Web):
    """Issue 16, finding 6: a leader bound by invite to a grid with no roster leader is known
    only by their chat account's name, which the public map must not show."""
    async with web.services.uow() as uow:
        before = await district_geojson(uow, await uow.grids.tree())
        vacant = next(f["properties"]["code"] for f in before["features"]
                      if f["properties"]["leader"] is None)
        listed = web.demo["leader"]["grid_code"]
        for code, chat_name in ((vacant, "微信昵称阿强"), (listed, "抖音用户小美")):
            person = await uow.people.upsert(Person(name=chat_name, kind="staff"))
            await uow.memberships.add(person.id, code, Role.LEADER)
        await uow.commit()
    async with web.services.uow() as uow:
        shown = await district_geojson(uow, await uow.grids.tree())

    leaders = {f["properties"]["code"]: f["properties"]["leader"] for f in shown["features"]}
    assert leaders[vacant] is None
    assert leaders[listed] == web.demo["leader"]["name"]
    assert "阿强" not in str(shown) and "小美" not in str(shown)


async def test_pages_and_health_are_served(web: Web):
    assert (await web.client.get("/healthz")).json() == {"ok": True}
    for page in ("/", "/chat?start=inv_ABC"):
        response = await web.client.get(page)
        assert response.status_code == 200 and "网格通" in response.text
    assert (await web.client.get("/api/demo")).json()["sessions"]["leader"] == LEADER


async def test_a_number_json_cannot_carry_gets_422_not_500(web: Web):
    for body in (b'{"text": 1e999}', b'{"lat": NaN, "lng": 1}', b'{"lat": -Infinity}'):
        response = await web.client.post(f"/api/chat/{RESIDENT}/send", content=body,
                                          headers={"content-type": "application/json"})
        assert response.status_code == 422, body
        assert "Infinity" not in response.text and "NaN" not in response.text
    assert await count(web, InboundRow) == 0


async def test_the_demo_chat_page_keeps_its_invite_code_out_of_referers(web: Web):
    response = await web.client.get("/chat?start=inv_ABC")
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_an_oversized_chat_message_gets_413(web: Web):
    response = await web.send(RESIDENT, text="报" * 10_000)   # 30 kB of JSON
    assert response.status_code == 413
    assert await count(web, InboundRow) == 0
