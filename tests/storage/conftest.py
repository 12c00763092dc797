"""A migrated database, a unit of work on it, and a clock that only moves when told."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import FixedClock
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWork

MONDAY_9AM_BEIJING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_9AM_BEIJING)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine, clock: FixedClock) -> UnitOfWork:
    return UnitOfWork(session_factory(engine), clock)
