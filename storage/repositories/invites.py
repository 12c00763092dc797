"""Invite codes, kept only as their keyed hash (see `domain.invites`)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.invites import Invite
from storage.tables import InviteRow

_FIELDS = ("code_hash", "grid_code", "role", "created_at", "expires_at", "used_at", "used_by")


class InviteRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, invite: Invite) -> None:
        self.session.add(InviteRow(**{name: getattr(invite, name) for name in _FIELDS}))

    async def by_hash(self, code_hash: str) -> Invite | None:
        query = select(InviteRow).where(col(InviteRow.code_hash) == code_hash)
        row = (await self.session.execute(query)).scalar_one_or_none()
        return Invite(**{name: getattr(row, name) for name in _FIELDS}) if row else None

    async def mark_used(self, invite: Invite) -> bool:
        """Record a redeemed invite; False when someone else redeemed it first."""
        if invite.used_at is None or invite.used_by is None:
            raise ValueError("redeem the invite (domain.invites.redeem) before marking it used")
        result = await self.session.execute(
            update(InviteRow)
            .where(col(InviteRow.code_hash) == invite.code_hash, col(InviteRow.used_at).is_(None))
            .values(used_at=invite.used_at, used_by=invite.used_by)
            .returning(col(InviteRow.id))
            .execution_options(synchronize_session=False))
        return result.first() is not None
