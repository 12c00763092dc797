"""The console's figures for a person's part of the tree: each unit's rates for a period, a
trend over weeks, the grid ranking (红榜, 黑榜) and the red list of overdue orders.

Nothing is computed here that the digest does not compute the same way: the rates are
`PublishingRepository.figures` (equal to `domain.metrics`) and `.settlement` (equal to
`domain.settlement`), summed up the tree by `digest.rollup` and `settlement_by_level`, and
ranked by `digest.ranking`. Which grids a person sees is the console list's scope.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.grids import Grid, GridTree, Level
from domain.metrics import Rates
from domain.orders import WorkOrder
from domain.settlement import Settlement, settlement_by_level
from handlers import texts
from handlers.digest import Ranked, ranking, rollup, rollup_counts, week_before
from handlers.work import Work
from storage.order_filter import OrderScope

# The periods a person may choose: key → (weeks back from this week's Monday, weeks long).
PERIODS = {"last_week": (1, 1), "this_week": (0, 1), "4w": (4, 4), "12w": (12, 12)}
DEFAULT_PERIOD = "last_week"
TREND_WEEKS = 8
RED_LIST_MOST = 50


@dataclass(frozen=True)
class UnitFigures:
    """One unit of the tree (a street, community, grid or micro-grid) in a period."""

    code: str
    name: str
    level: Level
    depth: int               # 0 for the person's own unit, 1 for the units under it, …
    rates: Rates
    settled: Settlement
    new: int                 # orders filed in it in the period


@dataclass(frozen=True)
class WeekFigures:
    start: datetime
    rates: Rates
    settled: Settlement


@dataclass(frozen=True)
class Figures:
    period: str
    start: datetime
    end: datetime            # exclusive
    units: list[UnitFigures]        # the person's units and those under them, tree order
    compared: list[UnitFigures]     # what the per-unit chart sets side by side
    whole: str                      # the name of all the person's units together
    trend: list[WeekFigures]        # the whole, week by week, oldest first
    ranked: list[Ranked]
    red: list[Ranked]
    black: list[Ranked]
    red_listed: list[WorkOrder]


def period_of(key: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of a period: whole weeks, Monday 00:00 in Shanghai, as the digest counts."""
    back, weeks = PERIODS.get(key, PERIODS[DEFAULT_PERIOD])
    monday = week_before(now)[1]
    start = monday - timedelta(weeks=back)
    return start, start + timedelta(weeks=weeks)


def roots_of(tree: GridTree, grids: frozenset[str]) -> list[Grid]:
    """The top grids of a scope: those whose parent is not in it."""
    return [tree.get(code) for code in sorted(grids)
            if code in tree and tree.get(code).parent not in grids]


def units_of(tree: GridTree, grids: frozenset[str]) -> list[tuple[Grid, int]]:
    """The scope's units in tree order with their depth; micro-grids only where the person's
    own unit is a grid or a micro-grid (a street's table would otherwise run to hundreds)."""
    shown: list[tuple[Grid, int]] = []
    for root in roots_of(tree, grids):
        finest = (Level.MICRO_GRID if root.level.rank >= Level.GRID.rank else Level.GRID).rank
        stack = [(root, 0)]
        while stack:
            grid, depth = stack.pop()
            shown.append((grid, depth))
            below = [g for g in tree.children(grid.code) if g.level.rank <= finest]
            stack += [(g, depth + 1) for g in sorted(below, key=lambda g: g.code, reverse=True)]
    return shown


Raw = tuple[dict[str | None, Rates], dict[str | None, Settlement], dict[str | None, int]]


class Kept:
    """The per-grid figures of periods that ended before they were read, for one database.

    Such figures no longer change (`domain.metrics`: events after a period's end do not touch
    it, and events are written at the time they happen), so the trend's weeks are read from
    the database once. What the tree makes of them (the sums up to each unit) is redone on
    every read, so a changed grid file shows at once.
    """

    def __init__(self, most: int = 64):
        self.most = most
        self.found: OrderedDict[tuple[datetime, datetime], Raw] = OrderedDict()

    def get(self, start: datetime, end: datetime) -> Raw | None:
        raw = self.found.get((start, end))
        if raw is not None:
            self.found.move_to_end((start, end))
        return raw

    def keep(self, start: datetime, end: datetime, raw: Raw) -> None:
        self.found[(start, end)] = raw
        while len(self.found) > self.most:
            self.found.popitem(last=False)


async def _read(work: Work, start: datetime, end: datetime, kept: Kept | None) -> Raw:
    now = work.now
    final = kept is not None and end <= now
    raw = kept.get(start, end) if kept is not None and final else None
    if raw is None:
        rates, new = await work.uow.publishing.figures(start, end, now)
        raw = rates, await work.uow.publishing.settlement(start, end, now), new
        if kept is not None and final:
            kept.keep(start, end, raw)
    return raw


async def _rates(work: Work, start: datetime, end: datetime, kept: Kept | None
                 ) -> tuple[dict[str, Rates], dict[str, Settlement], dict[str, int]]:
    tree = work.deps.router.tree
    rates, settled, new = await _read(work, start, end, kept)
    return rollup(rates, tree), settlement_by_level(tree, settled), rollup_counts(tree, new)


def _whole(codes: list[str], rates: dict[str, Rates], settled: dict[str, Settlement]
           ) -> tuple[Rates, Settlement]:
    return (sum((rates.get(c, Rates()) for c in codes), Rates()),
            sum((settled.get(c, Settlement()) for c in codes), Settlement()))


async def figures_of(work: Work, scope: OrderScope, period: str, kept: Kept | None = None
                     ) -> Figures:
    """The figures page of a person whose console scope is `scope`; `kept` holds the
    figures of ended periods between calls."""
    tree = work.deps.router.tree
    period = period if period in PERIODS else DEFAULT_PERIOD
    start, end = period_of(period, work.now)
    rates, settled, new = await _rates(work, start, end, kept)
    units = [UnitFigures(g.code, g.name, g.level, depth, rates.get(g.code, Rates()),
                         settled.get(g.code, Settlement()), new.get(g.code, 0))
             for g, depth in units_of(tree, scope.grids)]
    roots = [u for u in units if u.depth == 0]
    compared = ([u for u in units if u.depth == 1] if len(roots) == 1 else roots) or roots
    codes = [u.code for u in roots]
    trend = []
    this_monday = week_before(work.now)[1]
    for back in range(TREND_WEEKS, 0, -1):
        week = this_monday - timedelta(weeks=back)
        week_rates, week_settled, _ = await _rates(work, week, week + timedelta(weeks=1), kept)
        trend.append(WeekFigures(week, *_whole(codes, week_rates, week_settled)))
    ranked, red, black = ranking(rates, (g for g, _ in units_of(tree, scope.grids)))
    listed = await work.uow.order_map.red_listed(scope, RED_LIST_MOST)
    whole = texts.LIST_SEPARATOR.join(u.name for u in roots)
    return Figures(period, start, end, units, compared, whole, trend, ranked, red, black,
                   listed)
