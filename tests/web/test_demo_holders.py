"""Issue 18, item 7: whatever the demo routes, a pane on its page holds."""
from __future__ import annotations

import re

from tests.web.conftest import Web

RESIDENT = "resident-demo"


async def report(web: Web, category: str, point: tuple[float, float]) -> str:
    for body in ({"text": "/start", "name": "王阿姨"}, {"button": "consent:yes"},
                 {"button": "role:resident"}, {"button": "home:skip"}, {"text": "/report"},
                 {"button": f"cat:{category}"}, {"text": "路口的井盖踩上去咣当响，松了"},
                 {"button": "skip:"}, {"lat": point[0], "lng": point[1]}, {"text": "跳过"},
                 {"button": "confirm:"}):
        response = await web.send(RESIDENT, **body)
        assert response.status_code == 200, response.text
    filed = (await web.last(RESIDENT))["text"]
    return re.search(r"WG-\d{8}-\d{4}", filed).group()


async def test_a_quick_category_no_pane_can_handle_reaches_a_pane_of_the_demo(
        web: Web, point_in_leader_grid):
    code = await report(web, "P02", point_in_leader_grid)   # 井盖破损松动, a quick button

    panes = {role: session for role, session in web.demo["sessions"].items()
             if role not in ("resident", "rider")}
    received = {role for role, session in panes.items()
                if any(code in m["text"] and m["choices"] for m in await web.messages(session))}
    assert received, f"{code} reached none of the demo's staff panes {sorted(panes)}"
