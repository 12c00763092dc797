"""Who hears of each 议事 event: one rule per kind, explicit "nobody" counted; residents of the
scope told in bulk as paced notices; the one who acted never told twice."""
from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.services import build_chat
from domain import points
from domain.agenda import AGENDA_EVENT_KINDS
from handlers import agenda, agenda_notices
from handlers.work import Work
from storage.records import Person
from storage.tables import OutboxRow
from tests.handlers.conftest import district  # noqa: F401 — the sample district, both databases

ROOT = Path(__file__).resolve().parents[2]


def test_every_agenda_event_kind_has_a_notice_rule():
    """An explicit None ("nobody is told") counts; a kind left out does not."""
    assert set(AGENDA_EVENT_KINDS) - set(agenda_notices.RULES) == set()
    assert set(agenda_notices.RULES) - set(AGENDA_EVENT_KINDS) == set()
    assert points.ATTENDED in AGENDA_EVENT_KINDS


def _written_kinds() -> set[str]:
    """Kinds given as a literal where an agenda event is made: `AgendaEvent(code, "kind", …)`
    and `agenda.remark(item, "kind", …)`."""
    kinds = set()
    for package in ("domain", "handlers", "scheduler", "web"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call) or len(node.args) < 2:
                    continue
                made = getattr(node.func, "id", None) == "AgendaEvent"
                remarked = (isinstance(node.func, ast.Attribute) and node.func.attr == "remark"
                            and getattr(node.func.value, "id", "") == "agenda")
                if (made or remarked) and isinstance(node.args[1], ast.Constant):
                    kinds.add(node.args[1].value)
    return kinds


def test_every_kind_the_code_writes_is_a_known_agenda_event_kind():
    written = _written_kinds()
    assert {"proposed", "decided", "commented", "moved_up"} <= written     # the scan works
    assert written - set(AGENDA_EVENT_KINDS) == set()


async def _people(uow, homes: dict[str, str | None]) -> dict[str, int]:
    """People with a chat account each (their name is their address), at these homes."""
    found = {}
    for name, home in homes.items():
        person = await uow.people.upsert(Person(name=name, kind="resident", home_grid=home,
                                                consent_at=uow.clock.now()))
        await uow.people.link(person.id, "test", name)
        found[name] = person.id
    return found


async def test_a_decision_reaches_the_residents_of_the_scope_as_paced_notices(district):  # noqa: F811
    services = district
    deps = (await build_chat(services)).deps
    tree, now = deps.router.tree, services.clock.now()
    async with services.uow() as uow:
        people = await _people(uow, {"near1": "JJ-01-01-03", "near2": "JJ-01-05-01",
                                     "far": "JJ-02-01-01", "away": None})
        secretary = await uow.people.by_staff_code("P0002")       # 江畔社区's leader
        await uow.people.link(secretary.id, "test", "secretary")
        owner = await uow.people.by_staff_code("P0005")           # 锦江畔小区's leader
        await uow.people.link(owner.id, "test", "owner")
        work = Work(uow, deps)
        item, events = await agenda.raise_item(uow, tree, secretary.id, "JJ-01", "凉亭修缮",
                                               "凉亭年久失修", now)
        events += await agenda.support(uow, tree, people["near1"], item.code, now)
        events += await agenda.convene(uow, tree, secretary.id, item.code, now)
        await agenda_notices.tell(work, events)
        await work.flush()
        await uow.commit()
    async with services.uow() as uow:
        work = Work(uow, deps)
        events = await agenda.decide(uow, tree, secretary.id, item.code, "本月修缮", owner.id,
                                     now + timedelta(days=30), ("修缮",), now)
        await agenda_notices.tell(work, events)
        await work.flush()
        await uow.commit()
    async with services.uow() as uow:
        rows = (await uow.session.execute(select(OutboxRow.address, OutboxRow.payload)
                                          .order_by(OutboxRow.id))).all()
    invited = {address for address, payload in rows if "开始商议" in payload["text"]}
    decided = {address for address, payload in rows if "已决议" in payload["text"]}
    assert invited == {"near1", "near2"} and decided == {"near1", "near2"}
    assert not any(payload.get("reply") for _, payload in rows)          # paced, not replies
    supported = [payload for address, payload in rows if address == "near1"]
    assert ["开始商议" in p["text"] or "已列入" in p["text"] or "已决议" in p["text"]
            for p in supported] == [True, True, True]                   # +1 itself: nobody
    own = [payload["text"] for address, payload in rows if address == "owner"]
    assert len(own) == 1 and "您是议题" in own[0]
    assert not any(address == "secretary" for address, _ in rows)       # the one who acted
