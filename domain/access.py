"""Who may see and who may follow a work order: the rule itself, free of any lookup.

An order's code is printed on notices and echo-wall posts and counts up by day, so it proves
nothing: what lets a person see an order is their part in it (reporter, follower, a handler in
its chain), and what lets them follow one is a report of their own about the same thing, here.
`handlers/access.py` gathers the facts (memberships, followers, the draft) and asks these.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.geo import distance_m
from domain.grids import GridTree
from domain.orders import WorkOrder

QUEUE = "queue:"
# Roles on a grid that see every order of that grid and of the grids below it (grid_code roles
# as storage writes them; departments see only what was whistled to them).
CHAIN_ROLES = frozenset({"leader", "member", "dispatcher"})


@dataclass(frozen=True)
class Part:
    """What a person has to do with an order, as far as it matters for seeing it."""

    person_id: int
    reporter: bool = False
    follower: bool = False
    handled: bool = False                    # assigned to them now or at any earlier step
    roles: tuple[tuple[str, str], ...] = ()  # (grid code, role) of each membership


def places_of(order: WorkOrder) -> set[str]:
    """The grids an order belongs to: where it was reported and the unit that holds it."""
    unit = (order.unit_code or "").removeprefix(QUEUE)
    return {code for code in (order.grid_code, unit) if code}


def in_chain(tree: GridTree, order: WorkOrder, roles: Iterable[tuple[str, str]]) -> bool:
    """A leader, member or dispatcher of the order's grid or unit, or of a grid above them."""
    places = [code for code in places_of(order) if code in tree]
    return any(role in CHAIN_ROLES and grid in tree and tree.is_above(grid, place)
               for grid, role in roles for place in places)


def may_view(tree: GridTree, order: WorkOrder, part: Part) -> bool:
    """The reporter, a follower, whoever handled it, or a handler in its chain."""
    return (part.reporter or part.follower or part.handled
            or order.assignee_id == part.person_id or in_chain(tree, order, part.roles))


def within_metoo_reach(order: WorkOrder, category: str | None,
                       pin: tuple[float, float] | None, now: datetime, radius_m: float,
                       window: timedelta) -> bool:
    """The order is one the me-too search offers for this report: same category, still open,
    filed within the window, pinned within the radius of the reporter's own pin."""
    if pin is None or category is None or order.lat is None or order.lng is None:
        return False
    return (order.category == category and not order.state.is_final
            and order.created_at >= now - window
            and distance_m((order.lat, order.lng), pin) <= radius_m)
