"""Ten thousand generated bodies at each door: no 5xx, no traceback, and the bot still works.

The webhook gets odd-but-valid updates (unknown kinds, NUL, RTL, emoji, 100 kB texts, lat 91,
1e308, garbage callback data, missing fields, negative and huge ids) and malformed bodies (not
JSON, truncated, arrays, deep nesting), through `gridbot run` as assembled for production.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter

from hypothesis import strategies as st

from tests import scenarios
from tests.security.bodies import examples, odd_text, webhook_body
from tests.security.conftest import Production, Tracebacks, WebhookTalk
from tests.web.conftest import (  # noqa: F401 — fixtures
    Web,
    point_in_leader_grid,
    seeded_database,
    web,
)

# Each door gets at least this many; GRIDBOT_FUZZ_BODIES=500 makes a quick local run.
FUZZ_BODIES = int(os.environ.get("GRIDBOT_FUZZ_BODIES", "10000"))


def _report(statuses: Counter, seconds: float) -> str:
    return f"{sum(statuses.values())} bodies in {seconds:.1f} s: {dict(sorted(statuses.items()))}"


async def test_webhook_survives_ten_thousand_odd_bodies_then_files_a_report(
        production: Production, tracebacks: Tracebacks, point_in_leader_grid):  # noqa: F811
    bodies = examples(webhook_body(), FUZZ_BODIES)
    production.runtime.senders[0].limits = None   # replies to the fuzz's few chats: no waiting
    statuses: Counter[int] = Counter()
    worst: list[bytes] = []
    started = time.monotonic()
    for body in bodies:
        answer = await production.post_update(body)
        statuses[answer.status_code] += 1
        if answer.status_code >= 500 and len(worst) < 3:
            worst.append(body[:300])
    await production.runtime.senders[0].settle()
    print(_report(statuses, time.monotonic() - started), f"{len(production.tg.sent)} replies")
    assert not [s for s in statuses if s >= 500], (_report(statuses, 0), worst)
    assert set(statuses) <= {200, 400, 413}, statuses
    assert tracebacks.records == [], [r.getMessage() for r in tracebacks.records[:3]]

    talk = WebhookTalk(production)
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point_in_leader_grid)
    assert scenarios.CODE.fullmatch(code)


ROUTES = ["/healthz", "/echo-wall", "/api/echo-wall.json", "/api/district.geojson", "/wall",
          "/static/style.css", "/static/../bot/config.py", "/media/x.jpg", "/media/../run.db",
          "/telegram/webhook", "/api/chat/x/send", "/nowhere", "/%00", "/" + "a" * 3000]


@st.composite
def web_request(draw: st.DrawFn) -> tuple[str, str, dict, bytes]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE"]))
    path = draw(st.sampled_from(ROUTES))
    params = draw(st.dictionaries(st.sampled_from(["grid", "page", "sig", "exp", "after", "q"]),
                                  odd_text.filter(lambda t: len(t) < 2000), max_size=3))
    body = draw(st.sampled_from([b"", b"{", b"[]", b"\xff", b"x" * 20_000])
                | st.binary(max_size=32))
    return method, path, params, body


async def test_production_web_routes_survive_ten_thousand_odd_requests(
        production: Production, tracebacks: Tracebacks):
    requests = examples(web_request(), FUZZ_BODIES)
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for method, path, params, body in requests:
        answer = await production.client.request(method, path, params=params, content=body)
        statuses[answer.status_code] += 1
    print(_report(statuses, time.monotonic() - started))
    assert not [s for s in statuses if s >= 500], statuses
    assert tracebacks.records == [], [r.getMessage() for r in tracebacks.records[:3]]


@st.composite
def said(draw: st.DrawFn) -> bytes:
    """JSON for the demo chat's send route: odd fields, odd types, or no JSON at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from([b"", b"{", b"[]", b"null", b"\xff", b'{"text": 1e999}']))
    fields = draw(st.dictionaries(
        st.sampled_from(["id", "text", "button", "lat", "lng", "name", "photo", "extra"]),
        st.sampled_from([None, 0, -1, 91, 181, 1e308, True, [], {}, "x" * 5000])
        | odd_text.filter(lambda t: len(t) < 5000), max_size=4))
    return json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")


async def test_demo_chat_survives_ten_thousand_odd_messages(web: Web,  # noqa: F811
                                                           tracebacks: Tracebacks):
    bodies = examples(said(), FUZZ_BODIES)
    sessions = ["fuzz-a", "fuzz-b", "bad session", "x" * 65, "%2e%2e"]
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for n, body in enumerate(bodies):
        answer = await web.client.post(f"/api/chat/{sessions[n % len(sessions)]}/send",
                                       content=body,
                                       headers={"content-type": "application/json"})
        statuses[answer.status_code] += 1
    print(_report(statuses, time.monotonic() - started))
    assert not [s for s in statuses if s >= 500], statuses
    assert tracebacks.records == [], [r.getMessage() for r in tracebacks.records[:3]]

