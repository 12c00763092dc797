"""办单, in the domain's words: load the order, check the act once, call the domain, record,
and hand the events on (`Work.happened`, which tells people: handlers/notices.py).

Every function runs inside an open unit of work; the caller commits once, so an order, its
events and its messages land together. A use case holds no sentence and no button: what the
people around an order are told follows from the events it returns.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain import orders
from domain.access import Act
from domain.deadlines import due_for
from domain.grids import Unit, queue_of
from domain.orders import Event, WorkOrder
from domain.refusals import DomainError
from handlers.access import check
from handlers.holders import holder_of
from handlers.work import Work


@dataclass(frozen=True)
class Outcome:
    """What a use case did: the order as it stands now, and the events it recorded, in order."""

    order: WorkOrder
    events: tuple[Event, ...]

    @property
    def event(self) -> Event:
        """The last event: the act itself (an escalation after a second 重办, say)."""
        return self.events[-1]


async def load(work: Work, code: str) -> WorkOrder:
    order = await work.uow.orders.get(code)
    if order is None:
        raise DomainError("NO_SUCH_ORDER")
    return order


async def load_checked(work: Work, person_id: int | None, code: str, act: Act) -> WorkOrder:
    """The order, once `person_id` may do `act` to it (domain/access.py's rule)."""
    order = await load(work, code)
    await check(work, person_id, order, act)
    return order


async def record(work: Work, order: WorkOrder, *events: Event) -> Outcome:
    """Write the events and the order, then tell whoever they concern."""
    if len(events) == 1:
        await work.uow.events.add(events[0])
    else:
        await work.uow.events.add_all(list(events))
    await work.uow.orders.save(order)
    await work.happened(order, events)
    return Outcome(order, events)


def dispatched(work: Work, order: WorkOrder, unit: str, holder: int, actor_id: int | None,
               reason: str | None = None) -> Event:
    """派单 with a fresh deadline from now."""
    due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now)
    return orders.dispatch(order, unit, holder, due, work.now, actor_id, reason)


async def dispatch_to(work: Work, order: WorkOrder, unit: str, holder: int,
                      actor_id: int | None, reason: str | None = None) -> Outcome:
    return await record(work, order, dispatched(work, order, unit, holder, actor_id, reason))


async def sign_for(work: Work, person_id: int, code: str) -> Outcome:
    """签收."""
    order = await load_checked(work, person_id, code, Act.SIGN)
    return await record(work, order, orders.sign_for(order, person_id, work.now))


async def return_order(work: Work, person_id: int, code: str, reason: str) -> Outcome:
    """退单 goes to the dispatcher above; the second return goes to the street (兜底)."""
    order = await load_checked(work, person_id, code, Act.RETURN)
    tree = work.deps.router.tree
    unit = Unit.parse(order.unit_code).code
    parent = tree.parent_of(unit) if unit in tree else None
    if order.returns + 1 >= 2 or parent is None:
        parent = tree.fallback_street()
    queue = queue_of(parent.code)
    event = orders.return_order(order, person_id, reason, queue,
                                await holder_of(work, queue, operator=True), work.now)
    # The queue's clock starts now: the dispatcher must 派单 within a fresh sign limit.
    order.sign_due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now).sign_by
    return await record(work, order, event)


async def escalate(work: Work, person_id: int | None, code: str, reason: str) -> Outcome:
    """上报: one level up the tree, to that unit's leader, with a fresh deadline. The scheduler
    escalates with `person_id` None (no one to check)."""
    order = await load(work, code)
    if person_id is not None:
        await check(work, person_id, order, Act.ESCALATE)
    return await record(work, order, await escalation(work, order, person_id, reason))


async def escalation(work: Work, order: WorkOrder, person_id: int | None, reason: str) -> Event:
    """The order climbs to the unit above its own, held by that unit's leader (the operator
    past the street)."""
    tree = work.deps.router.tree
    unit = Unit.parse(order.unit_code or order.grid_code).code
    parent = tree.parent_of(unit) if unit in tree else None
    target = parent.code if parent else unit
    holder = await holder_of(work, target, operator=True)
    due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now)
    return orders.escalate(order, target, holder, due, work.now, person_id, reason)


async def report_progress(work: Work, person_id: int, code: str, note: str) -> Outcome:
    """进展: a note for the reporter; the order stays as it is."""
    order = await load_checked(work, person_id, code, Act.PROGRESS)
    event = orders.report_progress(order, person_id, note, work.now)
    await work.uow.events.add(event)
    await work.happened(order, (event,))
    return Outcome(order, (event,))


async def resolve(work: Work, person_id: int, code: str, note: str,
                  photo: str | None = None, photos: Sequence[str] = ()) -> Outcome:
    """办结: the reporter is asked whether it is solved, then to rate.

    The first photo is the resolution's after-photo; all of them are kept on the event.
    """
    photos = [photo, *photos] if photo else list(photos)
    order = await load_checked(work, person_id, code, Act.RESOLVE)
    event = orders.resolve(order, person_id, note, work.now, photos[0] if photos else None)
    if len(photos) > 1:
        event = replace(event, data={**event.data, "photos": photos})
    return await record(work, order, event)
