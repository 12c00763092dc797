"""Messages in and out: the outbox owed to people, inbound de-duplication, dialog state."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.clock import Clock
from storage.repositories._sql import Prepared, insert_for
from storage.tables import DialogRow, InboundRow

_INBOUND = InboundRow.__table__
_DIALOG = DialogRow.__table__
# The statements of every chat turn, built once (see `Prepared`).
_SEEN = Prepared(lambda dialect: insert_for(dialect, _INBOUND).on_conflict_do_nothing()
                 .returning(_INBOUND.c.channel, _INBOUND.c.external_id))
_FORGET_DIALOG = delete(_DIALOG).where(_DIALOG.c.channel == bindparam("account_channel"),
                                       _DIALOG.c.external_id == bindparam("account_id"))
_GET_DIALOG = select(_DIALOG.c.state).where(_DIALOG.c.channel == bindparam("account_channel"),
                                            _DIALOG.c.external_id == bindparam("account_id"))


def _put_dialogs(dialect: str) -> Any:
    statement = insert_for(dialect, _DIALOG)
    return statement.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at})


_PUT_DIALOGS = Prepared(_put_dialogs)


class InboundRepository:
    """Platforms redeliver; each update is handled once."""

    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def seen(self, channel: str, external_id: str) -> bool:
        """Record an inbound update; True when it had been recorded before."""
        return not await self.first_seen([(channel, external_id)])

    async def first_seen(self, updates: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Record several (channel, update id) in one statement; returns those new until now."""
        if not updates:
            return set()
        now = self.clock.now()
        # One statement built once, many rows ("insertmanyvalues"), rather than a VALUES
        # list built and compiled anew for every batch.
        result = await self.session.execute(_SEEN(self.session), [
            {"channel": channel, "external_id": str(external_id), "received_at": now}
            for channel, external_id in updates])
        return {(row.channel, row.external_id) for row in result}

    async def forget_before(self, cutoff: datetime) -> None:
        """Drop records older than any redelivery could be."""
        await self.session.execute(delete(InboundRow).where(col(InboundRow.received_at) < cutoff))


class DialogRepository:
    """Where each conversation stands, keyed by platform account."""

    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def get(self, channel: str, external_id: str) -> dict[str, Any] | None:
        state = (await self.session.execute(_GET_DIALOG, {
            "account_channel": channel, "account_id": external_id})).scalar_one_or_none()
        return dict(state) if state is not None else None

    async def put(self, channel: str, external_id: str, state: dict[str, Any]) -> None:
        await self.put_all({(channel, external_id): state})

    async def put_all(self, states: dict[tuple[str, str], dict[str, Any]]) -> None:
        """Several accounts' dialogs in one statement (a batch of turns)."""
        if not states:
            return
        now = self.clock.now()
        await self.session.execute(_PUT_DIALOGS(self.session), [
            {"channel": channel, "external_id": external_id, "state": state, "updated_at": now}
            for (channel, external_id), state in states.items()])

    async def clear(self, channel: str, external_id: str) -> None:
        await self.clear_all([(channel, external_id)])

    async def clear_all(self, accounts: list[tuple[str, str]]) -> None:
        if accounts:
            await self.session.execute(_FORGET_DIALOG, [
                {"account_channel": channel, "account_id": external_id}
                for channel, external_id in accounts])
