"""A migrated database (SQLite and PostgreSQL), a clock moved by hand, and senders' helpers."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.messages import Outbound
from storage.clock import FixedClock
from storage.db import session_factory
from storage.records import OutboxMessage
from storage.uow import UnitOfWork
from tests.storage.conftest import (  # noqa: F401 — fixtures
    clock,
    engine,
    migrated_schemas,
    migrated_url,
    sqlite_template,
)


class Recorder:
    """A platform that keeps what it was asked to send, in the order it was asked."""

    def __init__(self) -> None:
        self.sent: list[Outbound] = []

    async def deliver(self, out: Outbound) -> None:
        self.sent.append(out)

    def texts(self, address: str | None = None) -> list[str]:
        return [out.text for out in self.sent if address in (None, out.external_id)]


class Stuck:
    """A platform that takes a message and never answers (a worker about to be killed)."""

    def __init__(self) -> None:
        self.called = asyncio.Event()
        self.answer = asyncio.Event()
        self.sent: list[Outbound] = []

    async def deliver(self, out: Outbound) -> None:
        self.called.set()
        await self.answer.wait()
        self.sent.append(out)


@pytest.fixture
def units(engine: AsyncEngine, clock: FixedClock) -> Callable[[], UnitOfWork]:  # noqa: F811
    sessions = session_factory(engine)
    return lambda: UnitOfWork(sessions, clock)


async def owe(units: Callable[[], UnitOfWork], *messages: tuple[str, str]) -> None:
    """Write (address, text) messages to the Telegram outbox in one transaction, in order."""
    async with units() as uow:
        await uow.outbox.add_all([OutboxMessage("telegram", address,
                                                Outbound("telegram", address, text).as_payload())
                                  for address, text in messages])
        await uow.commit()
