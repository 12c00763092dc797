"""The few statements that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Result, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert(session: AsyncSession, table: Any) -> Any:
    """INSERT that knows ON CONFLICT (both SQLite ≥ 3.24 and PostgreSQL speak it)."""
    return insert_for(dialect_name(session), table)


def claim(session: AsyncSession, query: _Query) -> _Query:
    """Lock the rows read so a second worker skips them; SQLite has one writer anyway."""
    if dialect_name(session) == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE run through a session matched. SQLAlchemy documents that
    the session returns a CursorResult for those, but types `execute` as returning a Result."""
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount


def insert_for(dialect: str, table: Any) -> Any:
    """`insert` for a dialect known by name (for statements built ahead, see `Prepared`)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class Prepared:
    """A statement built once per database dialect, then only executed with new values.

    Building a SQLAlchemy statement and working out its cache key costs more than running it
    on SQLite (bench/README.md has the me-too search both ways). So the statements of a chat turn are built ahead, with `bindparam`s
    for what changes, and their cache keys are worked out once.
    """

    def __init__(self, build: Callable[[str], Any]):
        self._build = build
        self._built: dict[str, Any] = {}

    def __call__(self, session: AsyncSession) -> Any:
        dialect = dialect_name(session)
        statement = self._built.get(dialect)
        if statement is None:
            statement = self._built[dialect] = self._build(dialect)
        return statement


def daily_counter(table: Any) -> Prepared:
    """The next number of a day from a (day, last) counter table, counted atomically."""
    def build(dialect: str) -> Any:
        statement = insert_for(dialect, table).values(day=bindparam("today"), last=1)
        return statement.on_conflict_do_update(
            index_elements=["day"], set_={"last": table.c.last + 1}).returning(table.c.last)
    return Prepared(build)
