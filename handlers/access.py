"""Who may see, follow and act on an order: asked by the use cases at the moment of each press.

A button's data is whatever the client sends back, so nothing in it is trusted: the order code
names the order, and these functions decide from the database whether this person may see it,
follow it or act on it. The pure part of each rule lives in `domain.access`.
"""
from __future__ import annotations

from typing import Any

from domain import access
from domain.grids import GridTree
from domain.orders import WorkOrder
from storage.records import Person, Role

# The events that hand an order to someone (their data names the new assignee).
HANDED_OVER = ("dispatched", "escalated", "returned")
# Who may press each staff action: the holder only, or anyone in charge above it too.
HOLDER_ONLY = frozenset({"sign", "return", "progress", "resolve", "extend"})


def _tree(work: Any) -> GridTree:
    tree: GridTree = work.deps.router.tree
    return tree


async def _roles(work: Any, person_id: int) -> tuple[tuple[str, str], ...]:
    return tuple((m.grid_code, m.role.value)
                 for m in await work.uow.memberships.of_person(person_id))


async def may_act(work: Any, person_id: int | None, order: WorkOrder) -> bool:
    """The assignee, or a leader or dispatcher of a grid on the chain of the order's unit."""
    if person_id is None:
        return False
    if person_id == order.assignee_id:
        return True
    tree = _tree(work)
    unit = (order.unit_code or order.grid_code or "").removeprefix(access.QUEUE)
    if unit not in tree:
        return False
    return any(role in (Role.LEADER.value, Role.DISPATCHER.value) and grid in tree
               and tree.is_above(grid, unit) for grid, role in await _roles(work, person_id))


async def may_press(work: Any, person_id: int | None, order: WorkOrder, action: str) -> bool:
    """A staff button: 签收, 退回, 进展, 办结 and 申请延期 belong to the holder alone."""
    if action in HOLDER_ONLY:
        return person_id is not None and person_id == order.assignee_id
    return await may_act(work, person_id, order)


async def may_view(work: Any, person: Person | None, order: WorkOrder) -> bool:
    """The reporter, a follower, or a handler in the order's chain (see `domain.access`)."""
    if person is None or person.id is None:
        return False
    me = person.id
    if me in (order.reporter_id, order.assignee_id):
        return True   # the common cases, without a query
    roles = await _roles(work, me)
    if access.in_chain(_tree(work), order, roles):
        return True
    if me in await work.uow.orders.followers(order.code):
        return True
    handled = any(event.kind in HANDED_OVER and event.data.get("assignee") == me
                  for event in await work.uow.events.for_order(order.code))
    return access.may_view(_tree(work), order, access.Part(me, handled=handled, roles=roles))


def followable(work: Any, category: str | None) -> bool:
    """A category that may be followed, merged or offered to another reporter: a public one."""
    return category is not None and access.followable(work.deps.taxonomy.get(category))


def may_follow(work: Any, person: Person | None, draft: Any | None, order: WorkOrder) -> bool:
    """'Me too' only from a consenting person's own report in progress, about the same thing:
    what the me-too search would have offered for the pin they sent; never a private order."""
    if person is None or person.consent_at is None or draft is None \
            or not followable(work, order.category):
        return False
    pin = (draft.lat, draft.lng) if draft.lat is not None and draft.lng is not None else None
    limits = work.deps.limits
    return access.within_metoo_reach(order, draft.category, pin, work.now,
                                     limits.metoo_radius_m, limits.metoo_window)


async def scope_roots(work: Any, person_id: int, order: WorkOrder) -> set[str]:
    """The grids whose subtree `person_id` answers for when acting on `order`."""
    return access.scope_roots(_tree(work), order, await _roles(work, person_id),
                              holder=person_id == order.assignee_id)


async def dispatch_targets(work: Any, person_id: int, order: WorkOrder) -> list[str]:
    """The grids 派单 offers this person for this order: the menu and the press agree."""
    return access.dispatch_targets(_tree(work), order, await scope_roots(work, person_id, order))


async def check_merge(work: Any, person_id: int, order: WorkOrder, target: WorkOrder) -> None:
    """Refuse merging `order` into `target` for this person unless `domain.access` allows it."""
    taxonomy = work.deps.taxonomy
    access.check_merge(_tree(work), target, await scope_roots(work, person_id, order),
                       taxonomy.get(order.category), taxonomy.get(target.category))
