"""What goes public and what goes out weekly: the echo wall (回音壁) and the digests' figures.

The figures are computed in SQL, on the events of the orders alive in the period only (created
before its end, not final before its start): every figure of a period comes from such an order,
so the rest of the history is never read. The statements follow `domain.metrics` and
`domain.points` rule for rule (tests/echo compare them); grace periods are not supported.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from domain.metrics import SATISFIED, Rates
from domain.orders import Event, State, WorkOrder
from domain.points import FALSE_REPORT, PointsRules
from storage.clock import Clock
from storage.records import OutboxMessage, Role
from storage.repositories._sql import claim, dialect_name, insert
from storage.repositories.events import event_values, to_event, write_events
from storage.repositories.orders import _COLUMNS, to_order
from storage.tables import (
    ChannelAccountRow,
    EventRow,
    MembershipRow,
    OrderFollowerRow,
    OutboxRow,
    PersonRow,
    WorkOrderRow,
)
from storage.types import UTCDateTime

_O, _E = WorkOrderRow.__table__, EventRow.__table__
OPEN = (State.SUBMITTED.value, State.DISPATCHED.value, State.ACCEPTED.value)
ASSIGNING = ("dispatched", "escalated")
COUNTED = ("submitted", *ASSIGNING, "returned", "closed_unrated", "rated", "reopened")
POINTS = PointsRules()
METRIC_KINDS = (*COUNTED, "signed", "extended", "resolved", "invalidated", "merged")
RATING = ("rated", "reopened")
SETTING = (*ASSIGNING, "extended", "reopened")           # events that set a resolve deadline
ENDING = (*ASSIGNING, "returned", "invalidated", "merged")  # events that end an assignment


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

class json_time(FunctionElement):
    """An ISO timestamp kept in an event's JSON data, as a time comparable with the columns."""

    type = UTCDateTime()
    inherit_cache = True
    name = "json_time"


@compiles(json_time, "postgresql")
def _json_time_pg(element: json_time, compiler: Any, **kw: Any) -> str:
    column, key = element.clauses
    return f"CAST(({compiler.process(column, **kw)} ->> {compiler.process(key, **kw)}) " \
           "AS TIMESTAMP WITH TIME ZONE)"


@compiles(json_time, "sqlite")
def _json_time_sqlite(element: json_time, compiler: Any, **kw: Any) -> str:
    column, key = element.clauses
    raw = f"json_extract({compiler.process(column, **kw)}, '$.' || {compiler.process(key, **kw)})"
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; strftime converts the offset and
    # the microseconds (never moved by an offset) are copied over as they were written.
    return (f"(strftime('%Y-%m-%d %H:%M:%S', {raw}) || CASE WHEN substr({raw}, 20, 1) = '.' "
            f"THEN substr({raw}, 20, 7) ELSE '.000000' END)")


class later_of(FunctionElement):
    type = UTCDateTime()
    inherit_cache = True
    name = "later_of"


@compiles(later_of, "postgresql")
def _later_pg(element: later_of, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(later_of, "sqlite")
def _later_sqlite(element: later_of, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


class seconds_between(FunctionElement):
    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    late, early = element.clauses
    return f"EXTRACT(EPOCH FROM ({compiler.process(late, **kw)} - {compiler.process(early, **kw)}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    late, early = element.clauses
    return f"((julianday({compiler.process(late, **kw)}) - " \
           f"julianday({compiler.process(early, **kw)})) * 86400.0)"


def _at(moment: datetime) -> Any:
    return literal(moment, UTCDateTime())


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _alive(start: datetime, end: datetime, now: datetime) -> Any:
    """Orders that may hold a figure of [start, end): born before its end, not final before it.

    `void_at` is when an order was made invalid or merged: its `closed_at` then.
    """
    void = case((_O.c.state.in_((State.INVALID.value, State.MERGED.value)), _O.c.closed_at),
                else_=None)
    return (select(_O.c.code, _O.c.grid_code, _O.c.reporter_id, _O.c.urgency, _O.c.created_at,
                   void.label("void_at"))
            .where(_O.c.created_at < _at(min(end, now + timedelta(microseconds=1))),
                   or_(_O.c.closed_at.is_(None), _O.c.closed_at >= _at(start))))


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
        await write_events(self.session)
        if events:
            await self.session.execute(_E.insert(), [event_values(e) for e in events])

    async def histories(self, codes: Collection[str]) -> dict[str, list[Event]]:
        await write_events(self.session)
        found: dict[str, list[Event]] = defaultdict(list)
        query = (select(EventRow).where(EventRow.order_code.in_(list(codes)))
                 .order_by(EventRow.at, EventRow.id))
        for row in (await self.session.execute(query)).scalars():
            found[row.order_code].append(to_event(row))
        return found

    async def followers_of(self, codes: Collection[str]) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        query = select(OrderFollowerRow.order_code, OrderFollowerRow.person_id).where(
            OrderFollowerRow.order_code.in_(list(codes)))
        for code, person_id in (await self.session.execute(query)).all():
            found[code].append(person_id)
        return found

    async def names(self, person_ids: Collection[int]) -> dict[int, tuple[str, str | None]]:
        """Name and nickname of each person: what must be scrubbed from public text."""
        query = select(PersonRow.id, PersonRow.name, PersonRow.nickname).where(
            PersonRow.id.in_(list(person_ids)))
        return {pid: (name, nick) for pid, name, nick in (await self.session.execute(query)).all()}

    async def last_due(self, channel: str, address: str) -> datetime | None:
        """When the last unsent message to one chat falls due: pacing starts after it."""
        query = select(func.max(OutboxRow.due_at)).where(
            OutboxRow.channel == channel, OutboxRow.address == address, OutboxRow.sent_at.is_(None))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def wall(self, grid_codes: Collection[str] | None = None,
                   categories: Collection[str] | None = None, limit: int = 50) -> list[dict]:
        """The newest entries, as published, of some grids and categories."""
        await write_events(self.session)
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
                         per_community: int = 3) -> dict[str, list[dict]]:
        """The best published entries of the period in each community (data["rank"], then news)."""
        await write_events(self.session)
        community = _E.c.data["community"].as_string()
        ranked = select(community.label("community"), _E.c.data, func.row_number().over(
            partition_by=community,
            order_by=(_E.c.data["rank"].as_integer().desc(), _E.c.at.desc(), _E.c.id.desc()),
        ).label("n")).where(_E.c.kind == "published", _E.c.at >= _at(start),
                            _E.c.at < _at(end)).subquery()
        query = select(ranked.c.community, ranked.c.data).where(ranked.c.n <= per_community)
        found: dict[str, list[dict]] = defaultdict(list)
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

    async def figures(self, start: datetime, end: datetime, now: datetime
                      ) -> tuple[dict[str | None, Rates], dict[str | None, int]]:
        """Per reported grid: `domain.metrics` figures of [start, end), and the new orders."""
        await write_events(self.session)
        if dialect_name(self.session) == "postgresql":
            # Compiling these plans to machine code costs more than running them.
            await self.session.execute(sa.text("SET LOCAL jit = off"))
        rows = (await self.session.execute(sa.union_all(*figure_parts(start, end, now)))).all()
        return _fold(rows)

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
                               func.sum(_flag(_O.c.resolve_due < _at(now))))
                        .where(_O.c.state.in_(OPEN)).group_by(_O.c.grid_code))
        counts = {grid: (total, int(late or 0))
                  for grid, total, late in (await self.session.execute(counts_query)).all()}
        return tops, counts

    async def red_listed(self) -> list[OpenOrder]:
        """Open orders put on the red list (督办: still overdue days after the notice)."""
        await write_events(self.session)
        listed = sa.exists().where(_E.c.order_code == _O.c.code, _E.c.kind == "red_listed")
        query = (select(_O.c.code, _O.c.category, _O.c.state, _O.c.grid_code, _O.c.unit_code,
                        _O.c.resolve_due).where(_O.c.state.in_(OPEN), listed)
                 .order_by(_O.c.resolve_due, _O.c.code))
        return [OpenOrder(*row) for row in (await self.session.execute(query)).all()]

    async def rider_points(self, start: datetime, end: datetime, now: datetime,
                           rules: PointsRules = POINTS) -> dict[int, tuple[str, int]]:
        """先锋指数 of [start, end) for riders with an opt-in nickname: id → (nickname, points)."""
        await write_events(self.session)
        nicknames = dict((await self.session.execute(_riders())).all())
        if not nicknames:
            return {}
        rows = (await self.session.execute(_awards(start, end, now, rules))).all()
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

    # --- audiences ---------------------------------------------------------------------------

    async def subscribers(self) -> list[Recipient]:
        query = (select(PersonRow.id, PersonRow.home_grid, ChannelAccountRow.channel,
                        ChannelAccountRow.external_id)
                 .join(ChannelAccountRow, ChannelAccountRow.person_id == PersonRow.id)
                 .where(PersonRow.subscribed.is_(True))
                 .order_by(PersonRow.id, ChannelAccountRow.id))
        return [Recipient(pid, home, None, channel, ext)
                for pid, home, channel, ext in (await self.session.execute(query)).all()]

    async def staff(self) -> list[Recipient]:
        """Leaders and dispatchers on every grid, on each account they use."""
        query = (select(MembershipRow.person_id, MembershipRow.grid_code, MembershipRow.role,
                        ChannelAccountRow.channel, ChannelAccountRow.external_id)
                 .join(ChannelAccountRow, ChannelAccountRow.person_id == MembershipRow.person_id)
                 .where(MembershipRow.role.in_([Role.LEADER.value, Role.DISPATCHER.value]))
                 .order_by(MembershipRow.person_id, MembershipRow.grid_code,
                           ChannelAccountRow.id))
        return [Recipient(*row) for row in (await self.session.execute(query)).all()]


# --- the statements behind `figures` ------------------------------------------------------------

RECENT = timedelta(days=7)


def figure_parts(start: datetime, end: datetime, now: datetime) -> list[Any]:
    """The statements behind `figures`: each order's history read once, sorted once.

    The history of an order alive in the period is every event it has up to `now`. Orders born
    in the week before the period read their events through the index on time (they have none
    earlier); older ones, few, through the index on order code.
    """
    alive = _alive(start, end, now).cte("alive")
    since = _at(start - RECENT)
    data, kind = _E.c.data, _E.c.kind

    def read(recent: bool) -> Any:
        return (select(_E.c.id, _E.c.order_code, kind, _E.c.at, alive.c.grid_code,
                       alive.c.created_at, alive.c.void_at,
                       case((kind.in_(RATING), data["satisfaction"].as_string())).label("sat"),
                       _flag(and_(kind.in_(RATING), data["solved"].as_boolean())).label("solved"),
                       _flag(and_(kind == "resolved", data["on_time"].as_boolean()))
                       .label("on_time"),
                       case((kind.in_(ASSIGNING), json_time(data, literal("sign_by"))))
                       .label("sign_by"),
                       case((kind == "extended", json_time(data, literal("to"))),
                            (kind.in_(SETTING), json_time(data, literal("resolve_by"))))
                       .label("deadline"))
                .join_from(_E, alive, alive.c.code == _E.c.order_code)
                .where(_E.c.at <= _at(now), kind.in_(METRIC_KINDS),
                       *((alive.c.created_at >= since, _E.c.at >= since) if recent
                         else (alive.c.created_at < since,))))

    ev = sa.union_all(read(True), read(False)).cte("ev")
    s, e, n = _at(start), _at(end), _at(now)
    # "Everything after this row", written backwards so the aggregate runs on (no rescans).
    after = {"partition_by": ev.c.order_code, "order_by": (ev.c.at.desc(), ev.c.id.desc()),
             "rows": (None, -1)}
    whole = {"partition_by": ev.c.order_code}

    def next_of(kinds: tuple[str, ...], name: str) -> Any:
        return func.min(case((ev.c.kind.in_(kinds), ev.c.at))).over(**after).label(name)

    settled = and_(ev.c.kind.in_(("resolved", "reopened")), ev.c.at < e)
    history = select(
        ev, next_of(SETTING, "next_set"), next_of(("resolved",), "next_resolved"),
        next_of(("reopened",), "next_reopened"), next_of(("signed",), "next_signed"),
        next_of(ENDING, "next_ended"),
        func.max(case((settled, ev.c.at))).over(**whole).label("last_settled"),
        func.max(case((and_(settled, ev.c.kind == "resolved"), ev.c.at))).over(**whole)
        .label("last_resolved")).cte("history")
    return [_counted(history, s, e), *_resolutions_and_late(history, s, e, n),
            _signs(history, s, e, n)]


def _row(grid: Any, kind: Any, sat: Any, flag: Any, n: Any, seconds: Any = None) -> list[Any]:
    """One shape for every part of the union: grid, kind, satisfaction, flag, count, seconds."""
    kind = literal(kind) if isinstance(kind, str) else kind
    return [grid.label("grid"), kind.label("kind"), sa.cast(sat, sa.String).label("sat"),
            sa.cast(flag, sa.Integer).label("flag"), n.label("n"),
            sa.cast(seconds if seconds is not None else 0.0, sa.Float).label("seconds")]


def _counted(h: Any, s: Any, e: Any) -> Any:
    """Events counted where they happen: assignments, returns, ratings, unrated closings, births."""
    return (select(*_row(h.c.grid_code, h.c.kind, h.c.sat, h.c.solved, func.count()))
            .where(h.c.at >= s, h.c.at < e, h.c.kind.in_(COUNTED))
            .group_by(h.c.grid_code, h.c.kind, h.c.sat, h.c.solved))


def _resolutions_and_late(h: Any, s: Any, e: Any, n: Any) -> list[Any]:
    """Resolutions of the period not reopened before its end; deadlines that fell unresolved.

    Between a deadline in force and the moment it falls no other deadline is set (a reopen sets
    one), so a resolution stands at that moment exactly when the first one after the deadline
    came by then and was not reopened by then.
    """
    counted = and_(h.c.kind == "resolved", h.c.at >= s, h.c.at < e,
                   or_(h.c.next_reopened.is_(None), h.c.next_reopened >= e))
    resolved = (select(*_row(h.c.grid_code, "resolved", None, h.c.on_time, func.count(),
                             func.sum(seconds_between(h.c.at, h.c.created_at))))
                .where(counted).group_by(h.c.grid_code, h.c.on_time))
    moment = later_of(h.c.deadline, h.c.at)
    void = and_(h.c.void_at.is_not(None), h.c.void_at <= moment)
    standing = and_(h.c.next_resolved.is_not(None), h.c.next_resolved <= moment,
                    or_(h.c.next_reopened.is_(None), h.c.next_reopened > moment))
    resolved_in_period = and_(h.c.last_resolved.is_not(None),
                              h.c.last_resolved == h.c.last_settled, h.c.last_resolved >= s)
    fell = (select(h.c.order_code, h.c.grid_code)
            .where(h.c.kind.in_(SETTING), h.c.deadline.is_not(None),
                   or_(h.c.next_set.is_(None), h.c.next_set >= moment),
                   moment >= s, moment < e, moment < n, ~void, ~standing, ~resolved_in_period)
            .distinct().subquery("fell"))
    late = select(*_row(fell.c.grid_code, "late", None, 0, func.count())).group_by(
        fell.c.grid_code)
    return [resolved, late]


def _signs(h: Any, s: Any, e: Any, n: Any) -> Any:
    """Each assignment's sign-for, counted when settled: signed in time, or its deadline passed.

    An assignment is signed when a sign-for comes before anything that ends it (a return, a new
    assignment, invalid, merged).
    """
    signed = and_(h.c.next_signed.is_not(None),
                  or_(h.c.next_ended.is_(None), h.c.next_signed < h.c.next_ended))
    in_time = and_(signed, or_(h.c.sign_by.is_(None), h.c.next_signed <= h.c.sign_by))
    lapsed = and_(h.c.sign_by.is_not(None),
                  or_(signed, h.c.next_ended.is_(None), h.c.next_ended > h.c.sign_by))
    moment = case((in_time, h.c.next_signed), (lapsed, later_of(h.c.sign_by, h.c.at)),
                  else_=None)
    settled = (select(h.c.grid_code, moment.label("moment"), _flag(in_time).label("in_time"))
               .where(h.c.kind.in_(ASSIGNING)).subquery("settled"))
    return (select(*_row(settled.c.grid_code, "sign", None, settled.c.in_time, func.count()))
            .where(settled.c.moment >= s, settled.c.moment < e, settled.c.moment <= n)
            .group_by(settled.c.grid_code, settled.c.in_time))


def _fold(rows: list[Any]) -> tuple[dict[str | None, Rates], dict[str | None, int]]:
    counts: dict[str | None, dict[str, Any]] = defaultdict(
        lambda: defaultdict(int, handling_time=timedelta(0)))
    new: dict[str | None, int] = defaultdict(int)
    satisfied = {level.value for level in SATISFIED}
    for grid, kind, sat, flag, n, seconds in rows:
        c = counts[grid]
        if kind == "submitted":
            new[grid] += n
        elif kind in ASSIGNING:
            c["dispatched"] += n
        elif kind == "returned":
            c["returns"] += n
        elif kind == "closed_unrated":
            c["closed_unrated"] += n
        elif kind in ("rated", "reopened"):
            c["rated"] += n
            c["satisfied"] += n if sat in satisfied else 0
            c["solved"] += n if flag else 0
            c["reopened"] += n if kind == "reopened" else 0
        elif kind == "resolved":
            c["due"] += n
            c["resolved"] += n
            c["resolved_in_time" if flag else "overdue"] += n
            c["handling_time"] += timedelta(seconds=float(seconds or 0))
        elif kind == "late":
            c["due"] += n
            c["overdue"] += n
        elif kind == "sign":
            c["sign_due"] += n
            c["signed_in_time"] += n if flag else 0
    return {grid: Rates(**c) for grid, c in counts.items()}, dict(new)


def _awards(start: datetime, end: datetime, now: datetime, rules: PointsRules) -> Any:
    """(person, points) of every award to an opted-in rider in [start, end), as
    `domain.points` gives them.

    Only the riders' own orders and the orders they follow are read. A me-too is read from
    `order_follower`, written with the order's first "followed" event by that person (its
    `since` is that event's time).
    """
    upto, s, e = _at(now), _at(start), _at(end)
    rider = PersonRow.__table__
    opted = (rider.c.kind == "rider", rider.c.nickname.is_not(None),
             func.trim(rider.c.nickname) != "")
    # Joined, not IN (…): the planner then knows how many riders there are.
    mine = (_alive(start, end, now).join_from(_O, rider, rider.c.id == _O.c.reporter_id)
            .where(*opted).cte("mine"))

    def first_dispatch(orders: Any, name: str) -> Any:
        return (select(_E.c.order_code, func.min(_E.c.at).label("at"))
                .join_from(_E, orders, orders.c.code == _E.c.order_code)
                .where(_E.c.kind == "dispatched", _E.c.at <= upto)
                .group_by(_E.c.order_code).subquery(name))

    accepted = first_dispatch(mine, "accepted")
    bonus = case((mine.c.urgency == "urgent", rules.urgent_bonus),
                 (mine.c.urgency == "emergency", rules.emergency_bonus), else_=0)
    valid = (select(mine.c.reporter_id.label("person"), (rules.valid_report + bonus)
                    .label("points"))
             .join_from(accepted, mine, mine.c.code == accepted.c.order_code)
             .where(accepted.c.at >= s, accepted.c.at < e))
    events = (select(_E.c.kind, _E.c.data, mine.c.reporter_id)
              .join_from(_E, mine, mine.c.code == _E.c.order_code)
              .where(_E.c.at >= s, _E.c.at < e, _E.c.at <= upto,
                     _E.c.kind.in_(("rated", "invalidated"))).subquery("mine_events"))
    solved = (select(events.c.reporter_id, literal(rules.solved))
              .where(events.c.kind == "rated", events.c.data["solved"].as_boolean()))
    false = (select(events.c.reporter_id, literal(rules.false_report))
             .where(events.c.kind == "invalidated",
                    events.c.data["category"].as_string() == FALSE_REPORT))
    f = OrderFollowerRow.__table__
    follows = (select(f.c.order_code.label("code"), f.c.person_id, f.c.since)
               .join_from(f, _O, _O.c.code == f.c.order_code)
               .join(rider, rider.c.id == f.c.person_id)
               .where(*opted, f.c.since <= upto,
                      or_(_O.c.reporter_id.is_(None), _O.c.reporter_id != f.c.person_id))
               .cte("follows"))
    followed = first_dispatch(follows, "followed_accepted")
    moment = later_of(follows.c.since, followed.c.at)
    me_too = (select(follows.c.person_id, literal(rules.me_too))
              .join_from(follows, followed, followed.c.order_code == follows.c.code)
              .where(moment >= s, moment < e))
    return sa.union_all(valid, solved, false, me_too)


def _riders() -> Any:
    return (select(PersonRow.id, PersonRow.nickname)
            .where(PersonRow.kind == "rider", PersonRow.nickname.is_not(None),
                   func.trim(PersonRow.nickname) != ""))
