"""What the repositories hand out besides the domain's own objects (people and their roles
are the domain's, in domain/people.py): accounts, memberships and messages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.people import Person, Role

__all__ = ["ChannelAccount", "Membership", "OutboxMessage", "Person", "Role"]


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
