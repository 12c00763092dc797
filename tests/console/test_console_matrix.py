"""The console's rows of the authorisation matrix: who lists, opens and may act on one order.

One order is reported in 锦江畔3号楼 (JJ-01-01-03) and dispatched to its leader (for the
department's "in" row the street whistles it to department A first). Each row signs the
person in, checks whether the list shows the order, whether its page opens (404 otherwise,
the same page as for a code that does not exist), which actions the page offers, and then
forges every action it does not offer: each is refused and the order and its history stay
exactly as they were. The offers follow chat's rules (tests/handlers/test_authorisation_matrix.py).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from handlers.console import ACTIONS
from storage.tables import EventRow, WorkOrderRow
from tests.console.conftest import STAFF, Console, csrf_of

Y, N = True, False
TABLE = [
    # who               list page  offered
    ("anonymous",       N,   N,    ()),
    ("leader",          Y,   Y,    ("sign", "escalate", "invalid", "merge")),
    ("grid_leader",     Y,   Y,    ("escalate", "invalid", "merge")),
    ("community",       Y,   Y,    ("assign", "escalate", "invalid", "merge")),
    ("street",          Y,   Y,    ("assign", "escalate", "invalid", "merge")),
    ("member",          Y,   Y,    ()),
    ("other_leader",    N,   N,    ()),
    ("other_community", N,   N,    ()),
    ("department",      N,   N,    ()),
    ("department_in",   Y,   Y,    ("sign", "assign", "escalate", "invalid", "merge")),
]
EXTRA = {"other_community": "P0003"}   # 赵东明, community 月湾社区 (JJ-02)


async def _history(console: Console, code: str) -> tuple[int, int]:
    async with console.web.services.uow() as uow:
        version = (await uow.session.execute(select(WorkOrderRow.version).where(
            WorkOrderRow.code == code))).scalar_one()
        events = (await uow.session.execute(select(func.count()).select_from(EventRow).where(
            EventRow.order_code == code))).scalar_one()
    return version, events


@pytest.mark.parametrize(("who", "lists", "opens", "offered"), TABLE,
                         ids=[row[0] for row in TABLE])
async def test_console_matrix(console_app: Console, point_in_leader_grid, who: str,
                              lists: bool, opens: bool, offered: tuple[str, ...]):
    code = await console_app.file_rubbish(point_in_leader_grid)
    person = who.removesuffix("_in")
    if who == "department_in":
        async with console_app.web.services.uow() as uow:
            department = await uow.people.by_staff_code(STAFF["department"])
        await console_app.talk.text("staff-street", "/todo")
        await console_app.talk.press("staff-street", f"to:{code}:@{department.id}")
    if who in EXTRA:
        async with console_app.web.services.uow() as uow:
            extra = await uow.people.by_staff_code(EXTRA[who])
            await uow.people.link(extra.id, "web", f"staff-{who}")
            extra.consent_at = uow.clock.now()
            await uow.people.upsert(extra)
            await uow.commit()
    before = await _history(console_app, code)
    if who == "anonymous":
        client = console_app.browser()
        assert (await client.get("/console")).status_code == 401
        assert (await client.get(f"/console/orders/{code}")).status_code == 401
        csrf = "0" * 64
    else:
        client = await console_app.sign_in(person)
        listing = await client.get("/console")
        assert (code in re.findall(r'data-code="([^"]+)"', listing.text)) is lists
        page = await client.get(f"/console/orders/{code}")
        assert page.status_code == (200 if opens else 404)
        if not opens:
            assert page.text == (await client.get("/console/orders/WG-19990101-0001")).text
        shown = tuple(re.findall(r'form method="post" action="/console/orders/[^"]+/act" '
                                 r'class="act" data-action="(\w+)"', page.text))
        assert shown == offered
        csrf = csrf_of(listing.text)
    for action in [a for a in ACTIONS if a not in offered]:
        forged = await client.post(f"/console/orders/{code}/act", data={
            "csrf": csrf, "action": action, "words": "forged", "target": "JJ-01-02"})
        assert forged.status_code in (400, 401, 403, 404), (action, forged.status_code)
    assert await _history(console_app, code) == before
