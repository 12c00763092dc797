"""Shared database fixtures: every storage test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("GRIDBOT_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("GRIDBOT_REQUIRE_POSTGRES") == "1"


def _dsn(url: str) -> str:
    """The URL as asyncpg itself takes it: no SQLAlchemy driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _execute(sql: str) -> None:
    connection = await asyncpg.connect(_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can; asked once per run."""
    try:
        # Its own thread: the first test to ask may already run inside an event loop.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _execute("SELECT 1")).result()
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A plain database URL, empty and private to this test.

    SQLite: a fresh file. PostgreSQL: a fresh schema, named in the URL (`?schema=`), dropped after.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gridbot.db'}"
        return
    problem = request.getfixturevalue("postgres_problem")
    if problem is not None:
        message = (f"PostgreSQL not reachable at {make_url(POSTGRES_URL)!r} ({problem}):"
                   " PostgreSQL tests skipped (set GRIDBOT_REQUIRE_POSTGRES=1 to fail instead)")
        if REQUIRE_POSTGRES:
            pytest.fail(message.replace("skipped (set GRIDBOT_REQUIRE_POSTGRES=1 to fail instead)",
                                        "required by GRIDBOT_REQUIRE_POSTGRES=1"))
        pytest.skip(message)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    await _execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield make_url(POSTGRES_URL).update_query_dict({"schema": schema}).render_as_string(
            hide_password=False)
    finally:
        await _execute(f'DROP SCHEMA "{schema}" CASCADE')
