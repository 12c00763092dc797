"""The ledger (台账): each filtered order, or each event of them, as a row of the district's form.

The ledger leaves the staff's hands (it is handed to the district), so it carries no reporter's
name, phone or account and no typed address: the place is the grid, community or street name,
and every free text is scrubbed as for the echo wall (domain/privacy.py) with the reporter's own
name masked too. Orders of private categories (disputes, 举报, food-safety tips …) are listed —
they are the staff's own work and count in every figure — but their description and the words
of their history are never exported (docs/ledger.md).
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.calendar import SHANGHAI
from domain.categories import Taxonomy
from domain.grids import GridTree, Level
from domain.privacy import mask_names, scrub, strip_house_number
from handlers import texts
from handlers.echo_wall import mask_house_numbers
from storage.order_filter import OPEN_STATES, QUEUE, OrderFilter, OrderScope
from storage.repositories import ledger as reads
from storage.uow import UnitOfWork

Cell = str | int | datetime | None
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # what XML 1.0 cannot carry
FORMULA = re.compile(r"^[=+\-@\t\r]")
OPEN_SYSTEM = "open311"
EIGHT_HOURS = timedelta(hours=8)
FIXED_SINCE = 1991
EXTERNAL_SYSTEM = "external_system"


@dataclass(frozen=True)
class Books:
    """What a ledger is drawn from: the database, the grid tree and the categories."""

    uow: Callable[[], UnitOfWork]
    tree: GridTree
    taxonomy: Taxonomy
    scope: OrderScope | None = None      # the console's viewer; None: every order
    # What the tree and the categories say of a code (or of an order's category, grid and
    # unit), worked out once per export: a district has a few hundred grids, a ledger a
    # hundred thousand rows.
    _seen: dict[tuple[str | None, ...], Any] = field(default_factory=dict, compare=False)

    def once(self, kind: str, code: str | None, work: Callable[[], Any]) -> Any:
        key = (kind, code)
        if key not in self._seen:
            self._seen[key] = work()
        return self._seen[key]


def local(moment: datetime | None) -> datetime | None:
    """A moment as the district reads it: Shanghai wall-clock time, to the minute."""
    if moment is None:
        return None
    if moment.tzinfo is UTC and moment.year > FIXED_SINCE:
        # Shanghai has kept UTC+8 all year since 1991: no zone lookup per cell.
        return (moment + EIGHT_HOURS).replace(tzinfo=None, second=0, microsecond=0)
    return moment.astimezone(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)


def _yes(flag: bool | None) -> str:
    return "" if flag is None else texts.LEDGER_YES if flag else texts.LEDGER_NO


def _area(tree: GridTree, code: str | None) -> str | None:
    """The grid, community or street name of a grid or unit code: never a building."""
    code = (code or "").removeprefix(QUEUE)
    if not code or code not in tree:
        return None
    node = next((g for g in tree.chain(code) if g.level.rank <= Level.GRID.rank), None)
    return (strip_house_number(node.name) or node.name) if node else None


def _unit(tree: GridTree, unit: str | None) -> str:
    if not unit:
        return ""
    code = unit.removeprefix(QUEUE)
    name = tree.get(code).name if code in tree else code
    return texts.QUEUE_UNIT.format(name=name) if unit.startswith(QUEUE) else name


def _levels(tree: GridTree, code: str | None) -> list[str]:
    """Street, community, grid and micro-grid names of the order's grid (blank above none)."""
    if not code or code not in tree:
        return ["", "", "", ""]
    return [(node.name if (node := tree.ancestor_at(code, level)) else "")
            for level in (Level.STREET, Level.COMMUNITY, Level.GRID, Level.MICRO_GRID)]


def clean(text: str | None, reporter: str | None) -> str:
    """Free text as the ledger may carry it: no names, numbers, plates or house numbers, no
    character a spreadsheet refuses, and never a formula (CSV injection): such text gets a
    leading `'` and stays text."""
    if not text:
        return ""
    return safe(mask_house_numbers(scrub(mask_names(text, [reporter] if reporter else []))))


def safe(text: str | None) -> str:
    """Text a spreadsheet shows as written: no control character, never run as a formula."""
    text = CONTROL.sub("", text or "").strip()
    return "'" + text if FORMULA.match(text) else text


def _private(books: Books, category: str) -> bool:
    return bool(books.once("private", category, lambda: category in books.taxonomy
                           and not books.taxonomy.get(category).publishable))


def _overdue(state: str, due: datetime | None, resolved: datetime | None, now: datetime) -> str:
    if due is None:
        return ""
    return _yes((state in OPEN_STATES and due < now) or (resolved is not None and resolved > due))


def _fixed(books: Books, category: str, grid: str | None, unit: str | None) -> tuple[Any, ...]:
    """What the tree and the categories say of an order's category, grid and unit."""
    tree, taxonomy = books.tree, books.taxonomy
    label = taxonomy.get(category).label if category in taxonomy else category
    place = [*_levels(tree, grid),
             _area(tree, grid) or _area(tree, unit) or texts.ECHO_UNLOCATED]
    return label, _private(books, category), place, _unit(tree, unit)


def order_line(books: Books, row: Any, now: datetime) -> list[Cell]:
    """One order as the ledger's 24 columns (texts.LEDGER_HEADERS), from a row of
    `storage.repositories.ledger.order_rows`."""
    (code, created_at, category, urgency, state, grid, unit, description, signed_at,
     resolved_at, resolve_due, returns, escalations, reopens, satisfaction, solved,
     reporter_kind, reporter_name, channel, holder_name) = row
    key = (category, grid, unit)
    fixed = books._seen.get(key)
    if fixed is None:
        fixed = books._seen[key] = _fixed(books, *key)
    label, private, place, held_by = fixed
    if reporter_kind == EXTERNAL_SYSTEM:
        channel = OPEN_SYSTEM
    return [code, local(created_at), texts.LEDGER_CHANNELS.get(channel or "", ""),
            texts.LEDGER_REPORTER_KINDS.get(reporter_kind or "", ""), label,
            texts.URGENCY_LABELS.get(urgency, urgency), *place,
            texts.LEDGER_PRIVATE if private else clean(description, reporter_name),
            texts.STATE_LABELS.get(state, state), held_by, safe(holder_name),
            local(signed_at), local(resolved_at), local(resolve_due),
            _overdue(state, resolve_due, resolved_at, now), returns, escalations,
            texts.SATISFACTION_LABELS.get(satisfaction, "") if satisfaction else "",
            _yes(solved), _yes(reopens > 0)]


def _state(code: str | None) -> str:
    return texts.STATE_LABELS.get(code, code) if code else ""


def _actor(by_reporter: bool | None, kind: str | None, name: str | None) -> str:
    """Who acted, as the district may read it: staff and partner systems by name, the
    reporter and other residents by their part only, the clocks as the system."""
    if by_reporter:
        return texts.LEDGER_REPORTER
    if kind in ("staff", EXTERNAL_SYSTEM):
        return name or ""
    if kind is None and name is None:
        return texts.LEDGER_SYSTEM
    return texts.LEDGER_REPORTER_KINDS.get(kind or "", "")


def event_line(books: Books, row: Any) -> list[Cell]:
    """One event as the events ledger's columns (texts.LEDGER_EVENT_HEADERS), from a row of
    `storage.repositories.ledger.event_rows`."""
    (code, _, category, _, at, kind, from_state, to_state, reason, by_reporter, actor_name,
     actor_kind, reporter_name) = row
    label = texts.EVENT_LABELS.get(kind) or texts.LEDGER_MORE_EVENTS.get(kind, kind)
    words = "" if not reason or _private(books, category) else clean(reason, reporter_name)
    return [code, local(at), label, safe(_actor(by_reporter, actor_kind, actor_name)),
            _state(from_state), _state(to_state), words]


async def order_lines(books: Books, wanted: OrderFilter, now: datetime,
                      size: int = reads.BATCH) -> AsyncIterator[list[list[Cell]]]:
    """The ledger's rows, a batch at a time."""
    async for rows in reads.batches(
            books.uow, lambda dialect: reads.order_rows(wanted, now, dialect, books.scope), "orders", size):
        yield [order_line(books, row, now) for row in rows]


async def event_lines(books: Books, wanted: OrderFilter, now: datetime,
                      size: int = reads.BATCH) -> AsyncIterator[list[list[Cell]]]:
    """The events ledger's rows, a batch at a time."""
    async for rows in reads.batches(
            books.uow, lambda dialect: reads.event_rows(wanted, now, dialect, books.scope), "events", size):
        yield [event_line(books, row) for row in rows]
