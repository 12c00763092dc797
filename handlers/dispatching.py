"""What dispatchers and approvers do: assign (and 吹哨报到 to departments), mark invalid,
merge duplicates, and decide the extensions handlers ask for. Permissions as in use_cases."""
from __future__ import annotations

from domain import orders
from domain.grids import Level
from domain.orders import WorkOrder
from domain.refusals import DomainError, Refusal
from handlers import access, texts
from handlers.access import may_act
from handlers.dialog import Work, choices
from handlers.holders import QUEUE, find_holder, holding_unit
from handlers.use_cases import (
    NotAllowed,
    dispatch_to,
    follow,
    holder_of,
    load,
    load_for,
    record,
    tell_reporters,
    unit_name,
    work_time,
)
from storage.records import Role


async def assign(work: Work, person_id: int, code: str, unit: str) -> WorkOrder:
    """A dispatcher sends a queued, returned or escalated order to a grid."""
    order = await load_for(work, person_id, code)
    if unit not in await access.dispatch_targets(work, person_id, order):
        raise DomainError("DISPATCH_TARGET_REFUSED")   # checked at the press, not only in the menu
    held = await find_holder(work, unit)   # a grid without a leader: the nearest one above
    if held is None:
        raise DomainError("NO_LEADER_TO_ASSIGN", unit=unit_name(work, unit))
    await dispatch_to(work, order, holding_unit(work, held, unit), held.person_id,
                      actor_id=person_id)
    return order


async def mark_invalid(work: Work, person_id: int, code: str, reason: str) -> WorkOrder:
    """不予受理; a reason that calls the report false costs a roaming reporter points."""
    order = await load_for(work, person_id, code)
    why = "false" if any(word in reason for word in texts.FALSE_REPORT_WORDS) else "other"
    event = orders.mark_invalid(order, person_id, reason, work.now, why)
    await record(work, order, event)
    await tell_reporters(work, order, event)
    return order


async def merge(work: Work, person_id: int, code: str, into: str) -> WorkOrder:
    """A duplicate: its reporter and followers follow the original from now on. The original
    is one the actor answers for, of the same top category; no private order is ever merged."""
    order = await load_for(work, person_id, code)
    if not access.followable(work, order.category):
        raise DomainError(Refusal.MERGE_PRIVATE)
    target = await work.uow.orders.get(into)
    if target is None:      # the same words as for an order outside the actor's reach
        raise DomainError("MERGE_TARGET_REFUSED", code=into)
    await access.check_merge(work, person_id, order, target)
    if target.state.is_final:
        raise DomainError("MERGE_INTO_FINAL", code=into, state=target.state)
    event = orders.merge(order, into, person_id, work.now)
    await record(work, order, event)
    for follower in [order.reporter_id, *await work.uow.orders.followers(code)]:
        if follower is not None:
            await follow(work, follower, target)
    await tell_reporters(work, order, event)
    return order


async def request_extension(work: Work, person_id: int, code: str, days: int,
                            reason: str) -> WorkOrder:
    """申请延期: the community above approves or denies."""
    order = await load(work, code)
    if order.assignee_id != person_id:
        raise NotAllowed()
    if not reason.strip() or days < 1:
        raise DomainError("ASK_EXTEND")
    await work.uow.events.add(orders.remark(order, "extension_requested", work.now, person_id, reason,
                                      {"days": days}))
    tree = work.deps.router.tree
    community = tree.ancestor_at(order.unit_code, Level.COMMUNITY) \
        if order.unit_code in tree else None
    approver = await holder_of(work, community.code) if community else None
    if approver is None or approver == person_id:
        approver = await holder_of(work, QUEUE + min(g.code for g in tree.roots()),
                                   operator=True)
    await work.tell(approver, texts.EXTENSION_REQUEST.format(code=code, days=days, reason=reason),
                    choices((texts.APPROVE, f"approve:{code}:{days}"), (texts.DENY, f"deny:{code}")))
    return order


async def _pending_extension(work: Work, code: str) -> int | None:
    """The days of the extension asked for and not yet decided, if any."""
    days = None
    for event in await work.uow.events.for_order(code):
        if event.kind == "extension_requested":
            days = int(event.data.get("days", 3))
        elif event.kind in ("extended", "extension_denied"):
            days = None
    return days


async def decide_extension(work: Work, person_id: int, code: str, approve: bool) -> WorkOrder:
    """Approve or deny (`approve` False) the extension the handler asked for; only someone
    above the handler decides. The days are the ones asked for, whatever the button says."""
    order = await load(work, code)
    if person_id == order.assignee_id or not await may_act(work, person_id, order):
        raise NotAllowed()
    days = await _pending_extension(work, code)
    if days is None:
        raise DomainError("NO_EXTENSION_PENDING", code=code)
    if not approve:
        await work.uow.events.add(orders.remark(order, "extension_denied", work.now, person_id))
        await work.tell(order.assignee_id, texts.EXTENSION_DENIED.format(code=code))
        return order
    new_due = work.deps.calendar.add_working_days(order.resolve_due or work.now, days)
    event = orders.extend(order, person_id, new_due, texts.EXTENSION_APPROVED_REASON.format(days=days), work.now)
    await record(work, order, event)
    await work.tell(order.assignee_id, texts.EXTENSION_APPROVED.format(
        code=code, resolve_by=work_time(new_due)))
    await tell_reporters(work, order, event)
    return order


async def assign_person(work: Work, person_id: int, code: str, handler_id: int) -> WorkOrder:
    """吹哨报到: a dispatcher hands an order to a department's handler."""
    order = await load_for(work, person_id, code)
    street = min(g.code for g in work.deps.router.tree.roots())
    members = await work.uow.memberships.of_grid(street, Role.DEPARTMENT)
    if handler_id not in {m.person_id for m in members}:
        raise DomainError("DEPARTMENT_OUTSIDE_STREET")
    await dispatch_to(work, order, street, handler_id, actor_id=person_id)
    return order
