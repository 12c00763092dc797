"""One turn of a conversation: who wrote, where their dialog stands, and what we owe them.

A dialog's state lives in the database (see `storage` DialogRow), so any process continues it.
Handlers register themselves by command, by button prefix and by dialog step.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.orders import WorkOrder
from handlers.messages import Choice, Inbound, Outbound, Pin
from storage.records import OutboxMessage, Person
from storage.uow import UnitOfWork

Handler = Callable[["Turn"], Awaitable[None]]

COMMANDS: dict[str, Handler] = {}
BUTTONS: dict[str, Handler] = {}
STEPS: dict[str, Handler] = {}


def command(*names: str):
    def register(handler: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = handler
        return handler
    return register


def button(prefix: str):
    """Handles choices whose data is `prefix` or starts with `prefix:`."""
    def register(handler: Handler) -> Handler:
        BUTTONS[prefix] = handler
        return handler
    return register


def step(name: str):
    """Handles free input (text, photo, location, voice) while the dialog waits at `name`."""
    def register(handler: Handler) -> Handler:
        STEPS[name] = handler
        return handler
    return register


@dataclass
class Dialog:
    """Where a conversation stands: the step it waits at and what it gathered so far."""

    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    touched_at: datetime | None = None

    def go(self, step: str | None, **data: Any) -> None:
        self.step = step
        self.data.update(data)

    def reset(self) -> None:
        self.step, self.data = None, {}

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "data": self.data,
                "at": self.touched_at.isoformat() if self.touched_at else None}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Dialog:
        if not raw:
            return cls()
        at = raw.get("at")
        return cls(raw.get("step"), dict(raw.get("data") or {}),
                   datetime.fromisoformat(at) if at else None)

    def idle_since(self, now: datetime, limit: timedelta) -> bool:
        return self.step is not None and self.touched_at is not None and now - self.touched_at > limit


@dataclass
class Work:
    """A transaction that may tell people things: a use case's whole world."""

    uow: UnitOfWork
    deps: Any                      # handlers.deps.Deps (kept loose to avoid an import cycle)
    owed: list[OutboxMessage] = field(default_factory=list, kw_only=True)

    @property
    def now(self) -> datetime:
        return self.uow.clock.now()

    def is_me(self, person_id: int | None) -> bool:
        return False

    def say(self, text: str, choices: list[Choice] | tuple[Choice, ...] = ()) -> None:
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

    async def flush(self) -> list[OutboxMessage]:
        """Everything this work owes, as outbox rows, written in its transaction."""
        await self.uow.outbox.add_all(self.owed)
        return self.owed


@dataclass
class Turn(Work):
    """What a handler may use while answering one inbound message."""

    inbound: Inbound
    person: Person | None
    dialog: Dialog
    replies: list[Outbound] = field(default_factory=list, kw_only=True)
    # Set when the turn's changes were rolled back: its answers then go to the account that
    # wrote, never to a person id, which may have been created in the undone transaction.
    rolled_back: bool = field(default=False, kw_only=True)

    def is_me(self, person_id: int | None) -> bool:
        return self.person is not None and person_id == self.person.id

    @property
    def arg(self) -> str:
        """The part of a pressed choice after its prefix: `sign:WG-…` → `WG-…`."""
        data = self.inbound.button or ""
        return data.split(":", 1)[1] if ":" in data else ""

    def say(self, text: str, choices: list[Choice] | tuple[Choice, ...] = ()) -> None:
        """Answer the person who wrote, on the channel they wrote from."""
        sender = self.inbound.sender
        self.replies.append(Outbound(sender.channel, sender.external_id, text, tuple(choices)))

    def settle(self) -> list[OutboxMessage]:
        """Everything the turn owes as outbox rows, the answers first (not yet written)."""
        person_id = self.person.id if self.person and not self.rolled_back else None
        self.owed[:0] = [OutboxMessage(r.channel, r.external_id, r.as_payload(),
                                       person_id=person_id) for r in self.replies]
        self.replies = []
        return self.owed

    async def flush(self) -> list[OutboxMessage]:
        """The answers first, then what others are owed, all in the turn's transaction."""
        self.settle()
        return await super().flush()


def choices(*pairs: tuple[str, str]) -> list[Choice]:
    return [Choice(label, data) for label, data in pairs]


def short(order: WorkOrder) -> str:
    return order.code
