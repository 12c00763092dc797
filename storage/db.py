"""Engines and sessions: SQLite by default, PostgreSQL when the URL says so."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

DEFAULT_URL = "sqlite+aiosqlite:///gridbot.db"
POSTGRES_POOL = 12       # connections each process keeps open to PostgreSQL

BUSY_TIMEOUT_MS = 5000   # how long a BEGIN waits for another process's write lock

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def normalise_url(url: str | URL) -> URL:
    """Accept plain URLs (`sqlite:///x.db`, `postgres://…`) and pick the async driver."""
    parsed = make_url(str(url)) if isinstance(url, str) else url
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://"
        )
    return parsed.set(drivername=driver)


def split_schema(url: str | URL) -> tuple[URL, str | None]:
    """The URL without its `?schema=` (a PostgreSQL search_path), and that schema."""
    parsed = normalise_url(url)
    schema = parsed.query.get("schema")
    if isinstance(schema, tuple):
        schema = schema[-1]
    return parsed.difference_update_query(["schema"]), schema


def make_engine(url: str | URL = DEFAULT_URL, **kwargs: Any) -> AsyncEngine:
    """An async engine; on PostgreSQL `?schema=name` in the URL sets the search_path."""
    parsed, schema = split_schema(url)
    # A failed statement's parameters (names, external ids, texts) stay out of its error
    # message, so a logged traceback carries no person.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "postgresql":
        if schema:
            connect_args = kwargs.setdefault("connect_args", {})
            settings = connect_args.setdefault("server_settings", {})
            settings["search_path"] = schema
        kwargs.setdefault("pool_pre_ping", True)
        if "poolclass" not in kwargs:
            # Kept open: the chat, each sender's round and its claims' renewal, the scheduler's
            # jobs and the web's reads each hold one at times. With fewer, the busiest moments
            # open and close extra connections on the hot path (bench/README.md, production).
            kwargs.setdefault("pool_size", POSTGRES_POOL)
        engine = create_async_engine(parsed, **kwargs)
    else:
        # SQLite has one writer, and every transaction here takes the write lock up front
        # (BEGIN IMMEDIATE). One pooled connection makes this process's transactions queue in
        # order for it, instead of polling SQLite's busy handler, which under 50 concurrent
        # dialogs stretched p99 to seconds. Other processes still wait on busy_timeout.
        if "poolclass" not in kwargs:
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        engine = create_async_engine(parsed, **kwargs)
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE: SQLAlchemy's documented recipe
    for taking transactions away from the pysqlite/aiosqlite driver."""
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once with "database is locked" when another writer got there first.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
