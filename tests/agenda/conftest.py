"""Fixtures for the 议事 use cases: migrated databases (storage)."""
from tests.storage.conftest import (  # noqa: F401
    clock,
    engine,
    migrated_schemas,
    migrated_url,
    sqlite_template,
    uow,
)
