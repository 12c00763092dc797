"""One-time invite codes that bind staff to a grid: only their hash is ever stored."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

# No 0/O, 1/I/L: the code may be read out over the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class InviteRefused(Exception):
    """A wrong, used or expired code; the message says which, fit to show a person."""


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


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    """People type codes with spaces, dashes and lower case; the prefix of a deep link too."""
    code = code.strip().upper().removeprefix("INV_")
    return "".join(ch for ch in code if ch.isalnum())


def redeem(invite: Invite | None, person_id: int, now: datetime) -> Invite:
    """Check a code for use and mark it used; refuse a wrong, used or expired one."""
    if invite is None:
        raise InviteRefused("邀请码不正确，请核对后重试。")
    if invite.used_at is not None:
        raise InviteRefused("该邀请码已被使用，请向管理员索取新的邀请码。")
    if now >= invite.expires_at:
        raise InviteRefused("该邀请码已过期，请向管理员索取新的邀请码。")
    invite.used_at, invite.used_by = now, person_id
    return invite
