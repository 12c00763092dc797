"""The chat over the sample district (from tests/handlers), a sweeper on it, and a mailbox."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from domain.calendar import SHANGHAI
from domain.orders import Event, WorkOrder
from handlers.messages import Outbound
from scheduler.sweeps import Sweeper
from storage.tables import OutboxRow
from tests.handlers import conftest as handlers_conftest
from tests.scenarios import onboard_resident, resident_files_rubbish

MONDAY = datetime(2026, 11, 23, tzinfo=SHANGHAI).date()
# The chat over the sample district with staff bound, as the dialog tests use it.
services, talk, point = handlers_conftest.services, handlers_conftest.talk, handlers_conftest.point


def on(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment counted from Monday 2026-11-23 (day 0), Shanghai time."""
    return datetime.combine(MONDAY + timedelta(days=day), time(hour, minute, second),
                            tzinfo=SHANGHAI)


@pytest.fixture
def sweeper(talk) -> Sweeper:
    return Sweeper(talk.chat.deps)


@pytest.fixture
async def filed(talk, point) -> str:
    """A resident's rubbish report, dispatched to the leader of 锦江畔3号楼 at about 10:06."""
    # Each message moves the clock 30 s; the report's phone question is one more than when
    # these times were chosen, so the report starts that much earlier.
    talk.clock.advance(timedelta(seconds=-30))
    await onboard_resident(talk, "resident")
    return await resident_files_rubbish(talk, "resident", point)


async def load(services, code: str) -> WorkOrder:
    async with services.uow() as uow:
        return await uow.orders.get(code)


async def history(services, code: str, kind: str) -> list[Event]:
    async with services.uow() as uow:
        return [e for e in await uow.events.for_order(code) if e.kind == kind]


async def mail(services, user: str) -> list[Outbound]:
    """Every message owed to a chat user, oldest first: what the sender will deliver."""
    async with services.uow() as uow:
        rows = await uow.session.execute(
            select(OutboxRow.payload).where(OutboxRow.address == user).order_by(OutboxRow.id))
        return [Outbound.from_payload("test", user, payload) for payload in rows.scalars()]


async def new_mail(services, user: str, seen: list[Outbound]) -> list[Outbound]:
    """What reached `user` since `seen` was read; `seen` is brought up to date."""
    now = await mail(services, user)
    fresh = now[len(seen):]
    seen[:] = now
    return fresh
