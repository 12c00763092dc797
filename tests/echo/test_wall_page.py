"""/echo-wall and /api/echo-wall.json: a resident filters by community and category."""
from __future__ import annotations

import io
from datetime import timedelta

import httpx
import pytest
from PIL import Image

from bot.services import build_chat
from domain import orders
from domain.orders import Due, Satisfaction, Urgency, WorkOrder
from handlers.echo_wall import EchoChannels, publish_due
from tests.echo.stories import add_all
from web.app import create_app

# (grid, category, rated): two communities, three categories, one rated and one not.
PLACED = [("JJ-01-01-03", "H01", True), ("JJ-01-02-01", "P03", False),
          ("JJ-02-01-01", "H01", True), ("JJ-03-01-01", "H02", True)]


@pytest.fixture
async def wall(services, tmp_path):
    now = services.clock.now()
    made = []
    async with services.uow() as uow:
        leader = await uow.memberships.leader_of("JJ-01-01-03")
        for i, (grid, category, rated) in enumerate(PLACED):
            at = now - timedelta(days=3)
            order = WorkOrder(f"WG-20261120-{i:04d}", category, Urgency.NORMAL, leader, "",
                              at, grid_code=grid)
            events = [orders.submit(order),
                      orders.dispatch(order, grid, leader, Due(at + timedelta(hours=2),
                                                               at + timedelta(days=2)), at),
                      orders.sign_for(order, leader, at + timedelta(hours=1)),
                      orders.resolve(order, leader, f"第{i}件已办好", at + timedelta(days=1))]
            closed = at + timedelta(days=2)
            events.append(orders.rate(order, leader, True, Satisfaction.SATISFIED, closed)
                          if rated else orders.close_unrated(order, closed))
            made.append((order, events))
        await add_all(uow, made)
        await uow.commit()
    chat = await build_chat(services)
    await publish_due(services.uow(), chat.deps, EchoChannels(media_dir=tmp_path))
    app = create_app(services, chat)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as client:
        yield client


async def test_the_wall_lists_every_published_order_with_each_grids_rates(wall):
    page = await wall.get("/echo-wall")
    assert page.status_code == 200 and 'name="viewport"' in page.text
    assert all(f"WG-20261120-{i:04d}" in page.text for i in range(4))
    data = (await wall.get("/api/echo-wall.json")).json()
    assert next(e["code"] for e in data["entries"]) == "WG-20261120-0003"
    first = next(e for e in data["entries"] if e["code"] == "WG-20261120-0000")
    assert (first["place"], first["rating"], first["on_time"]) == ("锦江畔小区", "满意", True)
    rates = {g["name"]: g for g in data["grids"]}
    assert rates["锦江畔小区"]["response"] == 1.0 and rates["锦江畔小区"]["satisfied"] == 1.0
    assert rates["滨江花园"]["satisfied"] is None and rates["滨江花园"]["on_time"] == 1.0
    assert "<td>锦江畔小区</td><td>100%</td>" in page.text


async def test_filters_by_community_and_by_category(wall):
    jiangpan = (await wall.get("/api/echo-wall.json", params={"community": "JJ-01"})).json()
    assert {e["code"] for e in jiangpan["entries"]} == {"WG-20261120-0000", "WG-20261120-0001"}
    assert {g["community"] for g in jiangpan["grids"]} == {"江畔社区"}
    rubbish = (await wall.get("/api/echo-wall.json", params={"category": "H01"})).json()
    assert {e["code"] for e in rubbish["entries"]} == {"WG-20261120-0000", "WG-20261120-0002"}
    tidy = (await wall.get("/api/echo-wall.json", params={"category": "市容环境"})).json()
    assert len(tidy["entries"]) == 3
    page = await wall.get("/echo-wall", params={"community": "JJ-02", "category": "H01"})
    assert "WG-20261120-0002" in page.text and "WG-20261120-0000" not in page.text
    assert '<option value="JJ-02" selected>' in page.text
    assert (await wall.get("/api/echo-wall.json", params={"category": "M01"})).json()[
        "entries"] == []


async def test_the_short_link_leads_to_the_wall(wall):
    response = await wall.get("/wall")
    assert response.status_code in (302, 307) and response.headers["location"] == "/echo-wall"


async def test_the_echo_walls_after_photo_is_public_and_exif_free_and_nothing_else_is(
        services, tmp_path):
    media = tmp_path / "media"
    services.settings.media_dir = media
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 39.0, 15.0), 3: "E", 4: (104.0, 4.0, 27.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 160, 90)).save(buffer, "JPEG", exif=exif.tobytes())
    raw = media / "web" / ("a" * 64 + ".jpg")       # the leader's photo as once kept, EXIF and all
    raw.parent.mkdir(parents=True)
    raw.write_bytes(buffer.getvalue())
    now = services.clock.now()
    async with services.uow() as uow:
        leader = await uow.memberships.leader_of("JJ-01-01-03")
        at = now - timedelta(days=3)
        order = WorkOrder("WG-20261120-0009", "H01", Urgency.NORMAL, leader, "", at,
                          grid_code="JJ-01-01-03")
        events = [orders.submit(order),
                  orders.dispatch(order, "JJ-01-01-03", leader,
                                  Due(at + timedelta(hours=2), at + timedelta(days=2)), at),
                  orders.sign_for(order, leader, at + timedelta(hours=1)),
                  orders.resolve(order, leader, "已清理", at + timedelta(days=1), photo=str(raw)),
                  orders.close_unrated(order, at + timedelta(days=2))]
        await add_all(uow, [(order, events)])
        await uow.commit()
    chat = await build_chat(services)
    await publish_due(services.uow(), chat.deps, EchoChannels(media_dir=media))
    app = create_app(services, chat)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as client:
        [entry] = (await client.get("/api/echo-wall.json")).json()["entries"]
        assert entry["photo_url"].startswith("/echo-wall/photos/")
        assert entry["photo_url"] in (await client.get("/echo-wall")).text
        photo = await client.get(entry["photo_url"])
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(photo.content)) as shown:
            assert not shown.getexif() and "exif" not in shown.info
            assert shown.size == (120, 90)
        for url in (f"/media/web/{raw.name}", f"/echo-wall/photos/{raw.name}",
                    "/echo-wall/photos/..%2Fweb%2F" + raw.name, "/media/echo/" + entry[
                        "photo_url"].rsplit("/", 1)[1]):
            assert (await client.get(url)).status_code in (403, 404), url
