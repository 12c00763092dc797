"""Issue 18, item 10: the echo wall shows an order as soon as it is closed, entries first."""
from __future__ import annotations

import re
from datetime import timedelta

import httpx

from bot.services import build_chat
from domain import orders
from domain.orders import Due, Satisfaction, Urgency, WorkOrder
from tests.echo.stories import add_all
from web.app import create_app


async def close_one(services, code: str) -> None:
    now = services.clock.now()
    async with services.uow() as uow:
        leader = await uow.memberships.leader_of("JJ-01-01-03")
        at = now - timedelta(hours=5)
        order = WorkOrder(code, "H01", Urgency.NORMAL, leader, "", at, grid_code="JJ-01-01-03")
        events = [orders.submit(order),
                  orders.dispatch(order, "JJ-01-01-03", leader,
                                  Due(at + timedelta(hours=2), at + timedelta(days=2)), at),
                  orders.sign_for(order, leader, at + timedelta(hours=1)),
                  orders.resolve(order, leader, "已清运", at + timedelta(hours=2)),
                  orders.rate(order, leader, True, Satisfaction.SATISFIED,
                              now - timedelta(seconds=1))]
        await add_all(uow, [(order, events)])
        await uow.commit()


async def test_the_echo_wall_lags_no_more_a_rated_order_is_listed_at_once(services, tmp_path):
    services.settings.media_dir = tmp_path
    chat = await build_chat(services)
    app = create_app(services, chat)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as wall:
        assert "WG-20261207-0001" not in (await wall.get("/echo-wall")).text
        await close_one(services, "WG-20261207-0001")   # rated just now; no minute has passed

        data = (await wall.get("/api/echo-wall.json")).json()
        page = (await wall.get("/echo-wall")).text

    assert [e["code"] for e in data["entries"]] == ["WG-20261207-0001"]
    assert "WG-20261207-0001" in page
    grid = next(g for g in data["grids"] if g["code"] == "JJ-01-01")
    assert grid["satisfied"] is not None   # the rates and the entries tell the same story


async def test_on_a_phone_the_entries_come_before_rows_of_dashes(services, tmp_path):
    services.settings.media_dir = tmp_path
    chat = await build_chat(services)
    await close_one(services, "WG-20261207-0002")
    app = create_app(services, chat)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as wall:
        page = (await wall.get("/echo-wall")).text

    assert page.index("WG-20261207-0002") < page.index("<table")
    idle = re.findall(r'<tr class="idle">', page)
    rows = re.findall(r"<tr[ >]", page)
    assert idle and len(idle) == len(rows) - 2, "grids without figures are marked (one row has)"
