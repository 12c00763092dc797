"""A transaction that may tell people things: the world a use case runs in, whatever the door.

Chat turns, the scheduler's sweeps, the web's forms and the staff console each open one, call
use cases in it, and commit once: an order, its events and what people are owed land together.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.orders import Event, WorkOrder
from handlers.deps import Deps
from handlers.messages import Choice, Outbound, Pin
from storage.records import OutboxMessage, Person
from storage.uow import UnitOfWork


@dataclass
class Work:
    """A transaction that may tell people things: a use case's whole world."""

    uow: UnitOfWork
    deps: Deps
    owed: list[OutboxMessage] = field(default_factory=list, kw_only=True)

    @property
    def now(self) -> datetime:
        return self.uow.clock.now()

    def is_me(self, person_id: int | None) -> bool:
        return False

    async def person_of(self, person_id: int) -> Person | None:
        """A person by id (the one who wrote is already at hand in a turn)."""
        return await self.uow.people.get(person_id)

    def say(self, text: str, choices: list[Choice] | tuple[Choice, ...] = (), *,
            menu: str | None = None) -> None:
        """Nobody wrote: a scheduled job has no one to answer."""

    async def tell(self, person_id: int | None, text: str,
                   choices: list[Choice] | tuple[Choice, ...] = (), photo: str | None = None,
                   dedupe_key: str | None = None, *, photos: tuple[str, ...] = (),
                   voice: str | None = None, location: Pin | None = None) -> None:
        """Tell someone (a leader, a reporter, a follower) on every channel they use; `photos`,
        `voice` and `location` go with the text (a new order as its handler must see it)."""
        if person_id is None:
            return
        if self.is_me(person_id):
            self.say(text, choices)
            return
        for account in await self.uow.people.accounts(person_id):
            out = Outbound(account.channel, account.external_id, text, tuple(choices), photo,
                           photos, voice, location)
            self.owed.append(OutboxMessage(account.channel, account.external_id, out.as_payload(),
                                           person_id=person_id, dedupe_key=dedupe_key))

    async def happened(self, order: WorkOrder, events: Sequence[Event]) -> None:
        """What follows from `events` for the people around `order` (handlers/notices.py):
        every door that runs a use case tells the same people the same things."""
        await self.deps.notices(self, order, events)

    async def flush(self) -> list[OutboxMessage]:
        """Everything this work owes, as outbox rows, written in its transaction."""
        await self.uow.outbox.add_all(self.owed)
        return self.owed
