"""The few statements that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert(session: AsyncSession, table: Any) -> Any:
    """INSERT that knows ON CONFLICT (both SQLite ≥ 3.24 and PostgreSQL speak it)."""
    if dialect_name(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def claim(session: AsyncSession, query: Select[Any]) -> Select[Any]:
    """Lock the rows read so a second worker skips them; SQLite has one writer anyway."""
    if dialect_name(session) == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query
