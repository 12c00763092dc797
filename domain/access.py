"""Who may see, follow and name a work order: the rule itself, free of any lookup.

An order's code is printed on notices and echo-wall posts and counts up by day, so it proves
nothing: what lets a person see an order is their part in it (reporter, follower, a handler in
its chain), and what lets them follow one is a report of their own about the same thing, here.
An order of a private category (one never published) is never followed, merged or offered:
the person reported on could otherwise join the report about them. Staff name targets (a
merge target, a dispatch unit) only inside their own subtree (docs/domain.md, People and roles).
`handlers/access.py` gathers the facts (memberships, followers, the draft) and asks these.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.categories import Category
from domain.geo import distance_m
from domain.grids import GridTree, Level, grid_of
from domain.orders import WorkOrder, holds
from domain.people import CHAIN_ROLES, CHARGE_ROLES
from domain.refusals import DomainError, Refusal

# How many grids 派单 offers as buttons; a press may name only one of these.
DISPATCH_MENU_SIZE = 8


class NotAllowed(DomainError):
    """The person may not do this to this order (the catalogue's NOT_ALLOWED)."""

    def __init__(self) -> None:
        super().__init__(Refusal.NOT_YOUR_ORDER)


class Act(StrEnum):
    """What a person does to an order; each has exactly one rule, `may` below. The values are
    the names the workbench's buttons use."""

    SIGN = "sign"                  # 签收
    RETURN = "return"              # 退单
    PROGRESS = "progress"          # 进展
    RESOLVE = "resolve"            # 办结
    EXTEND = "extend"              # 申请延期
    ESCALATE = "up"                # 上报
    ASSIGN = "assign"              # 派单, 吹哨报到
    INVALID = "invalid"            # 不予受理
    MERGE = "merge"                # 合并
    DECIDE = "decide"              # approve or deny an extension
    RATE = "rate"                  # 评单


# The holder's own acts: nobody above may sign or resolve in their place.
HOLDER_ACTS = frozenset({Act.SIGN, Act.RETURN, Act.PROGRESS, Act.RESOLVE, Act.EXTEND})


def in_charge(tree: GridTree, order: WorkOrder, person_id: int,
              roles: Iterable[tuple[str, str]]) -> bool:
    """The holder, or a leader or dispatcher of a grid on the chain of the order's unit."""
    if holds(order, person_id):
        return True
    unit = grid_of(order.unit_code or order.grid_code)
    return unit in tree and any(role in CHARGE_ROLES and grid in tree and tree.is_above(grid, unit)
                                for grid, role in roles)


def asks_roles(act: Act, order: WorkOrder, person_id: int | None) -> bool:
    """Whether `may` needs the person's memberships to answer (the holder's acts never do)."""
    return (person_id is not None and act not in HOLDER_ACTS and act is not Act.RATE
            and not holds(order, person_id))


def may(act: Act, tree: GridTree, order: WorkOrder, person_id: int | None,
        roles: Iterable[tuple[str, str]] = ()) -> bool:
    """The one rule for each act: the holder's acts are the holder's alone; 评单 is the
    reporter's; an extension is decided above the holder, never by them; everything else
    (上报, 派单, 不予受理, 合并) by the holder or anyone in charge above the order's unit."""
    if person_id is None:
        return False
    if act in HOLDER_ACTS:
        return holds(order, person_id)
    if act is Act.RATE:
        return person_id == order.reporter_id
    if act is Act.DECIDE and holds(order, person_id):
        return False
    return in_charge(tree, order, person_id, roles)


@dataclass(frozen=True)
class Part:
    """What a person has to do with an order, as far as it matters for seeing it."""

    person_id: int
    reporter: bool = False
    follower: bool = False
    handled: bool = False                    # assigned to them now or at any earlier step
    roles: tuple[tuple[str, str], ...] = ()  # (grid code, role) of each membership


def unit_of(order: WorkOrder) -> str:
    """The grid whose unit (or dispatcher's queue) holds the order now."""
    return grid_of(order.unit_code)


def places_of(order: WorkOrder) -> set[str]:
    """The grids an order belongs to: where it was reported and the unit that holds it."""
    return {code for code in (order.grid_code, unit_of(order)) if code}


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


def followable(kind: Category) -> bool:
    """Only a category that may be published is ever followed ('me too', 合并) or mentioned to
    another reporter: a private one (disputes, 举报, family matters) stays with its reporter."""
    return kind.publishable


def scope_roots(tree: GridTree, order: WorkOrder, roles: Iterable[tuple[str, str]],
                holder: bool) -> set[str]:
    """The grids whose subtree a person answers for when acting on this order: each grid they
    lead or dispatch, and for its holder the unit that holds it."""
    roots = {grid for grid, role in roles if role in CHARGE_ROLES and grid in tree}
    if holder and unit_of(order) in tree:
        roots.add(unit_of(order))
    return roots


def within(tree: GridTree, roots: Iterable[str], code: str) -> bool:
    """`code` is one of the roots or lies below one of them."""
    return code in tree and any(tree.is_above(root, code) for root in roots)


def dispatch_targets(tree: GridTree, order: WorkOrder, roots: set[str]) -> list[str]:
    """The grids 派单 offers, in the menu's order, and the only ones a press may name: where
    the order was reported, then the grids right below each grid of its chain the person
    answers for, nearest first (micro-grids are reached through their grid); all inside the
    person's own subtree, never the unit holding it now."""
    unit = unit_of(order)
    chain = [g.code for g in tree.chain(unit)] if unit in tree else []
    below = [child.code for grid in chain if grid in roots for child in tree.children(grid)
             if child.level is not Level.MICRO_GRID]
    offered: list[str] = []
    for code in [order.grid_code or "", *below]:
        if code != unit and code not in offered and within(tree, roots, code):
            offered.append(code)
    return offered[:DISPATCH_MENU_SIZE]


def check_merge(tree: GridTree, target: WorkOrder, roots: set[str], kind: Category,
                target_kind: Category) -> None:
    """Refuse (DomainError) merging a duplicate of `kind` into `target` unless the target is an
    order the person answers for (reported or held inside their subtree), neither order is
    private, and both are of the same top category."""
    if not any(within(tree, roots, place) for place in places_of(target)):
        raise DomainError(Refusal.MERGE_TARGET, code=target.code)   # as if it did not exist
    if not (followable(kind) and followable(target_kind)):
        raise DomainError(Refusal.MERGE_PRIVATE)
    if kind.top != target_kind.top:
        raise DomainError(Refusal.MERGE_TARGET, code=target.code)
