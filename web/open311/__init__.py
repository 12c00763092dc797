"""Open311 GeoReport v2: the door for the city's other systems (see docs/open311.md)."""
from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from handlers.deps import Deps
from storage.uow import UnitOfWork
from web.open311.keys import RateLimit
from web.open311.routes import open311_routes


def mount_open311(app: FastAPI, uow: Callable[[], UnitOfWork], deps: Deps) -> None:
    """Add the routes; the per-key rate limit is kept on `app.state.open311_limit`."""
    limit = RateLimit(lambda: uow().clock.now())
    app.state.open311_limit = limit
    app.include_router(open311_routes(uow, deps, limit))
