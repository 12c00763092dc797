"""The console's 议题 and 联席会议 pages for each staff role: what each sees, a community
secretary running a meeting from schedule to decision, and every form refusing what it must."""
from __future__ import annotations

import re

import httpx

from bot.services import build_chat
from domain.agenda import AgendaState
from handlers import agenda, texts
from tests import scenarios
from tests.console.conftest import STAFF, Console, csrf_of


async def tree_of(console: Console):
    return (await build_chat(console.web.services)).deps.router.tree


async def staff_id(console: Console, who: str) -> int:
    async with console.web.services.uow() as uow:
        return (await uow.people.by_staff_code(STAFF[who])).id


async def tabled(console: Console, title: str = "小区门口加装充电桩") -> str:
    """The grid leader raises an item at 锦江畔小区, a resident comments on it, and it is moved
    up to 江畔社区's agenda (beyond the grid's power)."""
    await scenarios.onboard_resident_at(console.talk, "resident", "锦江畔3号楼")
    tree = await tree_of(console)
    leader = await staff_id(console, "grid_leader")
    async with console.web.services.uow() as uow:
        resident = (await uow.people.by_channel("web", "resident")).id
        now = uow.clock.now()
        item, _ = await agenda.raise_item(uow, tree, leader, "JJ-01-01", title,
                                          "电动车飞线充电，存在火灾隐患", now)
        await agenda.comment(uow, tree, resident, item.code, "楼下天天有人飞线充电", now)
        await agenda.move_up(uow, tree, leader, item.code, "需社区协调场地", now)
        await uow.commit()
    return item.code


def listed(page: str, kind: str = "YT") -> set[str]:
    return set(re.findall(rf'<tr data-code="({kind}-\d{{8}}-\d{{4}})"', page))


async def post(client: httpx.AsyncClient, page: str, path: str, **fields) -> httpx.Response:
    return await client.post(path, data={"csrf": csrf_of(page), **fields})


async def test_each_role_sees_the_items_of_its_part_of_the_tree(console_app: Console):
    code = await tabled(console_app)
    for who, sees in (("community", True), ("grid_leader", True), ("street", True),
                      ("member", True), ("other_leader", False), ("department", False)):
        client = await console_app.sign_in(who)
        page = await client.get("/console/agenda")
        assert (code in listed(page.text)) is sees, who
        one = await client.get(f"/console/agenda/{code}")
        assert one.status_code == (200 if sees else 404), who
    other = await console_app.sign_in("other_leader")
    missing = await other.get("/console/agenda/YT-20000101-0001")
    assert missing.text == (await other.get(f"/console/agenda/{code}")).text


async def test_the_list_filters_by_state_and_level_and_the_item_page_tells_its_story(
        console_app: Console):
    code = await tabled(console_app)
    secretary = await console_app.sign_in("community")
    on_agenda = await secretary.get("/console/agenda", params={"state": "on_agenda",
                                                               "level": "community"})
    decided = await secretary.get("/console/agenda", params={"state": "decided"})
    assert code in listed(on_agenda.text) and code not in listed(decided.text)
    page = (await secretary.get(f"/console/agenda/{code}")).text
    for words in ("小区门口加装充电桩", "电动车飞线充电", "楼下天天有人飞线充电", "需社区协调场地",
                  texts.AGENDA_EVENT_LABELS["moved_up"], texts.AGENDA_STATE_LABELS["on_agenda"]):
        assert words in page, words


async def test_a_community_secretary_schedules_holds_and_records_a_meeting(
        console_app: Console):
    code = await tabled(console_app)
    secretary = await console_app.sign_in("community")
    page = (await secretary.get("/console/meetings")).text
    scheduled = await post(secretary, page, "/console/meetings", unit="JJ-01",
                           at="2030-01-15T09:00")
    assert scheduled.status_code == 303, scheduled.text
    meeting = scheduled.headers["location"].split("?")[0]
    page = (await secretary.get(meeting)).text
    assert code in page and texts.MEETING_KIND_LABELS["community"] in page
    for action, fields in (("convene", {}), ("attend", {}), ("minutes",
                           {"minutes": "议定由物业加装充电桩，下月复议楼道堆物"})):
        if action == "attend":
            ticked = re.findall(r'name="attendees" value="(\d+)"', page)
            assert len(ticked) >= 2            # the staff around it and the resident
            fields = {"attendees": ticked}
        answer = await post(secretary, page, f"{meeting}/act", action=action, **fields)
        assert answer.status_code == 303, (action, answer.text[-600:])
        page = (await secretary.get(meeting)).text
    owner = await staff_id(console_app, "grid_leader")
    answer = await post(secretary, page, f"{meeting}/act", action="decide", item=code,
                        decision="社区协调物业在小区门口加装充电桩", owner=str(owner),
                        deadline="2030-03-31", tasks="选址\n施工\n验收")
    assert answer.status_code == 303, answer.text[-600:]
    page = (await secretary.get(meeting)).text
    assert texts.MEETING_OUTCOME_LABELS["decided"] in page and "杨玉丽" in page
    told = [m["text"] for m in await console_app.web.messages("resident")]
    assert any(f"议题 {code}" in t and "社区协调物业在小区门口加装充电桩" in t
               for t in told), told   # the resident hears the decision, as from chat
    answer = await post(secretary, page, f"{meeting}/act", action="close")
    assert answer.status_code == 303
    item = (await secretary.get(f"/console/agenda/{code}")).text
    for words in ("社区协调物业在小区门口加装充电桩", "杨玉丽", "03-31", "选址", "验收",
                  texts.AGENDA_STATE_LABELS["decided"], meeting.rsplit("/", 1)[1]):
        assert words in item, words
    async with console_app.web.services.uow() as uow:
        stored = await uow.agenda.get(code)
        record = await uow.meetings.get(meeting.rsplit("/", 1)[1])
    assert (stored.state, stored.owner_id, stored.tasks) == (
        AgendaState.DECIDED, owner, ("选址", "施工", "验收"))
    assert len(record.attendees) >= 2 and record.minutes.startswith("议定")


async def test_a_grid_leader_sees_the_communitys_meeting_but_cannot_run_it(console_app: Console):
    await tabled(console_app)
    secretary = await console_app.sign_in("community")
    page = (await secretary.get("/console/meetings")).text
    meeting = (await post(secretary, page, "/console/meetings", unit="JJ-01",
                          at="2030-01-15T09:00")).headers["location"].split("?")[0]
    leader = await console_app.sign_in("grid_leader")
    shown = (await leader.get(meeting)).text
    assert texts.MEETING_KIND_LABELS["community"] in shown and 'data-action="' not in shown
    refused = await post(leader, shown, f"{meeting}/act", action="convene")
    assert refused.status_code == 400 and texts.AGENDA_NOT_ALLOWED in refused.text
    other = await console_app.sign_in("other_leader")
    hidden = await other.get(meeting)
    assert hidden.status_code == 404
    assert (await post(other, (await other.get("/console/meetings")).text, f"{meeting}/act",
                       action="convene")).status_code == 404


async def test_every_form_refuses_what_it_must_and_changes_nothing(console_app: Console):
    code = await tabled(console_app)
    secretary = await console_app.sign_in("community")
    page = (await secretary.get("/console/meetings")).text
    no_token = await secretary.post("/console/meetings", data={"unit": "JJ-01",
                                                               "at": "2030-01-15T09:00"})
    bad_date = await post(secretary, page, "/console/meetings", unit="JJ-01", at="2030-02-30")
    past = await post(secretary, page, "/console/meetings", unit="JJ-01", at="2001-01-01T09:00")
    micro = await post(secretary, page, "/console/meetings", unit="JJ-01-01-03",
                       at="2030-01-15T09:00")
    assert no_token.status_code == 403
    assert (bad_date.status_code, past.status_code, micro.status_code) == (400, 400, 400)
    assert texts.MEETING_BAD_DATE in bad_date.text and texts.MEETING_IN_THE_PAST in past.text
    assert texts.MEETING_NO_MEETINGS_HERE in micro.text
    async with console_app.web.services.uow() as uow:
        assert await uow.meetings.scheduled_for("JJ-01") is None
    meeting = (await post(secretary, page, "/console/meetings", unit="JJ-01",
                          at="2030-01-15T09:00")).headers["location"].split("?")[0]
    page = (await secretary.get(meeting)).text
    early = await post(secretary, page, f"{meeting}/act", action="decide", item=code,
                       decision="加装", owner="1", deadline="2030-03-31", tasks="选址")
    assert early.status_code == 400 and "待召开" in early.text
    await post(secretary, page, f"{meeting}/act", action="convene")
    page = (await secretary.get(meeting)).text
    for fields, words in (({"action": "close"}, texts.MEETING_NO_MINUTES),
                          ({"action": "decide", "item": code, "decision": "加装", "owner": "",
                            "deadline": "2030-03-31", "tasks": "选址"},
                           texts.MEETING_NO_SUCH_OWNER),
                          ({"action": "decline", "item": code, "reason": " "},
                           texts.REASON_REQUIRED),
                          ({"action": "decline", "item": "YT-20000101-0001", "reason": "重复"},
                           texts.MEETING_NOT_ON_AGENDA.format(code="YT-20000101-0001")),
                          ({"action": "bogus"}, texts.ACTION_REFUSED)):
        answer = await post(secretary, page, f"{meeting}/act", **fields)
        assert answer.status_code == 400 and words in answer.text, (fields, words)
    async with console_app.web.services.uow() as uow:
        assert (await uow.agenda.get(code)).state is AgendaState.ON_AGENDA
