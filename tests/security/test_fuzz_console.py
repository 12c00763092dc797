"""Generated requests at every console route, signed in and not: no 5xx, no traceback.

Query strings and forms get odd values (NUL, RTL, emoji, 1e308, long strings, repeated keys,
bad dates, unknown states), bodies are sometimes not forms at all; the CSRF token is the
session's own half of the time, so actions reach the use cases with odd codes and words.
"""
from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta

from hypothesis import strategies as st

from bot.services import build_chat
from handlers import agenda, meetings
from tests.console.conftest import (  # noqa: F401 — fixtures
    STAFF,
    Console,
    console_app,
    csrf_of,
    point_in_leader_grid,
    seeded_database,
    web,
)
from tests.security.bodies import examples, odd_text
from tests.security.conftest import Tracebacks, tracebacks  # noqa: F401 — fixture

FUZZ_REQUESTS = int(os.environ.get("GRIDBOT_FUZZ_BODIES", "2000"))
CODE = "WG-CODE"   # replaced by a real order's code
ITEM = "YT-CODE"   # a real agenda item's
MEETING = "HY-CODE"   # a real meeting's, held, with the item on its agenda
ROUTES = ["/console", "/console/login", "/console/logout", f"/console/orders/{CODE}",
          f"/console/orders/{CODE}/act", f"/console/orders/{CODE}/contact",
          "/console/bulk-assign", "/console/orders/WG-20000101-0001/act",
          "/console/orders/%00/act", "/console/orders/" + "a" * 300, "/console/console.css",
          "/console/demo/leader", "/console/demo/x", "/console/orders/../../static/style.css",
          "/console/agenda", f"/console/agenda/{ITEM}", "/console/agenda/YT-20000101-0001",
          "/console/agenda/" + "a" * 300, "/console/meetings", f"/console/meetings/{MEETING}",
          f"/console/meetings/{MEETING}/act", "/console/meetings/HY-20000101-0001/act",
          "/console/meetings/%00", "/console/meetings/" + "a" * 300, "/console/map",
          "/console/figures", "/console/export.csv", "/console/export.xlsx",
          "/console/export.%00"]
GETS = {"/console", f"/console/orders/{CODE}", "/console/console.css", "/console/demo/leader",
        "/console/demo/x", "/console/orders/" + "a" * 300, "/console/orders/../../static/style.css",
        "/console/agenda", f"/console/agenda/{ITEM}", "/console/agenda/YT-20000101-0001",
        "/console/agenda/" + "a" * 300, f"/console/meetings/{MEETING}", "/console/meetings/%00",
        "/console/meetings/" + "a" * 300, "/console/map", "/console/figures",
        "/console/export.csv", "/console/export.xlsx", "/console/export.%00"}
FIELDS = ["state", "grid", "category", "urgency", "light", "overdue", "since", "until", "q",
          "code", "sort", "dir", "page", "t", "action", "words", "target", "codes", "back",
          "bulk", "done", "level", "unit", "at", "item", "attendees", "minutes", "decision",
          "owner", "deadline", "tasks", "reason", "weeks", "period", "after", "before",
          "events"]
VALUES = (st.sampled_from(["", "dispatched", "JJ-01", "H01", "市容环境", "red", "1", "asc",
                           "2026-02-30", "9999-99-99", "-1", "1e308", "99999999999",
                           "sign", "assign", "escalate", "invalid", "merge", "approve",
                           "resolve", "//evil.example/", "/console?x=1", CODE, ITEM,
                           "on_agenda", "community", "micro_grid", "JJ-01-01-03",
                           "2030-01-15T09:00", "2030-02-30T25:61", "2030-03-31", "convene",
                           "attend", "minutes", "decide", "decline", "close", "schedule",
                           "选址\n施工", "0", "2", "4", "12", "last_week", "this_week",
                           "4w", "12w", "1w"])
          | odd_text.filter(lambda t: len(t) < 600))


@st.composite
def console_request(draw: st.DrawFn) -> tuple[str, str, list, list, bytes | None, bool]:
    path = draw(st.sampled_from(ROUTES))
    fitting = "GET" if path in GETS else "POST"
    method = draw(st.sampled_from([fitting] * 8 + ["GET", "POST", "HEAD", "PUT"]))
    params = draw(st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=4))
    form = draw(st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=5))
    raw = draw(st.none() | st.sampled_from([b"", b"{", b"\xff\xfe", b"a=%zz&&=", b"x" * 20_000]))
    return method, path, params, form, raw, draw(st.booleans())


async def held_meeting(console: Console) -> tuple[str, str]:
    """An item on 江畔社区's agenda and the community's meeting, in session, holding it."""
    services = console.web.services
    tree = (await build_chat(services)).deps.router.tree
    async with services.uow() as uow:
        secretary = (await uow.people.by_staff_code(STAFF["community"])).id
        now = uow.clock.now()
        item, _ = await agenda.raise_item(uow, tree, secretary, "JJ-01", "加装充电桩", "…", now)
        await agenda.convene(uow, tree, secretary, item.code, now)
        meeting, _ = await meetings.schedule(uow, tree, secretary, "JJ-01",
                                             now + timedelta(days=3), now)
        await meetings.convene(uow, tree, secretary, meeting.code, now)
        await uow.commit()
    return item.code, meeting.code


async def test_console_routes_survive_odd_requests(console_app: Console, point_in_leader_grid,  # noqa: F811
                                                   tracebacks: Tracebacks):  # noqa: F811
    code = await console_app.file_rubbish(point_in_leader_grid)
    item, meeting = await held_meeting(console_app)
    signed = await console_app.sign_in("community")
    token = csrf_of((await signed.get("/console")).text)
    anonymous = console_app.browser()
    statuses: Counter[int] = Counter()
    worst: list[tuple[str, str]] = []
    started = time.monotonic()
    for method, path, params, form, raw, in_session in examples(console_request(),
                                                                FUZZ_REQUESTS):
        # A fuzzed sign-out would end the session the rest of the run needs: that one goes
        # out of the session (signing out is tested in tests/console/test_sign_in.py).
        client = signed if in_session and path != "/console/logout" else anonymous
        path = path.replace(CODE, code).replace(ITEM, item).replace(MEETING, meeting)
        fields = [(k, v.replace(CODE, code).replace(ITEM, item)) for k, v in form]
        if in_session and method == "POST":
            fields.append(("csrf", token))
        if raw is not None:
            answer = await client.request(method, path, params=params, content=raw, headers={
                "content-type": "application/x-www-form-urlencoded"})
        else:
            answer = await client.request(method, path, params=params,
                                          data=dict(fields) if fields else None)
        statuses[answer.status_code] += 1
        if answer.status_code >= 500 and len(worst) < 3:
            worst.append((method, path))
    print(f"{sum(statuses.values())} requests in {time.monotonic() - started:.1f} s: "
          f"{dict(sorted(statuses.items()))}")
    assert not [s for s in statuses if s >= 500], (statuses, worst)
    assert tracebacks.records == [], [r.getMessage() for r in tracebacks.records[:3]]
    assert (await signed.get("/console")).status_code == 200   # still signed in, still works
