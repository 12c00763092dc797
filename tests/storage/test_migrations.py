"""The schema comes from the migrations, and the migrations match the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import upgrade, upgrade_sync
from storage.tables import metadata


async def test_migrations_create_every_table(engine: AsyncEngine):
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(metadata.tables) <= names
    assert "alembic_version" in names


async def test_tables_match_the_migrations(engine: AsyncEngine):
    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_upgrading_again_changes_nothing(db_url: str, engine: AsyncEngine):
    await upgrade(db_url)
    upgrade_sync(db_url)  # from inside this running event loop: Alembic runs in a thread
    async with engine.connect() as connection:
        version = (await connection.exec_driver_sql("SELECT version_num FROM alembic_version"))
        assert version.scalars().all() == ["0001"]
