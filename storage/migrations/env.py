"""Alembic environment: async engines, run through `connection.run_sync`."""
from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool
from sqlmodel.sql.sqltypes import AutoString

from storage import tables
from storage.db import make_engine, split_schema
from storage.types import UTCDateTime

config = context.config
target_metadata = tables.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write plain SQLAlchemy types into migrations, so old ones never import today's code."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if isinstance(obj, sa.BigInteger) and "sqlite" in getattr(obj, "_variant_mapping", {}):
        return "sa.BigInteger().with_variant(sa.Integer(), 'sqlite')"
    return False


def _options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": dialect_name == "sqlite",
        "render_item": render_item,
        "compare_type": True,
        "include_object": tables.compared,
    }


def _url() -> str:
    url = (config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
           or config.get_main_option("sqlalchemy.url"))
    if not url:
        raise RuntimeError("no database URL: give storage.migrate one, or -x url=..., or set"
                           " sqlalchemy.url in alembic.ini")
    return url


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    url, _ = split_schema(_url())
    context.configure(url=url, literal_binds=True, **_options(url.get_backend_name()))
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    engine = make_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
elif (given := config.attributes.get("connection")) is not None:
    run_on(given)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(run_async())
