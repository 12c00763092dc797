"""A private order waiting in a dispatcher's queue: the clock's reminder offers no 合并 either."""
from __future__ import annotations

from datetime import timedelta

from tests import scenarios
from tests.handlers.test_private_orders import bind, file
from tests.scenarios import labels
from tests.scheduler.conftest import load, new_mail


async def test_a_private_order_in_a_queue_is_reminded_without_merge(
        services, talk, point, sweeper):
    await bind(services, talk, "street", "JJ", "dispatcher")
    await scenarios.onboard_resident(talk, "victim")
    code = await file(talk, "victim", "M02", "隔壁家里天天吵架动手", point)
    await talk.press("community", f"return:{code}")
    await talk.text("community", "需要街道综治中心协调")
    order = await load(services, code)
    seen: list = []
    await new_mail(services, "street", seen)

    services.clock.at = order.sign_due + timedelta(minutes=1)
    report = await sweeper.sweep_all()
    assert report.fired == {"sign:late": 1}
    [late] = await new_mail(services, "street", seen)
    assert late.text.startswith(f"⏰ 待分派工单 {code}")
    assert "派单" in labels(late) and "合并" not in labels(late)
    assert not any(c.data.startswith("merge:") for c in late.choices)
