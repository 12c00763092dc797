"""What goes public and what goes out weekly: the echo wall (回音壁) and the digests' figures.

The figures are computed in SQL, on the events of the orders alive in the period only (created
before its end, not final before its start): every figure of a period comes from such an order,
so the rest of the history is never read. The statements follow `domain.metrics` and
`domain.points` rule for rule (tests/echo compare them); grace periods are not supported.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.metrics import Rates
from domain.orders import Event, State, WorkOrder
from domain.points import PointsRules
from domain.settlement import Settlement
from storage.clock import Clock
from storage.records import OutboxMessage, Role
from storage.repositories._sql import claim, dialect_name, insert
from storage.repositories.events import event_values, to_event
from storage.repositories.order_map import red_listed_mark
from storage.repositories.orders import _COLUMNS, to_order
from storage.repositories.outbox import UNSETTLED
from storage.repositories.settled import settlement_fold, settlement_query
from storage.tables import (
    ChannelAccountRow,
    EventRow,
    MembershipRow,
    OrderFollowerRow,
    OutboxRow,
    PersonRow,
    WorkOrderRow,
    non_null,
)

_O, _E = WorkOrderRow.__table__, EventRow.__table__
from storage.repositories.figures import (
    OPEN,
    POINTS,
    figure_parts,
    sql_at,
    sql_awards,
    sql_flag,
    sql_fold,
    sql_riders,
)


class OpenOrder(NamedTuple):
    code: str
    category: str
    state: str
    grid_code: str | None
    unit_code: str | None
    resolve_due: datetime | None


class Recipient(NamedTuple):
    """Someone a digest goes to, on one of their accounts, about one grid."""

    person_id: int
    grid_code: str | None
    role: str | None          # None for a subscribed resident
    channel: str
    external_id: str


# --- three statements SQLite and PostgreSQL spell differently -----------------------------------

class PublishingRepository:
    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    # --- the echo wall ----------------------------------------------------------------------

    async def unpublished(self, categories: Collection[str], limit: int = 100) -> list[WorkOrder]:
        """Closed orders of publishable categories not yet on the wall, claimed, oldest first."""
        query = (select(*_COLUMNS)
                 .where(_O.c.state == State.CLOSED.value, _O.c.published_at.is_(None),
                        _O.c.category.in_(list(categories)))
                 .order_by(_O.c.closed_at, _O.c.code).limit(limit))
        rows = (await self.session.execute(claim(self.session, query))).all()
        return [to_order(row) for row in rows]

    async def mark_published(self, codes: Collection[str], at: datetime) -> None:
        await self.session.execute(
            update(_O).where(_O.c.code.in_(list(codes)), _O.c.published_at.is_(None))
            .values(published_at=at))

    async def record(self, events: list[Event]) -> None:
        """Append many events in one statement (the ORM would insert them one by one)."""
        if events:
            await self.session.execute(_E.insert(), [event_values(e) for e in events])

    async def histories(self, codes: Collection[str]) -> dict[str, list[Event]]:
        found: dict[str, list[Event]] = defaultdict(list)
        query = (select(EventRow).where(col(EventRow.order_code).in_(list(codes)))
                 .order_by(col(EventRow.at), col(EventRow.id)))
        for row in (await self.session.execute(query)).scalars():
            found[row.order_code].append(to_event(row))
        return found

    async def followers_of(self, codes: Collection[str]) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        query = select(col(OrderFollowerRow.order_code), col(OrderFollowerRow.person_id)).where(
            col(OrderFollowerRow.order_code).in_(list(codes)))
        for code, person_id in (await self.session.execute(query)).all():
            found[code].append(person_id)
        return found

    async def names(self, person_ids: Collection[int]) -> dict[int, tuple[str, str | None]]:
        """Name and nickname of each person: what must be scrubbed from public text."""
        query = select(non_null(PersonRow.id), col(PersonRow.name), col(PersonRow.nickname)).where(
            col(PersonRow.id).in_(list(person_ids)))
        return {pid: (name, nick) for pid, name, nick in (await self.session.execute(query)).all()}

    async def last_due(self, channel: str, address: str) -> datetime | None:
        """When the last message still to go to one chat falls due: pacing starts after it."""
        query = select(func.max(col(OutboxRow.due_at))).where(
            col(OutboxRow.channel) == channel, col(OutboxRow.address) == address,
            col(OutboxRow.state).in_(UNSETTLED))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def wall(self, grid_codes: Collection[str] | None = None,
                   categories: Collection[str] | None = None,
                   limit: int = 50) -> list[dict[str, Any]]:
        """The newest entries, as published, of some grids and categories."""
        query = select(_O.c.code).where(_O.c.published_at.is_not(None))
        if grid_codes is not None:
            query = query.where(_O.c.grid_code.in_(list(grid_codes)))
        if categories is not None:
            query = query.where(_O.c.category.in_(list(categories)))
        codes = list((await self.session.execute(
            query.order_by(_O.c.published_at.desc(), _O.c.code.desc()).limit(limit))).scalars())
        if not codes:
            return []
        rows = (await self.session.execute(
            select(_E.c.order_code, _E.c.data).where(_E.c.order_code.in_(codes),
                                                     _E.c.kind == "published"))).all()
        entries = {code: dict(data) for code, data in rows}
        return [entries[code] for code in codes if code in entries]

    async def highlights(self, start: datetime, end: datetime,
                         per_community: int = 3) -> dict[str, list[dict[str, Any]]]:
        """The best published entries of the period in each community (data["rank"], then news)."""
        community = _E.c.data["community"].as_string()
        ranked = select(community.label("community"), _E.c.data, func.row_number().over(
            partition_by=community,
            order_by=(_E.c.data["rank"].as_integer().desc(), _E.c.at.desc(), _E.c.id.desc()),
        ).label("n")).where(_E.c.kind == "published", _E.c.at >= sql_at(start),
                            _E.c.at < sql_at(end)).subquery()
        query = select(ranked.c.community, ranked.c.data).where(ranked.c.n <= per_community)
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for key, data in (await self.session.execute(query.order_by(ranked.c.n))).all():
            found[key].append(dict(data))
        return found

    async def owe_once(self, messages: list[OutboxMessage], chunk: int = 2000) -> None:
        """Owe many messages in bulk; one whose `dedupe_key` was owed before is left out."""
        now = self.clock.now()
        values = [{"person_id": m.person_id, "channel": m.channel, "address": m.address,
                   "payload": m.payload, "created_at": now, "due_at": m.due_at or now,
                   "attempts": 0, "dedupe_key": m.dedupe_key} for m in messages]
        statement = insert(self.session, OutboxRow.__table__).on_conflict_do_nothing(
            index_elements=["dedupe_key"])
        for start in range(0, len(values), chunk):
            await self.session.execute(statement, values[start:start + chunk])

    # --- the figures --------------------------------------------------------------------------

    async def figures(self, start: datetime, end: datetime, now: datetime,
                      born: tuple[datetime | None, datetime | None] = (None, None)
                      ) -> tuple[dict[str | None, Rates], dict[str | None, int]]:
        """Per reported grid: `domain.metrics` figures of [start, end), and the new orders.

        `born` = (from, until) keeps the orders created in that span only: figures of
        disjoint spans add up to the whole, so slices can be read side by side.
        """
        if dialect_name(self.session) == "postgresql":
            # Compiling these plans to machine code costs more than running them; the week's
            # histories (~140,000 events over a million orders) are sorted in memory, not on disk.
            await self.session.execute(sa.text("SET LOCAL jit = off"))
            await self.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        rows = (await self.session.execute(
            sa.union_all(*figure_parts(start, end, now, born)))).all()
        return sql_fold(list(rows))

    async def settlement(self, start: datetime, end: datetime, now: datetime
                         ) -> dict[str | None, Settlement]:
        """Per reported grid: orders closed in [start, end) and where they were settled
        (小事不出网格率, 大事不出社区率), as `domain.settlement` counts them."""
        rows = (await self.session.execute(settlement_query(start, end, now))).all()
        return settlement_fold(rows)

    async def open_orders(self, per_grid: int = 10, now: datetime | None = None
                          ) -> tuple[dict[str | None, list[OpenOrder]],
                                     dict[str | None, tuple[int, int]]]:
        """Each grid's open orders nearest their deadline (first), and (open, overdue) counts."""
        now = now or self.clock.now()
        ranked = select(_O.c.code, _O.c.category, _O.c.state, _O.c.grid_code, _O.c.unit_code,
                        _O.c.resolve_due, func.row_number().over(
                            partition_by=_O.c.grid_code,
                            order_by=(_O.c.resolve_due.is_(None), _O.c.resolve_due, _O.c.code),
                        ).label("n")).where(_O.c.state.in_(OPEN)).subquery()
        tops: dict[str | None, list[OpenOrder]] = defaultdict(list)
        query = select(*(c for c in ranked.c if c.name != "n")).where(ranked.c.n <= per_grid)
        for row in (await self.session.execute(query.order_by(ranked.c.n))).all():
            tops[row.grid_code].append(OpenOrder(*row))
        counts_query = (select(_O.c.grid_code, func.count(),
                               func.sum(sql_flag(_O.c.resolve_due < sql_at(now))))
                        .where(_O.c.state.in_(OPEN)).group_by(_O.c.grid_code))
        counts = {grid: (total, int(late or 0))
                  for grid, total, late in (await self.session.execute(counts_query)).all()}
        return tops, counts

    async def red_listed(self) -> list[OpenOrder]:
        """Open orders put on the red list (督办: still overdue days after the notice)."""
        query = (select(_O.c.code, _O.c.category, _O.c.state, _O.c.grid_code, _O.c.unit_code,
                        _O.c.resolve_due).where(_O.c.state.in_(OPEN), red_listed_mark())
                 .order_by(_O.c.resolve_due, _O.c.code))
        return [OpenOrder(*row) for row in (await self.session.execute(query)).all()]

    async def rider_points(self, start: datetime, end: datetime, now: datetime,
                           rules: PointsRules = POINTS) -> dict[int, tuple[str, int]]:
        """先锋指数 of [start, end) for riders with an opt-in nickname: id → (nickname, points)."""
        nicknames = dict((await self.session.execute(sql_riders())).all())
        if not nicknames:
            return {}
        rows = (await self.session.execute(sql_awards(start, end, now, rules))).all()
        gains: dict[int, int] = defaultdict(int)
        losses: dict[int, int] = defaultdict(int)
        for person, points in rows:
            if person in nicknames:
                (gains if points > 0 else losses)[person] += points
        # Credited in time order, gains stop at the cap and losses always count: that sum is
        # min(gains, cap) + losses, whatever the order.
        return {person: (nicknames[person].strip(),
                         min(gains[person], rules.monthly_cap) + losses[person])
                for person in set(gains) | set(losses)}

    async def own_points(self, rider_id: int, start: datetime, end: datetime, now: datetime,
                         rules: PointsRules = POINTS) -> int:
        """One rider's 先锋指数 of [start, end), whether or not they show on the leaderboard."""
        rows = (await self.session.execute(sql_awards(start, end, now, rules, rider_id))).all()
        gains: int = sum(points for _, points in rows if points > 0)
        losses: int = sum(points for _, points in rows if points < 0)
        return min(gains, rules.monthly_cap) + losses

    # --- audiences ---------------------------------------------------------------------------

    async def subscribers(self) -> list[Recipient]:
        query = (select(non_null(PersonRow.id), col(PersonRow.home_grid),
                        col(ChannelAccountRow.channel), col(ChannelAccountRow.external_id))
                 .join(ChannelAccountRow, col(ChannelAccountRow.person_id) == PersonRow.id)
                 .where(col(PersonRow.subscribed).is_(True))
                 .order_by(col(PersonRow.id), col(ChannelAccountRow.id)))
        return [Recipient(pid, home, None, channel, ext)
                for pid, home, channel, ext in (await self.session.execute(query)).all()]

    async def staff(self) -> list[Recipient]:
        """Leaders and dispatchers on every grid, on each account they use."""
        query = (select(col(MembershipRow.person_id), col(MembershipRow.grid_code),
                        col(MembershipRow.role), col(ChannelAccountRow.channel),
                        col(ChannelAccountRow.external_id))
                 .join(ChannelAccountRow,
                       col(ChannelAccountRow.person_id) == MembershipRow.person_id)
                 .where(col(MembershipRow.role).in_([Role.LEADER.value, Role.DISPATCHER.value]))
                 .order_by(col(MembershipRow.person_id), col(MembershipRow.grid_code),
                           col(ChannelAccountRow.id)))
        return [Recipient(*row) for row in (await self.session.execute(query)).all()]


# --- the statements behind `figures` ------------------------------------------------------------

