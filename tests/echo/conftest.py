"""Fixtures for the echo-wall tests: migrated databases (storage) and the chat (handlers)."""
from tests.handlers.conftest import point, services, talk  # noqa: F401
from tests.storage.conftest import (  # noqa: F401
    clock,
    engine,
    migrated_schemas,
    migrated_url,
    sqlite_template,
    uow,
)
