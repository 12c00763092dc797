"""Work orders (with optimistic versions), their followers, and their numbering."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.order_codes import order_code
from domain.orders import Satisfaction, State, Urgency, WorkOrder
from storage.clock import Clock
from storage.repositories._sql import claim, daily_counter, insert
from storage.tables import OrderFollowerRow, OrderSequenceRow, WorkOrderRow

_ORDER = WorkOrderRow.__table__
_FIELDS = tuple(f.name for f in dataclasses.fields(WorkOrder))
_COLUMNS = tuple(_ORDER.columns)
DueField = Literal["sign_due", "resolve_due", "resolved_at"]
_FOLLOWER = OrderFollowerRow.__table__
_SEQUENCE = OrderSequenceRow.__table__
# The statements of filing an order, built once (see storage.repositories._sql.Prepared).
_WRITE = _ORDER.insert()
_FILED_SINCE = select(func.count()).select_from(_ORDER).where(
    _ORDER.c.reporter_id == bindparam("reporter"), _ORDER.c.created_at >= bindparam("since"))
_OPEN_NEAR = (
    select(*_COLUMNS)
    .where(_ORDER.c.category == bindparam("kind"), _ORDER.c.created_at >= bindparam("since"),
           _ORDER.c.lat.between(bindparam("south"), bindparam("north")),
           _ORDER.c.lng.between(bindparam("west"), bindparam("east")),
           _ORDER.c.state.in_([state.value for state in State if not state.is_final]))
    .order_by(_ORDER.c.created_at.desc(), _ORDER.c.code.desc()).limit(bindparam("most")))
_FOLLOWERS = (select(_FOLLOWER.c.person_id).where(_FOLLOWER.c.order_code == bindparam("order"))
              .order_by(_FOLLOWER.c.since, _FOLLOWER.c.person_id))


_NEXT_NUMBER = daily_counter(_SEQUENCE)


class StaleOrder(Exception):
    """Someone else saved this order since it was loaded; load it again and retry."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(f"order {code} was changed by someone else: load it again")


def order_values(order: WorkOrder) -> dict[str, Any]:
    values = {name: getattr(order, name) for name in _FIELDS}
    for name in ("state", "urgency", "satisfaction"):
        if values[name] is not None:
            values[name] = values[name].value
    return values


def to_order(row: Any) -> WorkOrder:
    values = {name: getattr(row, name) for name in _FIELDS}
    values["state"] = State(values["state"])
    values["urgency"] = Urgency(values["urgency"])
    if values["satisfaction"] is not None:
        values["satisfaction"] = Satisfaction(values["satisfaction"])
    return WorkOrder(**values)


class OrderRepository:
    """Orders come out as domain `WorkOrder`s; `save` refuses to overwrite a newer version."""

    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock
        self._versions: dict[str, int] = {}
        self._filed_here: set[str] = set()
        self._followed: set[str] = set()

    async def get(self, code: str) -> WorkOrder | None:
        query = select(*_COLUMNS).where(_ORDER.c.code == code)
        row = (await self.session.execute(query)).first()
        return self._loaded(row) if row else None

    async def add(self, order: WorkOrder) -> None:
        """Insert a new order, as it stands now, at version 1."""
        await self.session.execute(_WRITE, {**order_values(order), "version": 1})
        self._versions[order.code] = 1
        self._filed_here.add(order.code)

    async def save(self, order: WorkOrder) -> None:
        """Write back an order loaded or added in this unit of work; raises `StaleOrder`."""
        version = self._versions.get(order.code)
        if version is None:
            raise ValueError(f"order {order.code} was not loaded in this unit of work")
        result = await self.session.execute(
            update(_ORDER)
            .where(_ORDER.c.code == order.code, _ORDER.c.version == version)
            .values(**order_values(order), version=version + 1)
            .returning(_ORDER.c.version))
        if result.first() is None:
            raise StaleOrder(order.code)
        self._versions[order.code] = version + 1

    async def next_code(self, day: date) -> str:
        """The next public number of the day, WG-YYYYMMDD-NNNN, counted atomically."""
        number = (await self.session.execute(_NEXT_NUMBER(self.session),
                                             {"today": f"{day:%Y%m%d}"})).scalar_one()
        return order_code(day, number)

    async def due(self, state: State, field: DueField, before: datetime,
                  limit: int = 100) -> list[WorkOrder]:
        """Orders in `state` whose `field` is at or before `before`, claimed for this worker."""
        column = _ORDER.c[field]
        query = (select(*_COLUMNS).where(_ORDER.c.state == state.value, column <= before)
                 .order_by(column, _ORDER.c.code).limit(limit))
        return [self._loaded(row) for row in (await self.session.execute(
            claim(self.session, query))).all()]

    async def assigned_to(self, person_id: int,
                          states: Iterable[State] = (State.DISPATCHED, State.ACCEPTED),
                          limit: int = 50) -> list[WorkOrder]:
        """A handler's work, oldest first."""
        query = (select(*_COLUMNS).where(_ORDER.c.assignee_id == person_id,
                                      _ORDER.c.state.in_([s.value for s in states]))
                 .order_by(_ORDER.c.created_at, _ORDER.c.code).limit(limit))
        return [self._loaded(row) for row in (await self.session.execute(query)).all()]

    async def reported_by(self, person_id: int, limit: int = 20) -> list[WorkOrder]:
        """A reporter's orders, newest first."""
        query = (select(*_COLUMNS).where(_ORDER.c.reporter_id == person_id)
                 .order_by(_ORDER.c.created_at.desc(), _ORDER.c.code.desc()).limit(limit))
        return [self._loaded(row) for row in (await self.session.execute(query)).all()]

    async def count_reported_since(self, person_id: int, since: datetime) -> int:
        """How many orders a person filed since `since`: the flood limit's count."""
        return (await self.session.execute(
            _FILED_SINCE, {"reporter": person_id, "since": since})).scalar_one()

    async def open_near(self, category: str, since: datetime,
                        box: tuple[float, float, float, float], limit: int = 50
                        ) -> list[WorkOrder]:
        """Orders of a category filed since `since`, not yet final, pinned inside `box`
        ((south, west, north, east), see `domain.geo.box_around`): me-too candidates."""
        south, west, north, east = box
        rows = await self.session.execute(_OPEN_NEAR, {
            "kind": category, "since": since, "south": south, "north": north, "west": west,
            "east": east, "most": limit})
        return [self._loaded(row) for row in rows.all()]

    async def follow(self, code: str, person_id: int) -> bool:
        """A me-too reporter follows the order; False when they already did."""
        statement = insert(self.session, OrderFollowerRow.__table__).values(
            order_code=code, person_id=person_id, since=self.clock.now())
        result = await self.session.execute(
            statement.on_conflict_do_nothing().returning(OrderFollowerRow.person_id))
        self._followed.add(code)
        return result.first() is not None

    async def followers(self, code: str) -> list[int]:
        if code in self._filed_here and code not in self._followed:
            return []   # filed in this very transaction: nobody could have followed it yet
        return list((await self.session.execute(_FOLLOWERS, {"order": code})).scalars())

    def _loaded(self, row: Any) -> WorkOrder:
        self._versions[row.code] = row.version
        return to_order(row)
