"""Bring a database to the newest schema: `await upgrade(url)` or `upgrade_sync(url)`."""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from storage.db import make_engine

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration for this package; the URL travels in attributes, not the ini."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    if url is not None:
        config.attributes["url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` (plain or async URL; `?schema=` on PostgreSQL)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Workers started together take turns: the first migrates, the others then find
                # the schema at head. Released at commit; per schema, so tests' schemas don't wait.
                await connection.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(hashtext('gridbot-migrate:' || current_schema()))")
            await connection.run_sync(_upgrade, alembic_config(url), revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def upgrade_sync(url: str, revision: str = "head") -> None:
    """The same from synchronous code, even when an event loop runs in this thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(upgrade(url, revision))
        return
    failure: list[BaseException] = []

    def work() -> None:
        try:
            asyncio.run(upgrade(url, revision))
        except BaseException as exc:  # noqa: BLE001 — handed back to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=work, name="gridbot-migrate")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
