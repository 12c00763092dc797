"""Plain URLs work, and SQLite is tuned for a bot that writes while it reads."""
from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import make_engine, normalise_url, split_schema


@pytest.mark.parametrize(("given", "expected"), [
    ("sqlite:///gridbot.db", "sqlite+aiosqlite:///gridbot.db"),
    ("sqlite+aiosqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
    ("postgresql://bot:pw@db:5432/grid", "postgresql+asyncpg://bot:***@db:5432/grid"),
    ("postgres://bot@db/grid", "postgresql+asyncpg://bot@db/grid"),
    ("postgresql+asyncpg://bot@db/grid", "postgresql+asyncpg://bot@db/grid"),
])
def test_plain_urls_get_the_async_driver(given: str, expected: str):
    assert str(normalise_url(given)) == expected


def test_an_unknown_database_is_refused_by_name():
    with pytest.raises(ValueError, match="mysql"):
        normalise_url("mysql://bot@db/grid")


def test_schema_in_the_url_becomes_the_search_path():
    url, schema = split_schema("postgres://bot@db/grid?schema=district_7")
    assert (str(url), schema) == ("postgresql+asyncpg://bot@db/grid", "district_7")


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        async with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
            assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
            assert (await pragma("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        await engine.dispose()
