"""One-time sign-in links to the staff console and the sessions they open, kept as digests.

A link is redeemed once, atomically (two clicks racing: one wins); its session lasts until its
end or until signed out. Rows whose session (or unused link) is over are pruned as new links
are issued, so the table holds only what may still matter.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import Clock
from storage.tables import ConsoleLinkRow

_LINK = ConsoleLinkRow.__table__


def digest(token: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so no slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class ConsoleLinkRepository:
    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def issue(self, token: str, person_id: int, lifetime: timedelta) -> datetime:
        """Store a new link for `person_id`; answers when it expires."""
        now = self.clock.now()
        await self.session.execute(delete(_LINK).where(or_(
            _LINK.c.session_until < now - timedelta(days=1),
            (_LINK.c.used_at.is_(None)) & (_LINK.c.expires_at < now - timedelta(days=1)))))
        await self.session.execute(_LINK.insert().values(
            token_hash=digest(token), person_id=person_id, created_at=now,
            expires_at=now + lifetime))
        return now + lifetime

    async def redeem(self, token: str, session_token: str, lifetime: timedelta) -> int | None:
        """The person a valid unused link names, the link marked used and a session opened;
        None for an unknown, used or expired link."""
        now = self.clock.now()
        result = await self.session.execute(
            update(_LINK)
            .where(_LINK.c.token_hash == digest(token), _LINK.c.used_at.is_(None),
                   _LINK.c.expires_at > now)
            .values(used_at=now, session_hash=digest(session_token), session_until=now + lifetime)
            .returning(_LINK.c.person_id))
        person_id: int | None = result.scalar_one_or_none()
        return person_id

    async def session_of(self, session_token: str) -> int | None:
        """The person of a live session: not expired, not signed out."""
        query = select(_LINK.c.person_id).where(
            _LINK.c.session_hash == digest(session_token), _LINK.c.signed_out_at.is_(None),
            _LINK.c.session_until > self.clock.now())
        return (await self.session.execute(query)).scalar_one_or_none()

    async def sign_out(self, session_token: str) -> None:
        await self.session.execute(
            update(_LINK).where(_LINK.c.session_hash == digest(session_token),
                                _LINK.c.signed_out_at.is_(None))
            .values(signed_out_at=self.clock.now()))
