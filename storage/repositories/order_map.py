"""The staff console's map and red list: the list's own statement (`order_list.filtered`), so
the map and the figures page show exactly the orders the person's list shows, no other rule."""
from __future__ import annotations

from typing import Any

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders import State, WorkOrder
from storage.order_filter import OrderFilter, OrderScope
from storage.repositories._sql import dialect_name
from storage.repositories.order_list import filtered
from storage.repositories.orders import to_order
from storage.tables import EventRow, WorkOrderRow

_O, _E = WorkOrderRow.__table__, EventRow.__table__
OPEN = tuple(s for s in State if not s.is_final)


def red_listed_mark() -> Any:
    """Orders put on the red list (督办: still overdue days after the notice)."""
    return exists().where(_E.c.order_code == _O.c.code, _E.c.kind == "red_listed")


class OrderMapRepository:
    def __init__(self, session: AsyncSession, clock: Any):
        self.session, self.clock = session, clock

    def _filtered(self, scope: OrderScope, wanted: OrderFilter) -> Any:
        return filtered(scope, wanted, self.clock.now(), dialect_name(self.session))

    async def points(self, scope: OrderScope, wanted: OrderFilter, most: int
                     ) -> tuple[list[tuple[float, float]], bool]:
        """(lat, lng) of the listed orders with a pin, in the list's order, at most `most`;
        and whether there were more."""
        query = (self._filtered(scope, wanted).with_only_columns(_O.c.lat, _O.c.lng)
                 .where(_O.c.lat.is_not(None), _O.c.lng.is_not(None)).limit(most + 1))
        rows = (await self.session.execute(query)).all()
        return [(float(lat), float(lng)) for lat, lng in rows[:most]], len(rows) > most

    async def red_listed(self, scope: OrderScope, most: int = 100) -> list[WorkOrder]:
        """The open orders of the scope on the red list, nearest their deadline first."""
        wanted = OrderFilter(states=OPEN, sort="resolve_due", descending=False)
        query = self._filtered(scope, wanted).where(red_listed_mark()).limit(most)
        return [to_order(row) for row in (await self.session.execute(query)).all()]
