"""Which orders a list or a ledger holds: one scope, one filter, one WHERE clause.

The staff console's list, the console's ledger export and `gridbot export` narrow the orders the
same way, so the filter and the SQL it becomes live once, here. `OrderScope` is who may see
what (the console's viewer; the command line sees everything); `OrderFilter` is what the form
or the command asks for. `None` (or an empty tuple) means "any".

Every condition is one an index serves (migration 0014): a code prefix is a range of the primary
key, the traffic light a range of an expression over open orders, and on PostgreSQL the text
search an array of the text's two-character grams (`order_grams`), since a Chinese search is
often two characters, which yield no trigram for pg_trgm.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import and_, exists, false, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text
from sqlmodel import col

from domain.calendar import SHANGHAI
from domain.grids import QUEUE_PREFIX
from domain.order_codes import filing_days
from domain.orders import State, Urgency
from storage.tables import GridRow, WorkOrderRow

ORDER = WorkOrderRow.__table__
QUEUE = QUEUE_PREFIX      # the dispatcher's queue, as the domain writes it
OPEN_STATES = tuple(s.value for s in State if not s.is_final)
# Open and still in someone's hands (not yet resolved): migration 0014 indexes these by deadline.
IN_HAND_STATES = tuple(s for s in OPEN_STATES if s != State.RESOLVED.value)
SortKey = Literal["created_at", "resolve_due", "code", "state", "urgency"]
SORT_KEYS: tuple[str, ...] = ("created_at", "resolve_due", "code", "state", "urgency")
Shade = Literal["green", "yellow", "red"]
YELLOW_AFTER = 0.8   # the share of the limit after which a clock shows yellow (domain.deadlines)


@dataclass(frozen=True)
class OrderScope:
    """The orders a person may see in the console: reported in or held by one of `grids`
    (each grid of their subtrees), or held by `person_id` themself."""

    grids: frozenset[str] = frozenset()
    person_id: int | None = None


@dataclass(frozen=True)
class OrderFilter:
    """What a list or a ledger narrows to, and the list's sort (a ledger is always by time
    filed, oldest first)."""

    states: tuple[State, ...] = ()
    grids: frozenset[str] | None = None          # a grid's subtree, as codes (see `subtree`)
    categories: frozenset[str] | None = None     # a category, or every category of a group
    urgency: Urgency | None = None
    light: Shade | None = None                   # open orders by their resolve clock
    overdue: bool = False                        # open past its limit, or resolved late
    since: datetime | None = None                # filed at or after
    until: datetime | None = None                # filed before
    text: str | None = None                      # in the description or the typed address
    code: str | None = None                      # the code, or its beginning
    sort: SortKey = "created_at"
    descending: bool = True


def _in_grids(codes: frozenset[str]) -> list[Any]:
    """Reported in one of the grids, or held by one of them or by its dispatcher's queue."""
    grids = sorted(codes)
    units = grids + [QUEUE + code for code in grids]
    return [ORDER.c.grid_code.in_(grids), ORDER.c.unit_code.in_(units)]


def _scope(scope: OrderScope) -> Any:
    held = _in_grids(scope.grids) if scope.grids else []
    if scope.person_id is not None:
        held.append(ORDER.c.assignee_id == scope.person_id)
    return or_(*held) if held else false()


def light_score(dialect: str) -> Any:
    """start + 4 × due as one number: an open order shows yellow once it falls below 5 × now,
    i.e. once 80 % of its limit has passed in calendar time (a working-time limit's share
    differs over nights and holidays: see docs/console.md). Migration 0014 indexes this very
    expression over open orders, so it must stay spelled exactly so."""
    if dialect == "sqlite":
        return func.julianday(ORDER.c.created_at) + 4 * func.julianday(ORDER.c.resolve_due)
    return func.order_light_score(ORDER.c.created_at, ORDER.c.resolve_due)


def light_score_of(now: datetime, dialect: str) -> float:
    """5 × now, as `light_score` counts."""
    seconds = now.timestamp()
    return 5 * (seconds / 86400 + 2440587.5 if dialect == "sqlite" else seconds)


def _light(shade: Shade, now: datetime, dialect: str) -> Any:
    """Red past due; yellow past 80 % of the limit; green before. Orders in hand and resolved
    ones (awaiting the reporter) are asked apart: the first are indexed by deadline and light
    score, the second by state and deadline."""
    due = ORDER.c.resolve_due
    if shade == "red":
        shown = due < now
    else:
        late = light_score(dialect) < light_score_of(now, dialect)
        shown = and_(due >= now, late if shade == "yellow" else ~late)
    return or_(*(and_(ORDER.c.state.in_(states), due.is_not(None), shown)
                 for states in (IN_HAND_STATES, (State.RESOLVED.value,))))


def _like(words: str) -> str:
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def grams(words: str) -> list[str]:
    """The two-character grams of a text, as `order_grams` (migration 0014) cuts them."""
    return sorted({words[i:i + 2] for i in range(len(words) - 1)})


def _text(words: str, dialect: str, indexed: bool) -> Any:
    pattern = f"%{_like(words)}%"
    found = or_(ORDER.c.description.like(pattern, escape="\\"),
                ORDER.c.address.like(pattern, escape="\\"))
    wanted = grams(words)
    if dialect != "postgresql" or not wanted or not indexed:
        return found
    # The index holds the grams of both texts; LIKE then checks the words themselves.
    held = func.order_grams(ORDER.c.description, ORDER.c.address, type_=ARRAY(Text))
    return and_(held.op("@>")(literal_column(_array(wanted))), found)


def _array(values: list[str]) -> str:
    """A text[] literal (the planner weighs a literal's grams against the index's statistics;
    a bound parameter would hide them)."""
    quoted = ",".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"ARRAY[{quoted}]::text[]"


def _code(prefix: str) -> list[Any]:
    """A code prefix as a range of the primary key, checked by LIKE (codes are ASCII).

    A code names the day its order was filed, so a prefix of whole days (WG-20261120, a month,
    a year) is that span of the time filed and nothing else: one range the planner weighs
    right, and that a list sorted by time filed walks from the span's end instead of from the
    newest order. A longer prefix keeps its code range, narrowed to its day."""
    start = prefix.strip().upper()
    days = filing_days(start)
    filed = [] if days is None else [
        ORDER.c.created_at >= datetime.combine(days.first, time(), SHANGHAI),
        ORDER.c.created_at < datetime.combine(days.last + timedelta(days=1), time(), SHANGHAI)]
    if days is not None and days.whole:
        return filed
    end = start[:-1] + chr(ord(start[-1]) + 1)
    return [ORDER.c.code >= start, ORDER.c.code < end,
            ORDER.c.code.like(_like(start) + "%", escape="\\"), *filed]


def conditions(wanted: OrderFilter, now: datetime, dialect: str,
               scope: OrderScope | None = None, text_index: bool = True) -> list[Any]:
    """The scope (when given) and the filter as WHERE conditions on the work_order table.

    Without `text_index`, words are only matched (LIKE), not looked up by their grams: for a
    list read in its sort's order where many orders hold the words. The planner weighs the
    grams of a word as if each were rare on its own (井 and 盖 hardly ever come apart), and
    would gather every order holding a common word to sort them."""
    where: list[Any] = [] if scope is None else [_scope(scope)]
    if wanted.states:
        where.append(ORDER.c.state.in_([state.value for state in wanted.states]))
    if wanted.grids is not None:
        where.append(or_(*_in_grids(wanted.grids)) if wanted.grids else false())
    if wanted.categories is not None:
        where.append(ORDER.c.category.in_(sorted(wanted.categories)))
    if wanted.urgency is not None:
        where.append(ORDER.c.urgency == wanted.urgency.value)
    if wanted.light is not None:
        where.append(_light(wanted.light, now, dialect))
    if wanted.overdue:
        due = ORDER.c.resolve_due
        where.append(or_(and_(ORDER.c.state.in_(OPEN_STATES), due < now),
                         ORDER.c.resolved_at > due))
    if wanted.since is not None:
        where.append(ORDER.c.created_at >= wanted.since)
    if wanted.until is not None:
        where.append(ORDER.c.created_at < wanted.until)
    if wanted.text:
        where.append(_text(wanted.text, dialect, text_index))
    if wanted.code and wanted.code.strip():
        where += _code(wanted.code)
    return where


async def subtree(session: AsyncSession, code: str) -> frozenset[str] | None:
    """A grid and every grid below it, by code; None when no grid has that code."""
    rows = (await session.execute(select(col(GridRow.code), col(GridRow.parent)))).all()
    children: dict[str | None, list[str]] = {}
    for child, parent in rows:
        children.setdefault(parent, []).append(child)
    if not any(child == code for child, _ in rows):
        return None
    found, todo = {code}, [code]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return frozenset(found)


async def any_order(session: AsyncSession) -> bool:
    """Whether the database holds an order at all."""
    return bool((await session.execute(select(exists().where(ORDER.c.code.is_not(None))))
                 ).scalar())
