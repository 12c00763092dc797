"""A migrated database, a unit of work on it, and a clock that only moves when told.

Migrating costs a tenth of a second or more per test on PostgreSQL, so the tests do not wait
for it: SQLite copies a template file migrated once per run, and PostgreSQL takes a fresh schema
that a background thread already filled by replaying the migrations' own SQL
(`alembic upgrade --sql`). test_migrations.py runs the real upgrade on `db_url`.
"""
from __future__ import annotations

import asyncio
import io
import shutil
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import FixedClock
from storage.db import make_engine, session_factory, split_schema
from storage.migrate import alembic_config, upgrade_sync
from storage.uow import UnitOfWork
from tests.conftest import POSTGRES_URL

MONDAY_9AM_BEIJING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
AHEAD = 4


class MigratedSchemas:
    """Fresh PostgreSQL schemas at head, made ahead of need; each is handed out once."""

    def __init__(self, script: str):
        self.script = script
        self.dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self.made: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._coming: deque[Future[str]] = deque(self._order() for _ in range(AHEAD))

    def take(self) -> str:
        schema = self._coming.popleft().result(timeout=30)
        self._coming.append(self._order())
        return schema

    def close(self) -> None:
        for coming in self._coming:
            coming.result(timeout=30)
        # A few at a time: every object dropped holds a lock until the statement ends, and
        # hundreds of schemas at once outgrow the server's lock table.
        for start in range(0, len(self.made), 8):
            names = ", ".join(f'"{name}"' for name in self.made[start:start + 8])
            self._run(self._execute(f"DROP SCHEMA {names} CASCADE")).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def _order(self) -> Future[str]:
        return self._run(self._make())

    def _run(self, coroutine) -> Future:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _make(self) -> str:
        schema = f"test_{uuid.uuid4().hex[:12]}"
        self.made.append(schema)
        await self._execute(f'CREATE SCHEMA "{schema}"; SET search_path TO "{schema}";'
                            + self.script)
        return schema

    async def _execute(self, sql: str) -> None:
        # A test's schema need not survive a crash: do not wait for the disk.
        connection = await asyncpg.connect(self.dsn, server_settings={"synchronous_commit": "off"})
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


@pytest.fixture(scope="session")
def migrated_schemas() -> Iterator[MigratedSchemas]:
    config = alembic_config("postgresql://localhost/offline")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    schemas = MigratedSchemas(config.output_buffer.getvalue())
    yield schemas
    schemas.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "gridbot.db"
    upgrade_sync(f"sqlite:///{path}")
    return path


@pytest.fixture
def migrated_url(db_url: str, request: pytest.FixtureRequest) -> str:
    """Like `db_url` (same database kind, private to the test) but already at head."""
    url, _ = split_schema(db_url)
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), url.database)
        return db_url
    schema = request.getfixturevalue("migrated_schemas").take()
    return make_url(db_url).update_query_dict({"schema": schema}).render_as_string(
        hide_password=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_9AM_BEIJING)


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(migrated_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine, clock: FixedClock) -> UnitOfWork:
    return UnitOfWork(session_factory(engine), clock)
