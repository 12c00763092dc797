"""What /metrics reads of the database at each scrape: two GROUP BY statements, no rows."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.records import OutboxState
from storage.repositories.outbox import UNSETTLED
from storage.tables import OutboxRow, WorkOrderRow

_ORDER = WorkOrderRow.__table__
_OUTBOX = OutboxRow.__table__


class GaugeRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def orders(self) -> list[tuple[str, str, int]]:
        """(state, urgency, how many) for every pair that has orders."""
        query = (select(_ORDER.c.state, _ORDER.c.urgency, func.count())
                 .group_by(_ORDER.c.state, _ORDER.c.urgency))
        return [(state, urgency, int(n)) for state, urgency, n in
                (await self.session.execute(query)).all()]

    async def outbox(self) -> list[tuple[str, int, int, int]]:
        """Per channel: messages owed (not sent, not given up), of those the ones whose last
        attempt failed (waiting to be retried), and the ones given up for good."""
        unsent = _OUTBOX.c.state != OutboxState.SENT
        given_up = _OUTBOX.c.state == OutboxState.GIVEN_UP
        owed = _OUTBOX.c.state.in_(UNSETTLED)
        retrying = _OUTBOX.c.state == OutboxState.RETRYING
        query = (select(_OUTBOX.c.channel,
                        func.sum(case((owed, 1), else_=0)),
                        func.sum(case((retrying, 1), else_=0)),
                        func.sum(case((given_up, 1), else_=0)))
                 .where(unsent).group_by(_OUTBOX.c.channel))
        return [(channel, int(a or 0), int(b or 0), int(c or 0)) for channel, a, b, c in
                (await self.session.execute(query)).all()]

