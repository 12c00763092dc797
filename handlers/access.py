"""Who may see, follow and act on an order: asked by every door at the moment of each press.

A button's data is whatever the client sends back, so nothing in it is trusted: the order code
names the order, and these functions decide from the database whether this person may see it,
follow it or act on it. Each rule itself is `domain.access`'s; this module gathers the facts
(memberships, followers, the draft) it needs.
"""
from __future__ import annotations

from typing import Protocol

from domain import access
from domain.access import Act, NotAllowed
from domain.grids import GridTree
from domain.orders import WorkOrder
from domain.people import Person
from handlers.work import Work

__all__ = ["Act", "NotAllowed", "check", "may"]

# The events that hand an order to someone (their data names the new assignee).
HANDED_OVER = ("dispatched", "escalated", "returned")


class Pinned(Protocol):
    """What 'me too' needs of a report in progress: its category and pin."""

    category: str | None
    lat: float | None
    lng: float | None


def _tree(work: Work) -> GridTree:
    return work.deps.router.tree


async def _roles(work: Work, person_id: int) -> tuple[tuple[str, str], ...]:
    return tuple((m.grid_code, m.role.value)
                 for m in await work.uow.memberships.of_person(person_id))


async def may(work: Work, person_id: int | None, order: WorkOrder, act: Act) -> bool:
    """`domain.access.may`, with the person's memberships read only when the rule needs them."""
    roles = await _roles(work, person_id) if person_id is not None \
        and access.asks_roles(act, order, person_id) else ()
    return access.may(act, _tree(work), order, person_id, roles)


async def check(work: Work, person_id: int | None, order: WorkOrder, act: Act) -> None:
    """Refuse (NotAllowed) unless `may` allows it: the use cases' one check per act."""
    if not await may(work, person_id, order, act):
        raise NotAllowed()


async def may_view(work: Work, person: Person | None, order: WorkOrder) -> bool:
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


def followable(work: Work, category: str | None) -> bool:
    """A category that may be followed, merged or offered to another reporter: a public one."""
    return category is not None and access.followable(work.deps.taxonomy.get(category))


def may_follow(work: Work, person: Person | None, draft: Pinned | None,
               order: WorkOrder) -> bool:
    """'Me too' only from a consenting person's own report in progress, about the same thing:
    what the me-too search would have offered for the pin they sent; never a private order."""
    if person is None or person.consent_at is None or draft is None \
            or not followable(work, order.category):
        return False
    pin = (draft.lat, draft.lng) if draft.lat is not None and draft.lng is not None else None
    limits = work.deps.limits
    return access.within_metoo_reach(order, draft.category, pin, work.now,
                                     limits.metoo_radius_m, limits.metoo_window)


async def scope_roots(work: Work, person_id: int, order: WorkOrder) -> set[str]:
    """The grids whose subtree `person_id` answers for when acting on `order`."""
    return access.scope_roots(_tree(work), order, await _roles(work, person_id),
                              holder=person_id == order.assignee_id)


async def dispatch_targets(work: Work, person_id: int, order: WorkOrder) -> list[str]:
    """The grids 派单 offers this person for this order: the menu and the press agree."""
    return access.dispatch_targets(_tree(work), order, await scope_roots(work, person_id, order))


async def check_merge(work: Work, person_id: int, order: WorkOrder, target: WorkOrder) -> None:
    """Refuse merging `order` into `target` for this person unless `domain.access` allows it."""
    taxonomy = work.deps.taxonomy
    access.check_merge(_tree(work), target, await scope_roots(work, person_id, order),
                       taxonomy.get(order.category), taxonomy.get(target.category))
