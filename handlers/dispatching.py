"""What dispatchers and approvers do: assign (and 吹哨报到 to departments), mark invalid,
merge duplicates, and decide the extensions handlers ask for. Each act is checked once, by
its rule in domain/access.py; who is told follows from the events (handlers/notices.py)."""
from __future__ import annotations

from domain import orders
from domain.access import Act
from domain.people import Role
from domain.refusals import DomainError, Refusal
from handlers import access
from handlers.filing import follow
from handlers.handling import Outcome, dispatch_to, load_checked, record
from handlers.holders import find_holder, holding_unit
from handlers.work import Work

# The days asked for when the handler names none.
DEFAULT_EXTENSION_DAYS = 3


async def assign(work: Work, person_id: int, code: str, unit: str) -> Outcome:
    """A dispatcher sends a queued, returned or escalated order to a grid."""
    order = await load_checked(work, person_id, code, Act.ASSIGN)
    if unit not in await access.dispatch_targets(work, person_id, order):
        raise DomainError("DISPATCH_TARGET_REFUSED")   # checked at the press, not only in the menu
    held = await find_holder(work, unit)   # a grid without a leader: the nearest one above
    if held is None:
        raise DomainError("NO_LEADER_TO_ASSIGN", unit=work.deps.router.tree.get(unit).name)
    return await dispatch_to(work, order, holding_unit(work, held, unit), held.person_id,
                             actor_id=person_id)


async def mark_invalid(work: Work, person_id: int, code: str, reason: str,
                       category: str = "other") -> Outcome:
    """不予受理, of one of the domain's categories (`false` costs a roaming reporter points)."""
    order = await load_checked(work, person_id, code, Act.INVALID)
    return await record(work, order, orders.mark_invalid(order, person_id, reason, work.now,
                                                         category))


async def merge(work: Work, person_id: int, code: str, into: str) -> Outcome:
    """A duplicate: its reporter and followers follow the original from now on. The original
    is one the actor answers for, of the same top category; no private order is ever merged."""
    order = await load_checked(work, person_id, code, Act.MERGE)
    if not access.followable(work, order.category):
        raise DomainError(Refusal.MERGE_PRIVATE)
    target = await work.uow.orders.get(into)
    if target is None:      # the same words as for an order outside the actor's reach
        raise DomainError("MERGE_TARGET_REFUSED", code=into)
    await access.check_merge(work, person_id, order, target)
    if target.state.is_final:
        raise DomainError("MERGE_INTO_FINAL", code=into, state=target.state)
    event = orders.merge(order, into, person_id, work.now)
    await work.uow.events.add(event)
    await work.uow.orders.save(order)
    for follower in [order.reporter_id, *await work.uow.orders.followers(code)]:
        if follower is not None:
            await follow(work, follower, target)
    await work.happened(order, (event,))
    return Outcome(order, (event,))


async def request_extension(work: Work, person_id: int, code: str, days: int,
                            reason: str) -> Outcome:
    """申请延期: the community above approves or denies."""
    order = await load_checked(work, person_id, code, Act.EXTEND)
    if not reason.strip() or days < 1:
        raise DomainError("ASK_EXTEND")
    event = orders.remark(order, "extension_requested", work.now, person_id, reason,
                          {"days": days})
    await work.uow.events.add(event)
    await work.happened(order, (event,))
    return Outcome(order, (event,))


async def pending_extension(work: Work, code: str) -> int | None:
    """The days of the extension asked for and not yet decided, if any."""
    days = None
    for event in await work.uow.events.for_order(code):
        if event.kind == "extension_requested":
            days = int(event.data.get("days", DEFAULT_EXTENSION_DAYS))
        elif event.kind in ("extended", "extension_denied"):
            days = None
    return days


async def decide_extension(work: Work, person_id: int, code: str, approve: bool,
                           reason: str = "") -> Outcome:
    """Approve or deny (`approve` False) the extension the handler asked for; only someone
    above the handler decides. The days are the ones asked for, whatever the button says;
    `reason` is the approver's words, `{days}` in it filled with them."""
    order = await load_checked(work, person_id, code, Act.DECIDE)
    days = await pending_extension(work, code)
    if days is None:
        raise DomainError("NO_EXTENSION_PENDING", code=code)
    if not approve:
        denied = orders.remark(order, "extension_denied", work.now, person_id)
        await work.uow.events.add(denied)
        await work.happened(order, (denied,))
        return Outcome(order, (denied,))
    new_due = work.deps.calendar.add_working_days(order.resolve_due or work.now, days)
    return await record(work, order, orders.extend(order, person_id, new_due,
                                                   reason.format(days=days), work.now))


async def assign_person(work: Work, person_id: int, code: str, handler_id: int) -> Outcome:
    """吹哨报到: a dispatcher hands an order to a department's handler."""
    order = await load_checked(work, person_id, code, Act.ASSIGN)
    street = work.deps.router.tree.fallback_street().code
    members = await work.uow.memberships.of_grid(street, Role.DEPARTMENT)
    if handler_id not in {m.person_id for m in members}:
        raise DomainError("DEPARTMENT_OUTSIDE_STREET")
    return await dispatch_to(work, order, street, handler_id, actor_id=person_id)
