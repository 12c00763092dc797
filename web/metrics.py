"""`/metrics` in Prometheus's text format, for the addresses the settings name only.

The database's figures (orders by state and urgency, the outbox by channel) are read at each
scrape with two GROUP BY statements; what happens in a process (sweep durations, callback
latencies) is counted where it happens, in prometheus-client's default registry. Whether a
scraper may ask is decided by the connection's own peer address, never by a header a client
could write (`X-Forwarded-For`): behind a reverse proxy, do not forward /metrics.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from storage.repositories.gauges import GaugeRepository
from storage.uow import UnitOfWork

# The routes another system calls us on; each prefix is one label value (bounded).
CALLBACKS = ("/telegram/", "/wechat/", "/wecom/", "/open311/")
CALLBACK_SECONDS = Histogram(
    "gridbot_callback_seconds", "Time to answer a platform's or partner's call, by door",
    ["door"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4.5, 10))


def allowed_networks(setting: str) -> list[Any]:
    """`127.0.0.1,::1,10.0.0.0/8` as networks; a bad entry stops the start with its name."""
    return [ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]


def _peer(request: Request) -> IPv4Address | IPv6Address | None:
    host = request.client.host if request.client else None
    try:
        found = ip_address(host or "")
    except ValueError:
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


class _Figures(Collector):
    """The database's figures of one scrape, as metric families."""

    def __init__(self, orders: list[tuple[str, str, int]],
                 outbox: list[tuple[str, int, int, int]]):
        self.orders, self.outbox = orders, outbox

    def collect(self) -> Iterator[GaugeMetricFamily]:
        by_state = GaugeMetricFamily("gridbot_orders", "Work orders by state and urgency",
                                     labels=["state", "urgency"])
        for state, urgency, count in self.orders:
            by_state.add_metric([state, urgency], count)
        backlog = GaugeMetricFamily("gridbot_outbox_backlog",
                                    "Messages owed and not yet sent, by channel",
                                    labels=["channel"])
        failures = GaugeMetricFamily("gridbot_outbox_send_failures",
                                     "Unsent messages whose sending failed, by channel: "
                                     "waiting to be retried, or given up",
                                     labels=["channel", "outcome"])
        for channel, owed, retrying, given_up in self.outbox:
            backlog.add_metric([channel], owed)
            failures.add_metric([channel, "retrying"], retrying)
            failures.add_metric([channel, "given_up"], given_up)
        yield from (by_state, backlog, failures)


def metrics_routes(open_uow: Callable[[], UnitOfWork], allowed: Iterable[Any]) -> APIRouter:
    networks = list(allowed)
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        peer = _peer(request)
        if peer is None or not any(peer in network for network in networks):
            return JSONResponse({"detail": "Not Found"}, status_code=404)   # as if none
        async with open_uow() as uow:
            gauges = GaugeRepository(uow.session)
            figures = _Figures(await gauges.orders(), await gauges.outbox())
        scrape = CollectorRegistry()
        scrape.register(figures)
        # Every name here is a classic one, so the text is the 0.0.4 format every Prometheus
        # server reads, and is labelled so.
        return Response(generate_latest(scrape) + generate_latest(REGISTRY),
                        media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return router


class CallbackTimer:
    """ASGI middleware: how long each call on a platform's or partner's door takes to answer."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        door = next((prefix.strip("/") for prefix in CALLBACKS if path.startswith(prefix)), None)
        if door is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            CALLBACK_SECONDS.labels(door).observe(time.perf_counter() - started)
