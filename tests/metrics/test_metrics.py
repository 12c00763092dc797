"""/metrics as a Prometheus server scrapes it: the text format, for configured addresses only."""
from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from domain.orders import Urgency, WorkOrder
from storage.records import OutboxMessage
from tests.security.conftest import Production


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def _seed(production: Production) -> None:
    services = production.runtime.services
    now = services.clock.now()
    async with services.uow() as uow:
        for n, urgency in enumerate((Urgency.NORMAL, Urgency.NORMAL, Urgency.EMERGENCY), 1):
            await uow.orders.add(WorkOrder(f"WG-20261123-{n:04d}", "H01", urgency, None, "垃圾",
                                           now, grid_code="JJ-01-01-03"))
        owed = [OutboxMessage("wecom", f"u{n}", {"text": "a"}) for n in (1, 2, 3)]
        await uow.outbox.add_all(owed)
        claims = {m.id: m.claim for m in await uow.outbox.due(channels=["wecom"])}
        await uow.outbox.mark_failed(owed[1].id, "HTTPStatusError 500", claim=claims[owed[1].id])
        await uow.outbox.give_up(owed[2].id, "HTTPStatusError 403", claim=claims[owed[2].id])
        await uow.commit()


async def test_a_scrape_from_loopback_reads_orders_outbox_and_callback_latency(
        production: Production):
    await _seed(production)
    await production.post_update(b"{}", secret="wrong")            # one call on a door, timed
    answer = await production.client.get("/metrics")                # from 127.0.0.1
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = _samples(answer.text)
    assert samples[("gridbot_orders", (("state", "submitted"), ("urgency", "normal")))] == 2
    assert samples[("gridbot_orders", (("state", "submitted"), ("urgency", "emergency")))] == 1
    assert samples[("gridbot_outbox_backlog", (("channel", "wecom"),))] == 2
    failures = {outcome: samples[("gridbot_outbox_send_failures",
                                  (("channel", "wecom"), ("outcome", outcome)))]
                for outcome in ("retrying", "given_up")}
    assert failures == {"retrying": 1, "given_up": 1}
    assert samples[("gridbot_callback_seconds_count", (("door", "telegram"),))] >= 1


async def test_a_sweep_the_scheduler_runs_is_timed(production: Production):
    job = production.runtime.scheduler.get_job("sweep:overdue")
    before = _samples((await production.client.get("/metrics")).text).get(
        ("gridbot_sweep_seconds_count", (("sweep", "overdue"),)), 0)
    await job.func(*job.args)                                       # what APScheduler calls
    after = _samples((await production.client.get("/metrics")).text)
    assert after[("gridbot_sweep_seconds_count", (("sweep", "overdue"),))] == before + 1


async def test_a_scrape_from_elsewhere_is_answered_as_if_there_were_no_such_page(
        production: Production):
    elsewhere = httpx.ASGITransport(app=production.runtime.app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=elsewhere, base_url="http://gridbot.test") as client:
        refused = await client.get("/metrics")
        nothing = await client.get("/no-such-page")
        forged = await client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert refused.status_code == forged.status_code == 404
    assert refused.json() == nothing.json()
    assert "gridbot_orders" not in refused.text + forged.text
