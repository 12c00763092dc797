"""The list's query string as an `OrderFilter` and a page number: whatever is sent, never a 5xx.

A value that does not parse is dropped (the list then shows more, never an error page): the
form only offers valid ones, and a hand-made URL gains nothing by a bad one.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from domain.calendar import SHANGHAI
from domain.categories import Taxonomy
from domain.grids import GridTree
from domain.orders import State, Urgency
from storage.order_filter import SORT_KEYS, OrderFilter, Shade, SortKey

CODE = re.compile(r"[A-Za-z0-9-]{1,24}")
PAGE_SIZE = 50
MOST_PAGES = 10_000
SHADES = ("green", "yellow", "red")


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else None
    except ValueError:
        return None


def _at(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), SHANGHAI) if day else None


def order_filter(values: Mapping[str, str], tree: GridTree, taxonomy: Taxonomy) -> OrderFilter:
    """The filter a query string asks for; unknown or malformed values are ignored."""
    states = tuple(State(v) for v in values.get("state", "").split(",")
                   if v in {s.value for s in State})
    grid = values.get("grid") or ""
    grids = (frozenset(g.code for g in tree if tree.is_above(grid, g.code))
             if grid in tree else None)
    category = values.get("category") or ""
    categories: frozenset[str] | None = None
    if category in taxonomy:
        categories = frozenset({category})
    elif category in taxonomy.top_levels():
        categories = frozenset(c.code for c in taxonomy.children(category))
    urgency = values.get("urgency", "")
    shade = values.get("light", "")
    until = _day(values.get("until"))
    text = (values.get("q") or "").strip()[:50] or None
    code = values.get("code") or ""
    sort = values.get("sort", "")
    return OrderFilter(
        states=states, grids=grids, categories=categories,
        urgency=Urgency(urgency) if urgency in {u.value for u in Urgency} else None,
        light=cast(Shade, shade) if shade in SHADES else None,
        overdue=values.get("overdue") == "1",
        since=_at(_day(values.get("since"))),
        until=_at(until + timedelta(days=1)) if until else None,
        text=text, code=code if CODE.fullmatch(code) else None,
        sort=cast(SortKey, sort) if sort in SORT_KEYS else "created_at",
        descending=values.get("dir") != "asc")


def anchor(values: Mapping[str, str], key: str) -> str | None:
    """The code a page starts after (or ends before), if it looks like one."""
    code = values.get(key) or ""
    return code if CODE.fullmatch(code) else None


def page_number(values: Mapping[str, Any]) -> int:
    raw = str(values.get("page", "1"))
    return min(int(raw), MOST_PAGES) if raw.isdigit() and len(raw) < 7 else 1
