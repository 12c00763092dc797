"""WeChat's customer-service window as the channel account counts it: when the person last
wrote (`last_seen_at`) and how many messages have gone since (`window_sent`).

The rule (48 h, 5 messages) is the transport's, in bot/wechat/window.py; these are its
statements, each one round trip.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import ChannelAccountRow

_ACCOUNT = ChannelAccountRow.__table__


class ServiceWindowRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    @staticmethod
    def _account(channel: str, address: str) -> Any:
        return (_ACCOUNT.c.channel == channel) & (_ACCOUNT.c.external_id == address)

    async def open(self, channel: str, address: str, now: datetime, sent: int = 0) -> None:
        """The person wrote at `now`: a new window, `sent` messages spent in it."""
        await self.session.execute(update(_ACCOUNT).where(self._account(channel, address))
                                   .values(last_seen_at=now, window_sent=sent))

    async def spend(self, channel: str, address: str, cost: int, opened_since: datetime,
                    most: int) -> bool:
        """Count `cost` more messages if the window opened at or after `opened_since` has room
        for them within `most`; False, and nothing counted, if not."""
        counted = await self.session.execute(
            update(_ACCOUNT)
            .where(self._account(channel, address), _ACCOUNT.c.last_seen_at >= opened_since,
                   _ACCOUNT.c.window_sent + cost <= most)
            .values(window_sent=_ACCOUNT.c.window_sent + cost)
            .returning(_ACCOUNT.c.id))
        return counted.first() is not None

    async def standing(self, channel: str, address: str
                       ) -> tuple[datetime | None, int] | None:
        """(last message at, messages sent since) for a linked account; None if unlinked."""
        row = (await self.session.execute(
            select(_ACCOUNT.c.last_seen_at, _ACCOUNT.c.window_sent)
            .where(self._account(channel, address)))).first()
        return None if row is None else (row.last_seen_at, row.window_sent)
