"""The schema comes from the migrations, and the migrations match the models."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade, upgrade_sync
from storage.tables import compared, metadata

OPTIONS = {"compare_type": True, "include_object": compared}
# SQLite's reflection skips the expression indexes (which `compared` leaves out anyway).
EXPRESSION_INDEX = "ignore:Skipped unsupported reflection of expression-based index"


async def _migrated(db_url: str) -> AsyncEngine:
    await upgrade(db_url)
    return make_engine(db_url)


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def _versions(engine: AsyncEngine) -> list[str]:
    """The revisions alembic_version records (one, once migrated); the engine is disposed."""
    try:
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return list(result.scalars().all())
    finally:
        await engine.dispose()


@pytest.mark.filterwarnings(EXPRESSION_INDEX)
async def test_migrations_create_every_table_and_match_the_models(db_url: str):
    def inspect_schema(connection):
        context = MigrationContext.configure(connection, opts=OPTIONS)
        return set(inspect(connection).get_table_names()), compare_metadata(context, metadata)

    engine = await _migrated(db_url)
    try:
        async with engine.connect() as connection:
            names, differences = await connection.run_sync(inspect_schema)
    finally:
        await engine.dispose()
    assert names == set(metadata.tables) | {"alembic_version"}
    assert differences == []


async def test_upgrading_again_changes_nothing(db_url: str):
    engine = await _migrated(db_url)
    upgrade_sync(db_url)  # from inside this running event loop: Alembic runs in a thread
    assert await _versions(engine) == [_head()]


@pytest.mark.filterwarnings(EXPRESSION_INDEX)
async def test_the_fast_test_schema_equals_the_migrated_one(engine: AsyncEngine):
    def differences(connection):
        context = MigrationContext.configure(connection, opts=OPTIONS)
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_workers_starting_together_migrate_once(db_url: str):
    """`gridbot run` upgrades on start; N workers started at once must not trip over each
    other's CREATE TABLE (each would otherwise see an empty schema and create it too)."""
    with ThreadPoolExecutor(4) as pool:
        starts = [pool.submit(upgrade_sync, db_url) for _ in range(4)]
        failures = [start.exception(timeout=120) for start in starts]
    assert failures == [None] * 4
    assert await _versions(make_engine(db_url)) == [_head()]


@pytest.mark.filterwarnings(EXPRESSION_INDEX)
async def test_the_indexes_carry_the_columns_the_models_declare(db_url: str):
    """Alembic's comparison reads an index's key columns but not PostgreSQL's INCLUDE ones,
    which make the console list's walk an index-only scan: those are compared here."""
    def included(connection) -> dict[str, list[str]]:
        return {index["name"]: index.get("dialect_options", {}).get("postgresql_include", [])
                for index in inspect(connection).get_indexes("work_order")}

    engine = await _migrated(db_url)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(included)
    finally:
        await engine.dispose()
    postgres = db_url.startswith("postgresql")
    declared = {index.name: list(index.dialect_options["postgresql"]["include"] or [])
                if postgres else [] for index in metadata.tables["work_order"].indexes}
    assert declared["ix_work_order_created_at_code"] or not postgres
    assert {name: found.get(name) for name in declared} == declared
