"""Partner systems' Open311 keys (kept as hashes) and what they may read: orders and updates.

A key belongs to a partner person (kind "external_system"); the orders a partner files are that
person's, so ownership is `reporter_id`. The public list reads only orders of publishable
categories that were neither invalidated nor merged (what the echo wall may ever show).
"""
from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.orders import State, WorkOrder
from storage.clock import Clock
from storage.records import Person
from storage.repositories.orders import to_order
from storage.tables import ApiKeyRow, EventRow, PartnerRequestRow, PersonRow, WorkOrderRow

EXTERNAL_SYSTEM = "external_system"     # a person kind: a partner system that files orders
_ORDER = WorkOrderRow.__table__
_EVENT = EventRow.__table__
NEVER_PUBLIC = (State.INVALID.value, State.MERGED.value)


def key_hash(raw_key: str) -> str:
    """SHA-256 of the key: keys are 256-bit random, so no slow hash or pepper is needed."""
    return hashlib.sha256(raw_key.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    person_id: int
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class OrderUpdate:
    """One line of an order's history as a partner follows it."""

    id: int
    order_code: str
    kind: str
    at: datetime
    to_state: State | None
    reason: str | None


@dataclass(frozen=True)
class RequestQuery:
    """Which orders a GET of requests asks for (the Open311 filters)."""

    start: datetime
    end: datetime
    codes: Collection[str] = ()
    categories: Collection[str] = ()
    states: Collection[State] = ()
    limit: int = 1000


def _key(row: ApiKeyRow) -> ApiKey:
    assert row.id is not None
    return ApiKey(row.id, row.name, row.person_id, row.created_at, row.revoked_at)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def create(self, name: str, raw_key: str) -> ApiKey:
        """A new key for partner `name`; a partner named before keeps its person (its orders)."""
        person_id = (await self.session.execute(
            select(col(ApiKeyRow.person_id)).where(col(ApiKeyRow.name) == name).limit(1))).scalar()
        if person_id is None:
            person = Person(name=name, kind=EXTERNAL_SYSTEM, created_at=self.clock.now())
            row = PersonRow(**{k: v for k, v in vars(person).items() if k != "id"})
            self.session.add(row)
            await self.session.flush()
            assert row.id is not None
            person_id = row.id
        key = ApiKeyRow(name=name, key_hash=key_hash(raw_key), person_id=person_id,
                        created_at=self.clock.now())
        self.session.add(key)
        await self.session.flush()
        return _key(key)

    async def active(self, raw_key: str) -> ApiKey | None:
        """The unrevoked key with this value, else None."""
        query = select(ApiKeyRow).where(col(ApiKeyRow.key_hash) == key_hash(raw_key),
                                        col(ApiKeyRow.revoked_at).is_(None))
        row = (await self.session.execute(query)).scalar()
        return _key(row) if row else None

    async def all(self) -> list[ApiKey]:
        rows = await self.session.execute(select(ApiKeyRow).order_by(col(ApiKeyRow.id)))
        return [_key(row) for row in rows.scalars()]

    async def revoke(self, name: str) -> int:
        """Revoke every live key of partner `name`; how many were."""
        result = await self.session.execute(
            update(ApiKeyRow)
            .where(col(ApiKeyRow.name) == name, col(ApiKeyRow.revoked_at).is_(None))
            .values(revoked_at=self.clock.now()).returning(col(ApiKeyRow.id)))
        return len(result.all())

    async def record_request(self, order_code: str, key: ApiKey, token: str) -> None:
        self.session.add(PartnerRequestRow(order_code=order_code, api_key_id=key.id, token=token,
                                           created_at=self.clock.now()))

    async def by_token(self, token: str) -> str | None:
        return (await self.session.execute(select(col(PartnerRequestRow.order_code)).where(
            col(PartnerRequestRow.token) == token))).scalar()

    async def requests(self, query: RequestQuery, owner: int | None,
                       publishable: Collection[str]) -> list[WorkOrder]:
        """Orders for a GET of requests: the owner's own, or any the public may see."""
        conditions: list[Any] = [_ORDER.c.created_at >= query.start,
                                 _ORDER.c.created_at <= query.end]
        if owner is not None:
            conditions.append(_ORDER.c.reporter_id == owner)
        else:
            conditions += [_ORDER.c.category.in_(list(publishable)),
                           _ORDER.c.state.not_in(NEVER_PUBLIC)]
        if query.codes:
            conditions.append(_ORDER.c.code.in_(list(query.codes)))
        if query.categories:
            conditions.append(_ORDER.c.category.in_(list(query.categories)))
        if query.states:
            conditions.append(_ORDER.c.state.in_([s.value for s in query.states]))
        rows = await self.session.execute(
            select(*_ORDER.columns).where(*conditions)
            .order_by(_ORDER.c.created_at.desc(), _ORDER.c.code.desc()).limit(query.limit))
        return [to_order(row) for row in rows]

    async def updates(self, owner: int, start: datetime, end: datetime, kinds: Collection[str],
                      limit: int = 1000) -> list[OrderUpdate]:
        """The history (events of `kinds`) of the owner's orders between two moments, oldest
        first."""
        rows = await self.session.execute(
            select(_EVENT.c.id, _EVENT.c.order_code, _EVENT.c.kind, _EVENT.c.at,
                   _EVENT.c.to_state, _EVENT.c.reason)
            .join(_ORDER, _ORDER.c.code == _EVENT.c.order_code)
            .where(_ORDER.c.reporter_id == owner, _EVENT.c.at >= start, _EVENT.c.at < end,
                   _EVENT.c.kind.in_(list(kinds)))
            .order_by(_EVENT.c.at, _EVENT.c.id).limit(limit))
        return [OrderUpdate(row.id, row.order_code, row.kind, row.at,
                            State(row.to_state) if row.to_state else None, row.reason)
                for row in rows]

    async def last_update_id(self, order_code: str, kind: str) -> int | None:
        """The id of the order's latest event of `kind` (the update just written)."""
        return (await self.session.execute(
            select(_EVENT.c.id).where(_EVENT.c.order_code == order_code, _EVENT.c.kind == kind)
            .order_by(_EVENT.c.id.desc()).limit(1))).scalar()
