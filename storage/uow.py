"""The unit of work: one session, one transaction, every repository on it."""
from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.clock import Clock, SystemClock
from storage.repositories import (
    DialogRepository,
    EventRepository,
    GridRepository,
    InboundRepository,
    InviteRepository,
    MembershipRepository,
    OrderRepository,
    OutboxRepository,
    PeopleRepository,
)


class UnitOfWork:
    """`async with uow:` opens a transaction; leaving without `await uow.commit()` rolls back."""

    grids: GridRepository
    people: PeopleRepository
    memberships: MembershipRepository
    orders: OrderRepository
    events: EventRepository
    outbox: OutboxRepository
    inbound: InboundRepository
    dialogs: DialogRepository
    invites: InviteRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock | None = None):
        self._sessions = sessions
        self.clock: Clock = clock or SystemClock()
        self._session: AsyncSession | None = None

    @property
    def is_open(self) -> bool:
        return self._session is not None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with uow:`")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._sessions()
        await session.begin()
        self._session = session
        self.grids = GridRepository(session)
        self.people = PeopleRepository(session, self.clock)
        self.memberships = MembershipRepository(session)
        self.orders = OrderRepository(session, self.clock)
        self.events = EventRepository(session)
        self.outbox = OutboxRepository(session, self.clock)
        self.inbound = InboundRepository(session, self.clock)
        self.dialogs = DialogRepository(session, self.clock)
        self.invites = InviteRepository(session)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        session, self._session = self.session, None
        try:
            await session.rollback()
        finally:
            await session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
