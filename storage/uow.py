"""The unit of work: one session, one transaction, every repository on it."""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from types import MappingProxyType, TracebackType
from typing import Any, Self

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
from storage.repositories.agenda import AgendaRepository
from storage.repositories.api_keys import ApiKeyRepository
from storage.repositories.clocks import ClockRepository
from storage.repositories.console_links import ConsoleLinkRepository
from storage.repositories.dead_letters import DeadLetterRepository
from storage.repositories.erasure import ErasureRepository
from storage.repositories.meetings import MeetingRepository
from storage.repositories.opinions import OpinionRepository
from storage.repositories.order_list import OrderListRepository
from storage.repositories.order_map import OrderMapRepository
from storage.repositories.publishing import PublishingRepository
from storage.repositories.service_window import ServiceWindowRepository


@dataclass(frozen=True)
class _Open:
    session: AsyncSession
    token: Token[Mapping[UnitOfWork, _Open]]
    turn: asyncio.Lock | None
    grids: GridRepository
    people: PeopleRepository
    memberships: MembershipRepository
    orders: OrderRepository
    events: EventRepository
    outbox: OutboxRepository
    inbound: InboundRepository
    dialogs: DialogRepository
    invites: InviteRepository
    agenda: AgendaRepository
    meetings: MeetingRepository


# Which units of work are open in the running task. One UnitOfWork may thus be shared by
# concurrent tasks (one per update): each task gets its own session and transaction.
_OPEN: ContextVar[Mapping[UnitOfWork, _Open]] = ContextVar("open_units_of_work",
                                                           default=MappingProxyType({}))


# SQLite: one lock per engine and event loop, taken for the whole transaction. The one pooled
# connection alone would serialise transactions too, but its queue lets a task that just gave
# the connection back take it again at once: a busy chat then kept the outbox sender waiting
# for seconds. asyncio.Lock serves waiters in arrival order.
_TURNS: weakref.WeakKeyDictionary[Any, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = \
    weakref.WeakKeyDictionary()


def _turn_lock(sessions: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    bind = sessions.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        return None
    locks = _TURNS.setdefault(bind.sync_engine, {})
    loop = asyncio.get_running_loop()
    if loop not in locks:
        for old in [old for old in locks if old.is_closed()]:
            del locks[old]
        locks[loop] = asyncio.Lock()
    return locks[loop]


class UnitOfWork:
    """`async with uow:` opens a transaction; leaving without `await uow.commit()` rolls back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock | None = None):
        self._sessions = sessions
        self.clock: Clock = clock or SystemClock()

    async def __aenter__(self) -> Self:
        if self.is_open:
            raise RuntimeError("this unit of work is already open in this task")
        turn = _turn_lock(self._sessions)
        if turn is not None:
            await turn.acquire()
        session = self._sessions()
        try:
            await session.begin()
        except BaseException:
            await session.close()
            if turn is not None:
                turn.release()
            raise
        opened: dict[UnitOfWork, _Open] = dict(_OPEN.get())
        token = _OPEN.set(MappingProxyType(opened))
        opened[self] = _Open(
            session=session, token=token, turn=turn,
            grids=GridRepository(session),
            people=PeopleRepository(session, self.clock),
            memberships=MembershipRepository(session),
            orders=OrderRepository(session, self.clock),
            events=EventRepository(session),
            outbox=OutboxRepository(session, self.clock),
            inbound=InboundRepository(session, self.clock),
            dialogs=DialogRepository(session, self.clock),
            invites=InviteRepository(session),
            agenda=AgendaRepository(session),
            meetings=MeetingRepository(session),
        )
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        state = self._state()
        _OPEN.reset(state.token)
        try:
            await state.session.rollback()
        finally:
            try:
                await state.session.close()
            finally:
                if state.turn is not None:
                    state.turn.release()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()

    @property
    def is_open(self) -> bool:
        return self in _OPEN.get()

    def _state(self) -> _Open:
        state = _OPEN.get().get(self)
        if state is None:
            raise RuntimeError("use the unit of work inside `async with uow:`")
        return state

    @property
    def session(self) -> AsyncSession:
        return self._state().session

    @property
    def grids(self) -> GridRepository:
        return self._state().grids

    @property
    def people(self) -> PeopleRepository:
        return self._state().people

    @property
    def memberships(self) -> MembershipRepository:
        return self._state().memberships

    @property
    def orders(self) -> OrderRepository:
        return self._state().orders

    @property
    def events(self) -> EventRepository:
        return self._state().events

    @property
    def outbox(self) -> OutboxRepository:
        return self._state().outbox

    @property
    def inbound(self) -> InboundRepository:
        return self._state().inbound

    @property
    def dialogs(self) -> DialogRepository:
        return self._state().dialogs

    @property
    def invites(self) -> InviteRepository:
        return self._state().invites

    @property
    def agenda(self) -> AgendaRepository:
        """议题: agenda items, their history, supports, comments and ratings."""
        return self._state().agenda

    @property
    def meetings(self) -> MeetingRepository:
        """联席会议: joint meetings, their record, agenda and attendees."""
        return self._state().meetings

    @property
    def clocks(self) -> ClockRepository:
        return ClockRepository(self.session)

    @property
    def dead_letters(self) -> DeadLetterRepository:
        return DeadLetterRepository(self.session, self.clock)

    @property
    def erasure(self) -> ErasureRepository:
        return ErasureRepository(self.session, self.clock)

    @property
    def opinions(self) -> OpinionRepository:
        """民意直报: opinions sent to a level."""
        return OpinionRepository(self.session)

    @property
    def publishing(self) -> PublishingRepository:
        return PublishingRepository(self.session, self.clock)

    @property
    def service_window(self) -> ServiceWindowRepository:
        return ServiceWindowRepository(self.session)

    @property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository(self.session, self.clock)

    @property
    def console_links(self) -> ConsoleLinkRepository:
        return ConsoleLinkRepository(self.session, self.clock)

    @property
    def order_list(self) -> OrderListRepository:
        return OrderListRepository(self.session, self.clock)

    @property
    def order_map(self) -> OrderMapRepository:
        """The console's map and red list, over the list's own statement."""
        return OrderMapRepository(self.session, self.clock)
