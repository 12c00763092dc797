"""Shared database fixtures: every storage test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
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
    connection = await asyncpg.connect(_dsn(POSTGRES_URL), timeout=5,
                                       server_settings={"synchronous_commit": "off"})
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _in_thread(sql: str) -> None:
    """Run SQL from sync code that may itself be called inside a running event loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _execute(sql)).result()


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can; asked once per run."""
    try:
        _in_thread("SELECT 1")
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def used_schemas() -> Iterator[list[str]]:
    """Test schemas, dropped when the run ends, a few to a statement: one DROP of them all
    takes a lock per table and index of every schema at once, more than the server holds."""
    schemas: list[str] = []
    yield schemas
    for start in range(0, len(schemas), 8):
        chunk = schemas[start:start + 8]
        _in_thread("DROP SCHEMA " + ", ".join(f'"{s}"' for s in chunk) + " CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A plain database URL, empty and private to this test.

    SQLite: a fresh file. PostgreSQL: a fresh schema named in the URL (`?schema=`), so tests
    never see each other's data and parallel runs are safe; dropped when the run ends.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gridbot.db'}"
        return
    problem = request.getfixturevalue("postgres_problem")
    if problem is not None:
        where = f"PostgreSQL not reachable at {make_url(POSTGRES_URL)!r} ({problem})"
        if REQUIRE_POSTGRES:
            pytest.fail(f"{where}: GRIDBOT_REQUIRE_POSTGRES=1 requires it")
        pytest.skip(f"{where}: PostgreSQL tests skipped"
                    " (set GRIDBOT_REQUIRE_POSTGRES=1 to fail instead)")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    await _execute(f'CREATE SCHEMA "{schema}"')
    request.getfixturevalue("used_schemas").append(schema)
    yield make_url(POSTGRES_URL).update_query_dict({"schema": schema}).render_as_string(
        hide_password=False)
