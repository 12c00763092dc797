"""What the repositories hand out besides the domain's own objects (people and their roles
are the domain's, in domain/people.py): accounts, memberships and messages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from domain.people import Person, Role

__all__ = ["ChannelAccount", "Membership", "OutboxMessage", "Person", "Role"]


class Caller(NamedTuple):
    """Who wrote from an account, as a turn starts: the person (None for a stranger), their
    dialog's state (None when none is open) and whether they hold a staff post."""

    person: Person | None = None
    dialog: dict[str, Any] | None = None
    holds_post: bool = False


@dataclass(frozen=True)
class ChannelAccount:
    """A person's account on one platform (Telegram user, WeChat openid, WeCom userid, web)."""

    channel: str
    external_id: str
    person_id: int
    last_seen_at: datetime | None = None
    window_sent: int = 0


@dataclass(frozen=True)
class Membership:
    person_id: int
    grid_code: str
    role: Role


class OutboxState(StrEnum):
    """Where an outbox row stands (docs/delivery.md has the transitions)."""

    OWED = "owed"            # may go at `due_at` (now, or later when scheduled)
    CLAIMED = "claimed"      # a sender carries it; `due_at` is the claim's expiry
    RETRYING = "retrying"    # an attempt failed; `due_at` is the retry's time
    HELD = "held"            # never offered (WeChat's window closed); `due_at` looks again
    GIVEN_UP = "given_up"    # refused for good; kept, unsent, for the record
    SENT = "sent"            # delivered at `sent_at`


@dataclass
class OutboxMessage:
    """A message owed: to `address` on `channel`, due at `due_at` (now when None)."""

    channel: str
    address: str
    payload: dict[str, Any]
    person_id: int | None = None
    due_at: datetime | None = None
    dedupe_key: str | None = None
    id: int | None = None
    created_at: datetime | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None
    state: OutboxState = OutboxState.OWED
    claim: int = 0   # the token of its latest claim, raised by each one
