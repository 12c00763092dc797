"""Who hears of each joint meeting event: one rule per kind, explicit "nobody" counted; a
meeting set from the console tells its items' people and the unit's staff the date and items."""
from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.services import build_chat
from domain.meetings import MEETING_EVENT_KINDS
from domain.refusals import DomainError
from handlers import agenda, meeting_notices
from handlers.work import Work
from storage.tables import OutboxRow
from tests.agenda.test_notices import _people
from tests.handlers.conftest import district  # noqa: F401 — the sample district, both databases
from web.console import meetings_forms

ROOT = Path(__file__).resolve().parents[2]


def test_every_meeting_event_kind_has_a_notice_rule():
    """An explicit None ("nobody is told") counts; a kind left out does not."""
    assert set(MEETING_EVENT_KINDS) - set(meeting_notices.RULES) == set()
    assert set(meeting_notices.RULES) - set(MEETING_EVENT_KINDS) == set()


def test_every_kind_the_code_writes_is_a_known_meeting_event_kind():
    """Kinds given as a literal where a meeting event is made: `MeetingEvent(code, "kind", …)`."""
    written = set()
    for package in ("domain", "handlers", "scheduler", "web"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "MeetingEvent"
                        and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
                    written.add(node.args[1].value)
    assert {"scheduled", "took_up", "closed"} <= written                 # the scan works
    assert written - set(MEETING_EVENT_KINDS) == set()


async def test_a_meeting_set_in_the_console_tells_the_items_people_and_the_units_staff(
        district):  # noqa: F811
    services = district
    deps = (await build_chat(services)).deps
    tree, now = deps.router.tree, services.clock.now()
    async with services.uow() as uow:
        people = await _people(uow, {"near1": "JJ-01-01-03", "near2": "JJ-01-05-01",
                                     "far": "JJ-02-01-01"})
        secretary = await uow.people.by_staff_code("P0002")       # 江畔社区's leader
        await uow.people.link(secretary.id, "test", "secretary")
        street = await uow.people.by_staff_code("P0001")          # the street's dispatcher
        await uow.people.link(street.id, "test", "street")
        item, _ = await agenda.raise_item(uow, tree, secretary.id, "JJ-01", "凉亭修缮",
                                          "凉亭年久失修", now)
        await agenda.support(uow, tree, people["near1"], item.code, now)
        await agenda.comment(uow, tree, people["near2"], item.code, "同意修缮", now)
        await agenda.convene(uow, tree, secretary.id, item.code, now)
        await uow.commit()
    when = (now + timedelta(days=5)).strftime("%Y-%m-%dT09:00")
    async with services.uow() as uow:
        work = Work(uow, deps)
        meeting = await meetings_forms.schedule(work, street.id, {"unit": "JJ-01", "at": when})
        await work.flush()
        await uow.commit()
    async with services.uow() as uow:
        rows = (await uow.session.execute(select(OutboxRow.address, OutboxRow.payload)
                                          .order_by(OutboxRow.id))).all()
    told = {address: payload["text"] for address, payload in rows if meeting.code in
            payload["text"]}
    assert set(told) == {"near1", "near2", "secretary"}   # not the far, nor the one who acted
    for text in told.values():
        assert "社区联席会议" in text and item.code in text and "凉亭修缮" in text
        assert f"{when[5:10]} 09:00" in text                           # the date, China time
    assert len([a for a, p in rows if a == "secretary" and meeting.code in p["text"]]) == 1


async def test_a_refused_schedule_tells_nobody(district):  # noqa: F811
    services = district
    deps = (await build_chat(services)).deps
    async with services.uow() as uow:
        far = (await _people(uow, {"far": "JJ-02-01-01"}))["far"]
        work = Work(uow, deps)
        try:
            await meetings_forms.schedule(work, far, {"unit": "JJ-01", "at": "2030-01-01T09:00"})
        except DomainError:
            pass
        else:
            raise AssertionError("a resident set a meeting")
        assert work.owed == []
