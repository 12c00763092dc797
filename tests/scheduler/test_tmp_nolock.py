import pytest
import storage.repositories.clocks as c
from tests.scheduler.test_exactly_once import *  # noqa

@pytest.fixture(autouse=True)
def nolock(monkeypatch):
    monkeypatch.setattr(c, "claim", lambda session, q: q)
