"""提单 and 派单, in the domain's words: a report becomes an order, dispatched at once when
routing decided, otherwise waiting in a dispatcher's queue; and 'me too' on an open order.

No sentence and no button here: who is told what follows from the events (handlers/notices.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from domain import orders
from domain.calendar import SHANGHAI
from domain.categories import HandlingLevel
from domain.deadlines import due_for
from domain.geo import box_around, distance_m
from domain.grids import Level, Unit, queue_of
from domain.orders import Event, WorkOrder
from domain.people import Person
from domain.refusals import DomainError
from handlers.access import followable, may_follow
from handlers.handling import dispatched
from handlers.holders import find_holder, holding_unit
from handlers.stored import stored_id
from handlers.work import Work


@dataclass
class Draft:
    """A report being written: what the reporter has given so far."""

    category: str | None = None
    description: str = ""
    photos: list[str] = field(default_factory=list)
    voice: str | None = None         # a stored voice note, when the platform gave no transcript
    lat: float | None = None
    lng: float | None = None
    address: str | None = None
    grid: str | None = None          # the smallest grid the place lies in
    queue: str | None = None         # the dispatcher's queue when no grid fits

    @property
    def placed(self) -> bool:
        return self.grid is not None or self.queue is not None


async def file_order(work: Work, reporter_id: int | None, draft: Draft) -> WorkOrder:
    """提单, then 派单 at once when routing decided; otherwise the order waits in a queue.

    Returns the new order; its events (submitted, and dispatched when it was) are written and
    told at once. The order is decided in full first, then written once, with its events in
    one statement: filing is the busiest transaction there is.
    """
    deps, now = work.deps, work.now
    category = deps.taxonomy.get(draft.category)
    unit = handling_unit(work, draft.grid, draft.queue, category.level)
    held = await find_holder(work, unit)
    order = WorkOrder(await work.uow.orders.next_code(now.astimezone(SHANGHAI).date()),
                      category.code, category.urgency, reporter_id, draft.description, now,
                      grid_code=draft.grid, lat=draft.lat, lng=draft.lng, address=draft.address)
    submitted = orders.submit(order, tuple(draft.photos))
    if draft.voice:
        submitted = replace(submitted, data={**submitted.data, "voice": draft.voice})
    events: tuple[Event, ...]
    if Unit.parse(unit).queue or held is None:
        order.unit_code = str(Unit(Unit.parse(unit).code, queue=True))
        order.assignee_id = held.person_id if held else None
        # A queue keeps the sign limit too: its holder must 派单 by then (the scheduler reminds).
        order.sign_due = due_for(deps.policy, deps.calendar, order.urgency, now).sign_by
        events = (submitted,)
        await work.uow.orders.add(order)
        await work.uow.events.add(submitted)
    else:
        events = (submitted, dispatched(work, order, holding_unit(work, held, unit),
                                        held.person_id, actor_id=None))
        await work.uow.orders.add(order)
        await work.uow.events.add_all(list(events))
    await work.happened(order, events)
    return order


def handling_unit(work: Work, grid: str | None, queue: str | None, level: HandlingLevel) -> str:
    """The unit a report goes to: its grid, or the community or street its category wants
    (a department's matter waits in the street's queue); unplaced, the queue routing chose."""
    tree = work.deps.router.tree
    if grid is None:
        return queue or queue_of(tree.fallback_street().code)
    wanted = {HandlingLevel.COMMUNITY: Level.COMMUNITY, HandlingLevel.STREET: Level.STREET,
              HandlingLevel.DEPARTMENT: Level.STREET}.get(level)
    if wanted is None:
        return grid
    above = tree.ancestor_at(grid, wanted)
    return queue_of(above.code) if level is HandlingLevel.DEPARTMENT and above else (
        above.code if above else grid)


async def nearby_duplicate(work: Work, draft: Draft) -> WorkOrder | None:
    """An open order of the same public category within 100 m and 24 h: offered as a me-too."""
    if draft.lat is None or draft.lng is None or draft.category is None \
            or not followable(work, draft.category):
        return None   # a private category is never offered: not even that such an order exists
    limits = work.deps.limits
    here = (draft.lat, draft.lng)
    for order in await work.uow.orders.open_near(draft.category, work.now - limits.metoo_window,
                                                 box_around(here, limits.metoo_radius_m)):
        # Pinned inside the box (open_near's query), so the point is there.
        if order.lat is not None and order.lng is not None \
                and distance_m((order.lat, order.lng), here) <= limits.metoo_radius_m:
            return order
    return None


async def me_too(work: Work, person: Person | None, code: str, draft: Draft | None) -> WorkOrder:
    """'Me too' from a report in progress: checked now, whatever the button said."""
    order = await work.uow.orders.get(code)
    if order is None or person is None or not may_follow(work, person, draft, order):
        raise DomainError("METOO_REFUSED")
    await follow(work, stored_id(person), order)
    return order


async def follow(work: Work, person_id: int, order: WorkOrder) -> None:
    """The person follows the order from now on (a me-too, or a merged duplicate's reporter)."""
    if order.reporter_id != person_id and await work.uow.orders.follow(order.code, person_id):
        await work.uow.events.add(orders.remark(order, "followed", work.now, person_id))


async def orders_per_hour(work: Work, person_id: int) -> int:
    return await work.uow.orders.count_reported_since(person_id, work.now - timedelta(hours=1))
