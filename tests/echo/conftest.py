"""The storage fixtures (a migrated database per test, a fixed clock) for the echo-wall tests."""
from tests.storage.conftest import (  # noqa: F401
    clock,
    engine,
    migrated_schemas,
    migrated_url,
    sqlite_template,
    uow,
)
