"""Ten thousand generated requests over every Open311 route: none answers 5xx, none logs a
traceback, and afterwards a partner still files an order that reaches the leader."""
from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from tests.open311.conftest import Partners
from tests.security.bodies import examples, odd_text
from tests.security.conftest import Tracebacks

FUZZ_BODIES = int(os.environ.get("GRIDBOT_FUZZ_BODIES", "10000"))
KEY = "@key"          # replaced by a live key: most requests get past the key check
ROUTES = ["/discovery", "/services", "/services/H01", "/services/Z99", "/services/",
          "/requests", "/requests/WG-20261207-0001", "/requests/..%2f..", "/tokens/x",
          "/tokens/" + "t" * 300, "/servicerequestupdates", "/nowhere", "/requests/%00"]
FIELDS = ["api_key", "service_code", "lat", "long", "address_string", "address_id",
          "description", "service_request_id", "status", "start_date", "end_date",
          "update_id", "jurisdiction_id", "attribute[x]", "media_url", "email"]
VALUES = [KEY, KEY, "H01", "M01", "T01", "Z99", "30.6", "104.0", "91", "-181", "1e308", "nan",
          "inf", "-0", "open", "closed", "open,closed", "2026-12-01T00:00:00Z",
          "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+14:00", "2026-12-01",
          "2026-13-45T99:99:99Z", "锦江畔3号楼", "WG-20261207-0001", ",", "", "x" * 3000]


# Most requests start from a valid one and change a few fields, so they reach the use cases.
VALID = {"/requests": {"api_key": KEY, "service_code": "H01", "lat": "30.6", "long": "104.0",
                       "description": "垃圾"},
         "/servicerequestupdates": {"api_key": KEY, "service_request_id": "WG-20261207-0001",
                                    "description": "补充"}}


@st.composite
def open311_request(draw: st.DrawFn) -> tuple[str, str, str, dict[str, str], bytes]:
    method = draw(st.sampled_from(["GET", "GET", "GET", "POST", "POST", "POST", "PUT", "HEAD"]))
    path = draw(st.sampled_from(["/requests", "/servicerequestupdates"] * 3 + ROUTES))
    fmt = draw(st.sampled_from(["json", "xml"] * 4 + ["html", "", "json.json"]))
    changed = draw(st.dictionaries(st.sampled_from(FIELDS),
                                   st.sampled_from(VALUES)
                                   | odd_text.filter(lambda t: len(t) < 3000), max_size=4))
    fields = {**(VALID.get(path, {}) if draw(st.booleans()) else {}), **changed}
    how = draw(st.sampled_from(["form", "form", "form", "query", "junk"]))
    junk = draw(st.sampled_from([b"", b"{", b"\xff\xfe", b"a=%zz&b", b"x" * 20_000])
                | st.binary(max_size=64))
    return method, f"{path}.{fmt}" if fmt else path, how, fields, junk


def _with_key(fields: dict[str, str], key: str) -> dict[str, str]:
    return {name: key if value == KEY else value for name, value in fields.items()}


async def test_every_open311_route_survives_ten_thousand_odd_requests_then_files(
        partners: Partners, tracebacks: Tracebacks, point_in_leader_grid):
    key = await partners.key("fuzz-partner")
    partners.production.runtime.app.state.open311_limit.per_minute = 10 ** 9
    statuses: Counter[int] = Counter()
    worst: list[Any] = []
    started = time.monotonic()
    for method, path, how, fields, junk in examples(open311_request(), FUZZ_BODIES):
        fields = _with_key(fields, key)
        url = "/open311/v2" + path
        if how == "query":
            answer = await partners.client.request(method, url, params=fields)
        elif how == "form":
            body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
            answer = await partners.client.request(
                method, url, content=body,
                headers={"content-type": "application/x-www-form-urlencoded"})
        else:
            answer = await partners.client.request(
                method, url, content=junk, headers={"content-type": "multipart/form-data"})
        statuses[answer.status_code] += 1
        if answer.status_code >= 500 and len(worst) < 3:
            worst.append((method, path, how, fields))
    seconds = time.monotonic() - started
    print(f"{sum(statuses.values())} requests in {seconds:.1f} s: {dict(sorted(statuses.items()))}")
    assert not [s for s in statuses if s >= 500], (statuses, worst)
    assert tracebacks.records == [], [r.getMessage() for r in tracebacks.records[:3]]
    assert statuses[200] > 0 and statuses[403] + statuses[400] > 0     # both ways were walked

    code = await partners.file(key, point_in_leader_grid)
    await partners.delivered()
    assert code in partners.talk.inbox("leader")[-1].text
