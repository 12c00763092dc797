"""The community column (居民一家亲专栏) on the echo wall and in the digest: 本期议题, 群众反映,
回音壁 and the two settlement rates; personal data planted in proposals, comments and opinions
shows in nothing public."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.services import build_chat
from domain.orders import Satisfaction
from handlers import agenda
from handlers.digest import RESIDENT, build_digests
from tests.echo.test_digest import subscribe_with_home
from tests.scenarios import data_for
from web.app import create_app

# Each planted as people write it; none may reach the page, its JSON or the digest.
PLANTED = ("王建国", "1234 5678", "12345678", "zhang_888", "李秀英", "139-1234-5678",
           "13912345678", "wxid_abc123", "1 3 9 0 0 0 0 1 1 1 1", "13900001111", "孙强",
           "13800001111", "3单元502")
PROPOSAL = ("3栋王建国家门口加装充电桩",
            "飞线充电太危险，联系幺三八 1234 5678，加v zhang_888，住3单元502")
COMMENT = "我是李秀英，电话139-1234-5678，支持！"
OPINION = "建议修缮小区凉亭，我叫周建华，微信 wxid_abc123，电话 1 3 9 0 0 0 0 1 1 1 1"
DECISION = "由物业经理孙强负责，电话13800001111，月底前完成"


async def person(services, user: str) -> int:
    async with services.uow() as uow:
        found = await uow.people.by_channel("test", user)
        return found.id


@pytest.fixture
async def column_week(talk, services):
    """A week of 议事 in 江畔社区: a proposal in 商议 with a comment, an item carried out and
    judged, an opinion to the community; the clock then a week on."""
    assert "江畔社区" in await subscribe_with_home(talk, "resident")
    await subscribe_with_home(talk, "neighbour")
    asked = (await talk.text("resident", "/opinion"))[-1]
    await talk.press("resident", data_for(asked, "社区：江畔社区"))
    assert "已直报" in (await talk.text("resident", OPINION))[-1].text
    tree = (await build_chat(services)).deps.router.tree
    resident, neighbour = await person(services, "resident"), await person(services, "neighbour")
    grid_leader = await person(services, "grid_leader")
    secretary = await person(services, "community")
    now = services.clock.now()
    async with services.uow() as uow:
        proposal, _ = await agenda.propose(uow, tree, resident, *PROPOSAL, now)
        await agenda.open_discussion(uow, tree, grid_leader, proposal.code, now)
        await agenda.support(uow, tree, neighbour, proposal.code, now)
        await agenda.comment(uow, tree, neighbour, proposal.code, COMMENT, now)
        done, _ = await agenda.raise_item(uow, tree, secretary, "JJ-01", "凉亭修缮",
                                          "凉亭年久失修", now)
        await agenda.convene(uow, tree, secretary, done.code, now, now + timedelta(days=1))
        await agenda.decide(uow, tree, secretary, done.code, DECISION, grid_leader,
                            now + timedelta(days=30), ("修缮",), now)
        await agenda.report_progress(uow, grid_leader, done.code, 100, "已完工", now)
        await agenda.rate(uow, tree, neighbour, done.code, Satisfaction.SATISFIED, now)
        await agenda.close(uow, done.code, now + timedelta(days=1))
        await uow.commit()
    services.clock.advance(timedelta(days=7))
    return proposal.code, done.code


def assert_public(text: str) -> None:
    leaked = [p for p in PLANTED if p in text]
    assert not leaked, leaked


async def test_the_echo_wall_shows_the_three_sections_and_no_personal_data(
        column_week, services, talk):
    open_code, done_code = column_week
    app = create_app(services, await build_chat(services))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as client:
        page = (await client.get("/echo-wall", params={"community": "JJ-01"})).text
        raw = (await client.get("/api/echo-wall.json", params={"community": "JJ-01"})).text
        column = (await client.get("/api/echo-wall.json",
                                   params={"community": "JJ-01"})).json()["column"]
        elsewhere = (await client.get("/echo-wall", params={"community": "JJ-02"})).text
        unchosen = (await client.get("/echo-wall")).text
    for title in ("本期议题", "群众反映", "回音壁", "小事不出网格率", "大事不出社区率"):
        assert title in page
    assert open_code in page and "充电桩" in page and done_code in page and "凉亭修缮" in page
    assert "凉亭" in "".join(v["samples"][0] for v in column["voices"])
    assert [item["code"] for item in column["agenda"]] == [open_code]
    assert [item["code"] for item in column["settled"]] == [done_code]
    assert column["settlement"][0]["name"] == "江畔社区"
    assert open_code not in elsewhere and "凉亭" not in elsewhere
    assert "选择一个社区" in unchosen
    for public in (page, raw):
        assert_public(public)


async def test_the_digest_preview_shows_the_three_sections_and_no_personal_data(
        column_week, services):
    open_code, done_code = column_week
    chat = await build_chat(services)
    async with services.uow() as uow:
        digests = {(d.audience, d.unit): d for d in await build_digests(
            uow, chat.deps.router.tree, services.taxonomy, services.clock.now())}
    text = digests[(RESIDENT, "JJ-01")].text
    sections = [text.index(title) for title in ("【本期议题】", "【群众反映】", "【回音壁】")]
    assert sections == sorted(sections)
    assert open_code in text and done_code in text and "凉亭" in text
    assert "小事不出网格率" in text and "锦江畔小区" in text
    assert_public(text)
