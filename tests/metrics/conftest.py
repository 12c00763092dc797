"""/metrics is tested on `gridbot run` as assembled for production."""
from tests.security.conftest import library, production, tracebacks  # noqa: F401 — fixtures
