"""The grid tree: (county 区县 →) street 街道 → community 社区 → grid 网格 → micro-grid 微网格.

A county is optional: the sample district is a street and below. Escalation and the 议事 ladder
climb to the county where there is one; the street-fallback (兜底) stays a street.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from shapely.geometry.base import BaseGeometry


class Level(StrEnum):
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    MICRO_GRID = "micro_grid"
    COUNTY = "county"            # above the street; listed last so older messages read as before

    @property
    def rank(self) -> int:
        """-1 for a county, 0 for a street, 3 for a micro-grid: larger is smaller."""
        return _RANKS[self]


_RANKS = {Level.COUNTY: -1, Level.STREET: 0, Level.COMMUNITY: 1, Level.GRID: 2, Level.MICRO_GRID: 3}


# The levels that stand without a parent: a county, or a street where there is no county.
TOP_LEVELS = frozenset({Level.COUNTY, Level.STREET})


class GridTreeError(ValueError):
    """The tree as given cannot stand: a missing parent, a wrong level order, a cycle."""


@dataclass(frozen=True)
class Grid:
    code: str
    name: str
    level: Level
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    geometry: BaseGeometry | None = field(default=None, compare=False, repr=False)
    leader_id: int | None = None


class GridTree:
    """All grids of a district, indexed by code, with the escalation chain of each."""

    def __init__(self, grids: list[Grid] | tuple[Grid, ...]):
        self._by_code: dict[str, Grid] = {}
        for grid in grids:
            if grid.code in self._by_code:
                raise GridTreeError(f"grid {grid.code}: code appears twice")
            self._by_code[grid.code] = grid
        self._children: dict[str, list[str]] = {}
        for grid in self._by_code.values():
            self._check_parent(grid)
            if grid.parent:
                self._children.setdefault(grid.parent, []).append(grid.code)

    def _check_parent(self, grid: Grid) -> None:
        if grid.parent is None:
            if grid.level not in TOP_LEVELS:
                raise GridTreeError(f"grid {grid.code}: a {grid.level} needs a parent")
            return
        parent = self._by_code.get(grid.parent)
        if parent is None:
            raise GridTreeError(f"grid {grid.code}: parent {grid.parent} does not exist")
        if parent.level.rank >= grid.level.rank:
            raise GridTreeError(
                f"grid {grid.code}: a {grid.level} cannot sit under a {parent.level} ({parent.code})"
            )

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Grid]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Grid:
        try:
            return self._by_code[code]
        except KeyError:
            raise GridTreeError(f"no grid with code {code}") from None

    def children(self, code: str) -> list[Grid]:
        return [self._by_code[c] for c in self._children.get(code, [])]

    def chain(self, code: str) -> list[Grid]:
        """The escalation chain: this grid, then each parent up to the street (or its county)."""
        chain = [self.get(code)]
        while chain[-1].parent is not None:
            chain.append(self._by_code[chain[-1].parent])
        return chain

    def parent_of(self, code: str) -> Grid | None:
        parent = self.get(code).parent
        return self._by_code[parent] if parent else None

    def ancestor_at(self, code: str, level: Level) -> Grid | None:
        """The grid of the given level on the chain of `code` (itself included)."""
        return next((g for g in self.chain(code) if g.level is level), None)

    def leader_on_chain(self, code: str) -> tuple[Grid, int] | None:
        """The nearest grid on the chain that has a leader, and that leader."""
        for grid in self.chain(code):
            if grid.leader_id is not None:
                return grid, grid.leader_id
        return None

    def is_above(self, upper: str, lower: str) -> bool:
        """True when `upper` stands on the escalation chain of `lower` (itself included)."""
        return any(g.code == upper for g in self.chain(lower))

    def roots(self) -> list[Grid]:
        return [g for g in self._by_code.values() if g.parent is None]

    def fallback_street(self) -> Grid:
        """The street that takes what nothing else can (兜底): the topmost street with the
        smallest code — a root street, else the smallest-coded street under a county."""
        streets = [g for g in self._by_code.values() if g.level is Level.STREET]
        if not streets:
            return min(self.roots(), key=lambda g: g.code)
        return min(streets, key=lambda g: (g.parent is not None, g.code))


# --- the unit that holds an order ---------------------------------------------------------------

QUEUE_PREFIX = "queue:"


@dataclass(frozen=True)
class Unit:
    """What holds an order: a grid's own unit (``JJ-01``), or the dispatcher's queue of a grid
    (``queue:JJ-01``), where a dispatcher must 派单 rather than 签收. Orders store it as text;
    this is the one place that text is read and written."""

    code: str
    queue: bool = False

    @classmethod
    def parse(cls, text: str | None) -> Unit:
        """The unit named by an order's `unit_code`; an empty code for none."""
        text = text or ""
        if text.startswith(QUEUE_PREFIX):
            return cls(text[len(QUEUE_PREFIX):], queue=True)
        return cls(text)

    @classmethod
    def queue_of(cls, code: str) -> Unit:
        return cls(code, queue=True)

    def __str__(self) -> str:
        return QUEUE_PREFIX + self.code if self.queue else self.code


def queue_of(code: str) -> str:
    """The dispatcher's queue of a grid, as an order stores it."""
    return str(Unit.queue_of(code))


def is_queue(unit: str | None) -> bool:
    """The unit is a dispatcher's queue."""
    return Unit.parse(unit).queue


def grid_of(unit: str | None) -> str:
    """The grid code of a unit or of a queue ("" for none)."""
    return Unit.parse(unit).code



# --- who holds a unit's orders ------------------------------------------------------------------

LEADER, DISPATCHER, OPERATOR = "leader", "dispatcher", "operator"
HOLDING_POSTS = (LEADER, DISPATCHER)


@dataclass(frozen=True)
class Holder:
    """The person who must act for a unit, the grid whose post they fill, and that post.

    `grid_code` is None for the operator: the configured person above the street, who holds
    what no one on a chain can.
    """

    person_id: int
    grid_code: str | None
    post: str

    @property
    def is_operator(self) -> bool:
        return self.post == OPERATOR


def nearest_holder(chain: list[Grid], posts: dict[str, dict[str, list[int]]],
                   prefer: tuple[str, ...] = (LEADER, DISPATCHER)) -> Holder | None:
    """The first grid up `chain` with someone in a holding post; of two people, the lowest id.

    `posts` maps grid code → post → people; `prefer` orders the posts within one grid (a
    dispatcher's queue prefers its dispatcher, an order its leader).
    """
    for grid in chain:
        held = posts.get(grid.code, {})
        for post in prefer:
            if held.get(post):
                return Holder(min(held[post]), grid.code, post)
    return None


def leaderless(tree: GridTree, posts: dict[str, dict[str, list[int]]]) -> list[Grid]:
    """Grids with no 网格长, in tree order (code order)."""
    return sorted((g for g in tree if not posts.get(g.code, {}).get(LEADER)),
                  key=lambda g: g.code)


def unheld_chains(tree: GridTree, posts: dict[str, dict[str, list[int]]]) -> list[Grid]:
    """The smallest grids (no children) whose chain up to the street has no leader or dispatcher."""
    return sorted((g for g in tree if not tree.children(g.code)
                   and nearest_holder(tree.chain(g.code), posts) is None),
                  key=lambda g: g.code)
