"""Where matters were settled: 小事不出网格率 and 大事不出社区率, from order events only.

docs/domain.md, 议事. An order counts in the period its closing event falls in ("rated" or
"closed_unrated", at or before `now`). It was settled by the unit that held it when it closed:
the unit named by its last assignment (派单, 上移 or 退单) before the close; a dispatcher's queue
(``queue:<code>``) is its community's or street's level; a unit not on the grid tree (a
department, called in by the street) is above the community.

- 小事不出网格率 = closed at micro-grid or grid level, never escalated ÷ closed
- 大事不出社区率 = closed at community level or below ÷ closed
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter

from domain.grids import GridTree, Level, grid_of
from domain.orders import Event

CLOSING = frozenset({"rated", "closed_unrated"})
HOLDING = frozenset({"dispatched", "escalated", "returned"})   # events that name the unit
IN_GRID = frozenset({Level.GRID, Level.MICRO_GRID})
IN_COMMUNITY = frozenset({Level.COMMUNITY, *IN_GRID})


@dataclass(frozen=True)
class Settlement:
    """Orders closed in a period and where they were settled."""

    closed: int = 0
    in_grid: int = 0        # at micro-grid or grid level, never escalated
    in_community: int = 0   # at community level or below

    @property
    def small_matters_rate(self) -> float | None:
        """小事不出网格率."""
        return self.in_grid / self.closed if self.closed else None

    @property
    def big_matters_rate(self) -> float | None:
        """大事不出社区率."""
        return self.in_community / self.closed if self.closed else None

    def __add__(self, other: Settlement) -> Settlement:
        return Settlement(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                             for f in fields(self)})


def unit_levels(tree: GridTree) -> Callable[[str | None], Level | None]:
    """The level of the unit an order was held by: a grid's, a queue's unit's, else None."""
    def level_of(unit: str | None) -> Level | None:
        code = grid_of(unit) if unit else None
        return tree.get(code).level if code is not None and code in tree else None
    return level_of


def _settled(events: list[Event], start: datetime, end: datetime, now: datetime,
             level_of: Callable[[str | None], Level | None]) -> Settlement | None:
    unit, escalated = None, False
    for e in sorted(events, key=attrgetter("at")):
        if e.at > now:
            break
        if e.kind in CLOSING:
            if not start <= e.at < end:
                return None
            level = level_of(unit)
            return Settlement(1, int(level in IN_GRID and not escalated),
                              int(level in IN_COMMUNITY))
        if e.kind in HOLDING:
            unit = e.data.get("unit")
        escalated = escalated or e.kind == "escalated"
    return None


def settlement_by_unit(events: Iterable[Event], unit_of: Callable[[str], str | None],
                       level_of: Callable[[str | None], Level | None], period_start: datetime,
                       period_end: datetime, now: datetime) -> dict[str, Settlement]:
    """Per unit (`unit_of` maps an order code to it, None: left out), the orders closed in
    [period_start, period_end) and where they were settled; `level_of` is `unit_levels(tree)`."""
    by_order: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_order[e.order_code].append(e)
    totals: dict[str, Settlement] = {}
    for code, history in by_order.items():
        unit = unit_of(code)
        settled = _settled(history, period_start, period_end, now, level_of)
        if unit is not None and settled is not None:
            totals[unit] = totals.get(unit, Settlement()) + settled
    return totals


def settlement_by_level(tree: GridTree, per_grid: Mapping[str | None, Settlement]
                        ) -> dict[str, Settlement]:
    """Each unit's figures — a grid's, a community's, a street's, a county's — as the sum over
    the reported grids below it (itself included); orders with no grid count nowhere."""
    totals: dict[str, Settlement] = {}
    for code, settled in per_grid.items():
        if code is None or code not in tree:
            continue
        for unit in tree.chain(code):
            totals[unit.code] = totals.get(unit.code, Settlement()) + settled
    return totals
