"""The console's list and order page for each staff role: what each sees, and each action
going through chat's use cases, so the reporter is told exactly as from chat."""
from __future__ import annotations

import csv
import io
import re

import httpx
import openpyxl
from sqlalchemy import select

from handlers import texts
from storage.tables import EventRow
from tests import scenarios
from tests.console.conftest import Console, csrf_of

RESIDENT = "resident"


async def act(client: httpx.AsyncClient, code: str, action: str, **fields: str
              ) -> httpx.Response:
    """Press an action's button on the order page, as a browser posts its form."""
    page = await client.get(f"/console/orders/{code}")
    assert page.status_code == 200, page.text
    assert f'data-action="{action}"' in page.text, (action, page.text[-2000:])
    return await client.post(f"/console/orders/{code}/act",
                             data={"csrf": csrf_of(page.text), "action": action, **fields})


async def told(console: Console, user: str = RESIDENT) -> list[str]:
    return [m["text"] for m in await console.web.messages(user)]


def listed(page: str) -> set[str]:
    return set(re.findall(r'<tr data-code="(WG-\d{8}-\d{4})"', page))


async def test_each_role_lists_its_own_part_of_the_tree(console_app: Console,
                                                        point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    for who, sees in (("leader", True), ("grid_leader", True), ("community", True),
                      ("street", True), ("member", True), ("other_leader", False),
                      ("department", False)):
        client = await console_app.sign_in(who)
        page = await client.get("/console")
        assert (code in listed(page.text)) is sees, who


async def test_a_leader_cannot_open_another_grids_order_by_url(console_app: Console,
                                                               point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    other = await console_app.sign_in("other_leader")
    hidden = await other.get(f"/console/orders/{code}")
    missing = await other.get("/console/orders/WG-20000101-0001")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text
    page = await other.get("/console")
    refused = await other.post(f"/console/orders/{code}/act",
                               data={"csrf": csrf_of(page.text), "action": "invalid",
                                     "words": "test"})
    assert refused.status_code == 404


async def test_the_leader_signs_reports_progress_and_resolves_and_the_reporter_is_told(
        console_app: Console, point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    leader = await console_app.sign_in("leader")
    page = await leader.get(f"/console/orders/{code}")
    assert "楼下垃圾三天没人清运了" in page.text and "锦江畔3号楼" in page.text
    answer = await act(leader, code, "sign")
    assert answer.status_code == 303
    assert any(f"工单 {code} 已由" in t and "签收" in t for t in await told(console_app))
    await act(leader, code, "progress", words="已联系保洁，今天下午清运")
    assert texts.NOTICE["progress"].format(code=code, reason="已联系保洁，今天下午清运") \
        in await told(console_app)
    await act(leader, code, "resolve", words="垃圾已清运")
    assert texts.ASK_SOLVED.format(code=code, note="垃圾已清运") in await told(console_app)
    done = await leader.get(f"/console/orders/{code}")
    assert "已办结待评价" in done.text and 'data-action="' not in done.text


async def test_words_are_required_where_chat_asks_for_them(console_app: Console,
                                                          point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    leader = await console_app.sign_in("leader")
    await act(leader, code, "sign")
    answer = await act(leader, code, "escalate", words="  ")
    assert answer.status_code == 400 and texts.REASON_REQUIRED in answer.text


async def test_the_reporters_number_is_behind_a_button_and_each_look_is_recorded(
        console_app: Console, point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    async with console_app.web.services.uow() as uow:
        order = await uow.orders.get(code)
        reporter = await uow.people.get(order.reporter_id)
        reporter.phone = "13800138000"
        await uow.people.upsert(reporter)
        await uow.commit()
    leader = await console_app.sign_in("leader")
    page = await leader.get(f"/console/orders/{code}")
    assert "13800138000" not in page.text
    shown = await leader.post(f"/console/orders/{code}/contact",
                              data={"csrf": csrf_of(page.text)})
    assert shown.status_code == 200 and "13800138000" in shown.text
    async with console_app.web.services.uow() as uow:
        looks = (await uow.session.execute(select(EventRow).where(
            EventRow.order_code == code, EventRow.kind == "contact_viewed"))).all()
    assert len(looks) == 1
    assert texts.CONSOLE_MORE_EVENTS["contact_viewed"] in (
        await leader.get(f"/console/orders/{code}")).text
    community = await console_app.sign_in("community")   # sees the order, does not hold it
    page = await community.get(f"/console/orders/{code}")
    assert f"/console/orders/{code}/contact" not in page.text
    refused = await community.post(f"/console/orders/{code}/contact",
                                   data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 400 and "13800138000" not in refused.text


async def test_the_community_bulk_assigns_from_the_list_and_reporters_are_told(
        console_app: Console, point_in_leader_grid):
    first = await console_app.file_rubbish(point_in_leader_grid)
    await console_app.talk.text(RESIDENT, "/report")   # a second report, same resident
    await console_app.talk.press(RESIDENT, "cat:H02")
    await console_app.talk.text(RESIDENT, "路面很脏")
    await console_app.talk.press(RESIDENT, "skip:")
    await console_app.talk.location(RESIDENT, *point_in_leader_grid)
    said = await console_app.talk.press(RESIDENT, "confirm:")
    second = re.search(r"WG-\d{8}-\d{4}", said[-1].text).group(0)
    community = await console_app.sign_in("community")
    page = await community.get("/console", params={"q": "垃圾"})
    assert listed(page.text) == {first}
    page = await community.get("/console")
    answer = await community.post("/console/bulk-assign", data={
        "csrf": csrf_of(page.text), "codes": [first, second], "target": "JJ-01-02",
        "back": "/console"})
    assert answer.status_code == 303
    after = await community.get(answer.headers["location"])
    assert texts.CONSOLE_BULK_DONE.format(done=2, failed=0) in after.text
    news = await told(console_app)
    for code in (first, second):
        assert texts.NOTICE["dispatched"].format(code=code, unit="滨江花园") in news


async def test_the_street_marks_an_order_invalid_and_the_reporter_is_told(
        console_app: Console, point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    street = await console_app.sign_in("street")
    assert (await act(street, code, "invalid", words="重复上报")).status_code == 303
    assert texts.NOTICE["invalidated"].format(code=code, reason="重复上报") \
        in await told(console_app)


async def test_a_department_sees_and_signs_what_the_street_whistled_to_it(
        console_app: Console, point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    async with console_app.web.services.uow() as uow:
        department = await uow.people.by_staff_code("P0089")
    await console_app.talk.text("staff-street", "/todo")
    await console_app.talk.press("staff-street", f"to:{code}:@{department.id}")
    client = await console_app.sign_in("department")
    assert code in listed((await client.get("/console")).text)
    assert (await act(client, code, "sign")).status_code == 303
    assert any(f"工单 {code} 已由" in t and "签收" in t for t in await told(console_app))


async def test_the_community_approves_an_extension_the_leader_asked_for_in_chat(
        console_app: Console, point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    await console_app.talk.press("leader-demo", f"sign:{code}")
    await console_app.talk.press("leader-demo", f"extend:{code}")
    await console_app.talk.text("leader-demo", "需要协调物业 5天")
    community = await console_app.sign_in("community")
    assert (await act(community, code, "approve")).status_code == 303
    assert any(t.startswith(f"工单 {code} 的办理时限延长至") for t in await told(console_app))


async def test_filters_narrow_the_list_in_sql(console_app: Console, point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    street = await console_app.sign_in("street")
    for params, sees in (({"state": "dispatched"}, True), ({"state": "closed"}, False),
                         ({"grid": "JJ-01-01"}, True), ({"grid": "JJ-02"}, False),
                         ({"category": "H01"}, True), ({"category": "市容环境"}, True),
                         ({"category": "H02"}, False), ({"urgency": "normal"}, True),
                         ({"urgency": "emergency"}, False), ({"light": "green"}, True),
                         ({"light": "red"}, False), ({"overdue": "1"}, False),
                         ({"code": code[:11]}, True), ({"code": "WG-1999"}, False),
                         ({"q": "垃圾"}, True), ({"q": "井盖"}, False),
                         ({"since": "2000-01-01"}, True), ({"until": "2000-01-01"}, False),
                         ({"sort": "resolve_due", "dir": "asc"}, True),
                         ({"page": "2"}, False), ({"state": "nonsense", "page": "x"}, True)):
        page = await street.get("/console", params=params)
        assert page.status_code == 200
        assert (code in listed(page.text)) is sees, params


async def test_the_reporters_photo_shows_through_a_private_signed_link(console_app: Console,
                                                                       point_in_leader_grid):
    talk = console_app.talk
    await scenarios.onboard_resident(talk, RESIDENT)
    await talk.text(RESIDENT, "/report")
    await talk.press(RESIDENT, "cat:H01")
    await talk.text(RESIDENT, "垃圾桶满了")
    said = (await talk.photo(RESIDENT, scenarios.phone_photo(), ""))[-1]
    await talk.press(RESIDENT, scenarios.data_for(said, texts.PHOTOS_DONE))
    await talk.location(RESIDENT, *point_in_leader_grid)
    await talk.text(RESIDENT, texts.SKIP)
    code = scenarios.order_code(await talk.press(RESIDENT, "confirm:"))
    leader = await console_app.sign_in("leader")
    page = await leader.get(f"/console/orders/{code}")
    links = re.findall(r'<img src="(/media/[^"]+)"', page.text)
    assert len(links) == 1 and "sig=" in links[0]
    photo = await leader.get(links[0].replace("&amp;", "&"))
    assert photo.status_code == 200 and photo.headers["content-type"].startswith("image/")
    forged = await leader.get(links[0].replace("&amp;", "&").replace("sig=", "sig=0"))
    assert forged.status_code == 403


async def test_the_ledger_of_the_filtered_list_holds_only_what_the_viewer_may_see(
        console_app: Console, point_in_leader_grid):
    code = await console_app.file_rubbish(point_in_leader_grid)
    leader = await console_app.sign_in("leader")
    listing = await leader.get("/console", params={"state": "dispatched"})
    assert 'href="/console/export.csv?state=dispatched"' in listing.text
    answer = await leader.get("/console/export.csv", params={"state": "dispatched"})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == "工单号" and [row[0] for row in rows[1:]] == [code]
    book = openpyxl.load_workbook(io.BytesIO(
        (await leader.get("/console/export.xlsx", params={"events": "1"})).content))
    assert {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)} == {code}
    closed = await leader.get("/console/export.csv", params={"state": "closed"})
    assert len(list(csv.reader(io.StringIO(closed.content.decode("utf-8-sig"))))) == 1
    other = await console_app.sign_in("other_leader")
    elsewhere = await other.get("/console/export.csv")
    assert code not in elsewhere.content.decode("utf-8-sig")
    assert (await other.get("/console/export.pdf")).status_code == 404
    assert (await console_app.browser().get("/console/export.csv")).status_code != 200
