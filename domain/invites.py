"""One-time invite codes that bind staff to a grid: only their keyed hash is ever stored.

A code has about 49.5 bits; a plain hash of it could be searched through from a stolen
database within an invite's lifetime. Hashed under the server's secret key (HMAC-SHA256), the
rows are worthless without the key as well.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from domain.refusals import DomainError, Refusal

# No 0/O, 1/I/L: the code may be read out over the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class InviteRefused(DomainError):
    """A wrong, used or expired code; the key says which."""


@dataclass
class Invite:
    code_hash: str
    grid_code: str
    role: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(code: str, key: bytes) -> str:
    """The code as it is stored and looked up: HMAC-SHA256 under the server's `key`."""
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def normalise(code: str) -> str:
    """People type codes with spaces, dashes and lower case; the prefix of a deep link too."""
    code = code.strip().upper().removeprefix("INV_")
    return "".join(ch for ch in code if ch.isalnum())


def redeem(invite: Invite | None, person_id: int, now: datetime) -> Invite:
    """Check a code for use and mark it used; refuse a wrong, used or expired one."""
    if invite is None:
        raise InviteRefused(Refusal.INVITE_UNKNOWN)
    if invite.used_at is not None:
        raise InviteRefused(Refusal.INVITE_USED)
    if now >= invite.expires_at:
        raise InviteRefused(Refusal.INVITE_EXPIRED)
    invite.used_at, invite.used_by = now, person_id
    return invite
