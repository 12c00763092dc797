"""Personal data planted in what residents write in chat — a proposal's title and words, a
comment, an opinion — shows in nothing public: the echo wall page and its JSON, the digest,
Open311's public requests, and the invitations every resident of the scope receives."""
from __future__ import annotations

from datetime import timedelta

import httpx

from bot.services import build_chat
from handlers import texts
from handlers.digest import RESIDENT, build_digests
from tests.handlers.conftest import point, services, talk  # noqa: F401 — fixtures
from tests.scenarios import data_for, onboard_resident_at, resident_files_rubbish
from tests.scenarios_agenda import HOME, item_code, offered, press
from web.app import create_app

# A phone, a name, a room and an id number, each as people type them.
PLANTED = ("13912345678", "张伟", "5号楼2单元301室", "110101199003071234",
           "139-8765-4321", "王秀英", "2单元402", "13800001111", "刘洋")
TITLE = "张伟家门口加装充电桩"
BODY = "联系电话13912345678，住5号楼2单元301室，身份证110101199003071234"
COMMENT = "我是王秀英，电话139-8765-4321，住2单元402，支持！"
OPINION = "建议江边加装路灯，我叫刘洋，电话13800001111"


def assert_public(text: str) -> None:
    leaked = [p for p in PLANTED if p in text]
    assert not leaked, leaked


async def test_planted_personal_data_reaches_nothing_public(talk, services, point):  # noqa: F811
    await onboard_resident_at(talk, "resident", HOME)
    await onboard_resident_at(talk, "neighbour", HOME)
    await talk.text("neighbour", "/subscribe")                 # the digest's audience
    await talk.text("resident", "/agenda")
    await press(talk, "resident", texts.AGENDA_PROPOSE_BUTTON)
    await talk.text("resident", TITLE)
    code = item_code(await talk.text("resident", BODY))
    review = offered(talk, "grid_leader")
    await talk.press("grid_leader", data_for(review, texts.AGENDA_OPEN))
    invite = offered(talk, "neighbour")
    assert code in invite.text and "充电桩" in invite.text
    await press(talk, "neighbour", texts.AGENDA_COMMENT)
    await talk.text("neighbour", COMMENT)
    asked = (await talk.text("neighbour", "/opinion"))[-1]
    await talk.press("neighbour", data_for(asked, "社区：江畔社区"))
    await talk.text("neighbour", OPINION)
    order = await resident_files_rubbish(talk, "resident", point)
    await talk.text("leader", "/todo")
    await press(talk, "leader", order)
    await press(talk, "leader", texts.AGENDA_LIFT)
    await talk.text("leader", "刘洋反映3号楼垃圾点需重新规划")
    await talk.text("leader", "王秀英说电话13800001111可联系")

    card = (await talk.text("neighbour", f"/agenda {code}"))[-1]
    assert "充电桩" in card.text and "支持！" in card.text
    for said in (invite, card):             # every resident of the scope reads these
        assert_public(said.text)

    chat = await build_chat(services)
    app = create_app(services, chat)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as client:
        page = (await client.get("/echo-wall", params={"community": "JJ-01"})).text
        raw = (await client.get("/api/echo-wall.json", params={"community": "JJ-01"})).text
        requests = (await client.get("/open311/v2/requests.json")).text
    assert code in page and "充电桩" in page and "路灯" in page
    services.clock.advance(timedelta(days=7))                  # the digest: the week before
    async with services.uow() as uow:
        digests = await build_digests(uow, chat.deps.router.tree, services.taxonomy,
                                      services.clock.now())
    digest = next(d.text for d in digests if d.audience == RESIDENT and d.unit == "JJ-01")
    assert code in digest and "充电桩" in digest
    for public in (page, raw, requests, digest):
        assert_public(public)
