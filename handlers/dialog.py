"""One turn of a conversation: who wrote, where their dialog stands, and what we owe them.

A dialog's state lives in the database (see `storage` DialogRow), so any process continues it.
Each dialog module declares its commands, buttons and steps on a router (`handlers.routes`).
A dialog that asks questions one after another keeps the questions asked as a history, so
"back" (a button, or a typed 返回 / 上一步) returns to the one before with what was given kept.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from domain.orders import WorkOrder
from handlers import actions, texts
from handlers.actions import Action
from handlers.messages import Choice, Inbound, Outbound
from handlers.work import Work
from storage.records import OutboxMessage, Person

Handler = Callable[["Turn"], Awaitable[None]]

@dataclass
class Dialog:
    """Where a conversation stands: the step it waits at and what it gathered so far."""

    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    touched_at: datetime | None = None
    # The questions asked, oldest first, the current one last: {"step", "where", "passing"}.
    history: list[dict[str, Any]] = field(default_factory=list)

    def go(self, step: str | None, **data: Any) -> None:
        self.step = step
        self.data.update(data)

    def enter(self, step: str, passing: bool = False, **where: Any) -> None:
        """Ask a question "back" can return to; `where` (kept in `data`) says which one.

        A passing question (a follow-up such as "which of these addresses?") is left out of the
        history once the next question is asked: back from there skips it.
        """
        if self.history and self.history[-1]["passing"]:
            self.history.pop()
        mark = {"step": step, "where": where, "passing": passing}
        top = self.history[-1] if self.history else None
        if top is None or (top["step"], top["where"]) != (step, where):
            self.history.append(mark)
        else:
            top["passing"] = passing
        self.go(step, **where)

    def back(self) -> dict[str, Any] | None:
        """Return to the question before the current one, keeping what was gathered."""
        if len(self.history) < 2:
            return None
        left = self.history.pop()
        mark = self.history[-1]
        for key in left["where"].keys() - mark["where"].keys():
            self.data.pop(key, None)     # what only the question left said (a sub-list's top)
        self.go(mark["step"], **mark["where"])
        return mark

    def asked(self, key: str) -> set[Any]:
        """The values of `key` among the questions asked (and not gone back from)."""
        return {mark["where"].get(key) for mark in self.history}

    def reset(self) -> None:
        self.step, self.data, self.history = None, {}, []

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "data": self.data, "history": self.history,
                "at": self.touched_at.isoformat() if self.touched_at else None}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Dialog:
        if not raw:
            return cls()
        at = raw.get("at")
        return cls(raw.get("step"), dict(raw.get("data") or {}),
                   datetime.fromisoformat(at) if at else None,
                   [dict(mark) for mark in raw.get("history") or []])

    def idle_since(self, now: datetime, limit: timedelta) -> bool:
        return self.step is not None and self.touched_at is not None and now - self.touched_at > limit


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
    # Whether the person held a staff post as the turn began (read with them), None if unread.
    holds_post: bool | None = field(default=None, kw_only=True)

    def is_me(self, person_id: int | None) -> bool:
        return self.person is not None and person_id == self.person.id

    async def person_of(self, person_id: int) -> Person | None:
        if self.person is not None and self.person.id == person_id and not self.rolled_back:
            return self.person
        return await super().person_of(person_id)

    def say(self, text: str, choices: list[Choice] | tuple[Choice, ...] = (), *,
            menu: str | None = None) -> None:
        """Answer the person who wrote, on the channel they wrote from; `menu`: their command
        menu from now on (a role in `handlers.menus`)."""
        sender = self.inbound.sender
        self.replies.append(Outbound(sender.channel, sender.external_id, text, tuple(choices),
                                     menu=menu))

    def settle(self) -> list[OutboxMessage]:
        """Everything the turn owes as outbox rows, the answers first (not yet written)."""
        person_id = self.person.id if self.person and not self.rolled_back else None
        self.owed[:0] = [OutboxMessage(r.channel, r.external_id, replace(r, reply=True).as_payload(),
                                       person_id=person_id) for r in self.replies]
        self.replies = []
        return self.owed

    async def flush(self) -> list[OutboxMessage]:
        """The answers first, then what others are owed, all in the turn's transaction."""
        self.settle()
        return await super().flush()


def choices(*pairs: tuple[str, str | Action]) -> list[Choice]:
    """Buttons: a label and the action it carries (or, from code not yet typed, its data)."""
    return [Choice(label, data.encode() if isinstance(data, Action) else data)
            for label, data in pairs]


def back_choice(turn: Turn) -> tuple[tuple[str, Action], ...]:
    """The "back" button, on every question but the first."""
    return ((texts.BACK, actions.Back()),) if len(turn.dialog.history) > 1 else ()


def short(order: WorkOrder) -> str:
    return order.code
