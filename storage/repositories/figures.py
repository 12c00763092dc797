"""The digest's figures in SQL: rates per grid and riders' points, from the events of the orders
alive in a period only. The statements follow `domain.metrics` and `domain.points` rule for rule
(tests/echo compare them); grace periods are not supported."""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from domain.metrics import SATISFIED, Rates
from domain.orders import State
from domain.points import FALSE_REPORT, PointsRules
from storage.tables import (
    EventRow,
    OrderFollowerRow,
    PersonRow,
    WorkOrderRow,
)
from storage.types import UTCDateTime

_O, _E = WorkOrderRow.__table__, EventRow.__table__
OPEN = (State.SUBMITTED.value, State.DISPATCHED.value, State.ACCEPTED.value)
ASSIGNING = ("dispatched", "escalated")
COUNTED = (*ASSIGNING, "returned", "closed_unrated", "rated", "reopened")
POINTS = PointsRules()
METRIC_KINDS = (*COUNTED, "signed", "extended", "resolved", "invalidated", "merged")
RATING = ("rated", "reopened")
SETTING = (*ASSIGNING, "extended", "reopened")           # events that set a resolve deadline
ENDING = (*ASSIGNING, "returned", "invalidated", "merged")  # events that end an assignment


class json_time(FunctionElement[datetime]):
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


class later_of(FunctionElement[datetime]):
    type = UTCDateTime()
    inherit_cache = True
    name = "later_of"


@compiles(later_of, "postgresql")
def _later_pg(element: later_of, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(later_of, "sqlite")
def _later_sqlite(element: later_of, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


class seconds_between(FunctionElement[float]):
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


def sql_at(moment: datetime) -> Any:
    return literal(moment, UTCDateTime())


def sql_flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _alive(start: datetime, end: datetime, now: datetime, *where: Any,
           join: tuple[Any, Any] | None = None, born_since: datetime | None = None) -> Any:
    """Orders that may hold a figure of [start, end): born before its end, not final before it.

    `void_at` is when an order was made invalid or merged: its `closed_at` then. The open
    orders and those final since `start` are two selects, so that the indexes on `closed_at`
    and (reporter, `closed_at`) find each of them without reading older orders. Orders born
    since `born_since` only, when given; born in the period, none was final before it.
    """
    void = case((_O.c.state.in_((State.INVALID.value, State.MERGED.value)), _O.c.closed_at),
                else_=None)

    def part(final: Any) -> Any:
        query = select(_O.c.code, _O.c.grid_code, _O.c.reporter_id, _O.c.urgency,
                       _O.c.created_at, void.label("void_at"))
        if join is not None:
            query = query.join_from(_O, *join)
        return query.where(_O.c.created_at < sql_at(min(end, now + timedelta(microseconds=1))),
                           final, *where)
    if born_since is not None:
        where = (*where, _O.c.created_at >= sql_at(born_since))
        if born_since >= start:
            return part(sa.true())
    return sa.union_all(part(_O.c.closed_at.is_(None)), part(_O.c.closed_at >= sql_at(start)))


RECENT = timedelta(days=7)


def figure_parts(start: datetime, end: datetime, now: datetime,
                 born: tuple[datetime | None, datetime | None] = (None, None)) -> list[Any]:
    """The statements behind `figures`: each order's history read once, sorted once.

    The history of an order alive in the period is every event it has up to `now`. Orders born
    in the week before the period read their events through the index on time (they have none
    earlier); older ones, few, through the index on order code. `born` keeps only the orders
    created in [from, until): every figure is a sum over orders, so slices add up.
    """
    since_born, until_born = born
    alive = _alive(start, end, now,
                   *(() if until_born is None else (_O.c.created_at < sql_at(until_born),)),
                   born_since=since_born).cte("alive")
    since = sql_at(start - RECENT)
    data, kind = _E.c.data, _E.c.kind

    def read(recent: bool) -> Any:
        return (select(_E.c.id, _E.c.order_code, kind, _E.c.at, alive.c.grid_code,
                       alive.c.created_at, alive.c.void_at,
                       case((kind.in_(RATING), data["satisfaction"].as_string())).label("sat"),
                       sql_flag(and_(kind.in_(RATING), data["solved"].as_boolean())).label("solved"),
                       sql_flag(and_(kind == "resolved", data["on_time"].as_boolean()))
                       .label("on_time"),
                       case((kind.in_(ASSIGNING), json_time(data, literal("sign_by"))))
                       .label("sign_by"),
                       case((kind == "extended", json_time(data, literal("to"))),
                            (kind.in_(SETTING), json_time(data, literal("resolve_by"))))
                       .label("deadline"))
                .join_from(_E, alive, alive.c.code == _E.c.order_code)
                .where(_E.c.at <= sql_at(now), kind.in_(METRIC_KINDS),
                       *((alive.c.created_at >= since, _E.c.at >= since) if recent
                         else (alive.c.created_at < since,))))

    ev = sa.union_all(read(True), read(False)).cte("ev")
    s, e, n = sql_at(start), sql_at(end), sql_at(now)
    # "Everything after this row", written backwards so the aggregate runs on (no rescans).
    backwards = (ev.c.at.desc(), ev.c.id.desc())

    def next_of(kinds: tuple[str, ...], name: str) -> Any:
        return func.min(case((ev.c.kind.in_(kinds), ev.c.at))).over(
            partition_by=ev.c.order_code, order_by=backwards, rows=(None, -1)).label(name)

    settled = and_(ev.c.kind.in_(("resolved", "reopened")), ev.c.at < e)
    history = select(
        ev, next_of(SETTING, "next_set"), next_of(("resolved",), "next_resolved"),
        next_of(("reopened",), "next_reopened"), next_of(("signed",), "next_signed"),
        next_of(ENDING, "next_ended"),
        func.max(case((settled, ev.c.at))).over(partition_by=ev.c.order_code)
        .label("last_settled"),
        func.max(case((and_(settled, ev.c.kind == "resolved"), ev.c.at)))
        .over(partition_by=ev.c.order_code).label("last_resolved")).cte("history")
    # New orders are counted from the orders themselves (born in the period, so alive in it):
    # their "submitted" events need not go through the sort and the windows.
    born_here = (select(*_row(alive.c.grid_code, "submitted", None, 0, func.count()))
                 .where(alive.c.created_at >= s).group_by(alive.c.grid_code))
    return [born_here, _counted(history, s, e), *_resolutions_and_late(history, s, e, n),
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
    settled = (select(h.c.grid_code, moment.label("moment"), sql_flag(in_time).label("in_time"))
               .where(h.c.kind.in_(ASSIGNING)).subquery("settled"))
    return (select(*_row(settled.c.grid_code, "sign", None, settled.c.in_time, func.count()))
            .where(settled.c.moment >= s, settled.c.moment < e, settled.c.moment <= n)
            .group_by(settled.c.grid_code, settled.c.in_time))


def _tally() -> dict[str, Any]:
    """One grid's counters: whole numbers from 0, and the handling time summed."""
    tally: dict[str, Any] = defaultdict(int)
    tally["handling_time"] = timedelta(0)
    return tally


def sql_fold(rows: list[Any]) -> tuple[dict[str | None, Rates], dict[str | None, int]]:
    counts: dict[str | None, dict[str, Any]] = defaultdict(_tally)
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


def sql_awards(start: datetime, end: datetime, now: datetime, rules: PointsRules,
               rider_id: int | None = None) -> Any:
    """(person, points) of every award to an opted-in rider in [start, end), as
    `domain.points` gives them; with `rider_id`, that one rider's, opted in or not.

    Only the riders' own orders and the orders they follow are read. A me-too is read from
    `order_follower`, written with the order's first "followed" event by that person (its
    `since` is that event's time).
    """
    upto, s, e = sql_at(now), sql_at(start), sql_at(end)
    rider = PersonRow.__table__
    opted = ((rider.c.kind == "rider", rider.c.nickname.is_not(None),
              func.trim(rider.c.nickname) != "") if rider_id is None
             else (rider.c.kind == "rider", rider.c.id == rider_id))
    # Joined, not IN (…): the planner then knows how many riders there are.
    mine = _alive(start, end, now, *opted, join=(rider, rider.c.id == _O.c.reporter_id)
                  ).cte("mine")

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
    # Solved and false reports in one pass over the riders' events of the period.
    kind, data = _E.c.kind, _E.c.data
    judged = case((and_(kind == "rated", data["solved"].as_boolean()), rules.solved),
                  (and_(kind == "invalidated", data["category"].as_string() == FALSE_REPORT),
                   rules.false_report))
    events = (select(mine.c.reporter_id, judged.label("points"))
              .join_from(_E, mine, mine.c.code == _E.c.order_code)
              .where(_E.c.at >= s, _E.c.at < e, _E.c.at <= upto,
                     kind.in_(("rated", "invalidated"))).subquery("mine_events"))
    judged_reports = select(events.c.reporter_id, events.c.points).where(
        events.c.points.is_not(None))
    f = OrderFollowerRow.__table__
    # A me-too counts at the later of following and the first dispatch; a dispatch comes before
    # the order is final, so one followed before `start` counts only if the order was alive then.
    follows = (select(f.c.order_code.label("code"), f.c.person_id, f.c.since)
               .join_from(f, _O, _O.c.code == f.c.order_code)
               .join(rider, rider.c.id == f.c.person_id)
               .where(*opted, f.c.since <= upto, f.c.since < e,
                      or_(f.c.since >= s, _O.c.closed_at.is_(None), _O.c.closed_at >= s),
                      or_(_O.c.reporter_id.is_(None), _O.c.reporter_id != f.c.person_id))
               .cte("follows"))
    followed = first_dispatch(follows, "followed_accepted")
    moment = later_of(follows.c.since, followed.c.at)
    me_too = (select(follows.c.person_id, literal(rules.me_too))
              .join_from(follows, followed, followed.c.order_code == follows.c.code)
              .where(moment >= s, moment < e))
    return sa.union_all(valid, judged_reports, me_too)


def sql_riders() -> Any:
    return (select(col(PersonRow.id), col(PersonRow.nickname))
            .where(col(PersonRow.kind) == "rider", col(PersonRow.nickname).is_not(None),
                   func.trim(col(PersonRow.nickname)) != ""))
