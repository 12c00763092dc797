"""The staff console's door onto the use cases: who sees what, and each action of an order page.

Every call the console makes into the use cases is here, so there is one place where the web
door meets them (chat's own door is `handlers/workbench.py`). The rules are chat's: the list's
scope is `domain.access`'s chain (a leader, member or dispatcher sees their grids' subtrees,
anyone what they hold), an order page opens only where `handlers.access.may_view` says so, and
each action goes through the use case that checks it again at the press and tells the reporter.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import access as rules
from domain.orders import State, WorkOrder
from domain.refusals import DomainError
from handlers import access, dispatching, order_view, use_cases
from handlers.dialog import Work
from storage.records import Person
from storage.repositories.order_list import OrderScope

# Every action a console page may offer, in the order the page shows them.
ACTIONS = ("sign", "assign", "escalate", "progress", "resolve", "approve", "deny", "invalid",
           "merge")
# The actions whose form carries words (a reason, a note); merge carries the target's code.
NEEDS_REASON = frozenset({"escalate", "progress", "resolve", "invalid"})
WAITING = (State.SUBMITTED, State.DISPATCHED)


@dataclass(frozen=True)
class Offer:
    """What a viewer may do with an order now, and where 派单 may send it."""

    actions: tuple[str, ...]
    targets: tuple[str, ...] = ()


async def scope_of(work: Work, person_id: int) -> OrderScope:
    """The orders the console lists for a person: those reported in or held by a grid of the
    subtrees they lead, serve or dispatch, and whatever they hold themself."""
    tree = work.deps.router.tree
    roots = {m.grid_code for m in await work.uow.memberships.of_person(person_id)
             if m.role.value in rules.CHAIN_ROLES and m.grid_code in tree}
    grids = frozenset(g.code for g in tree if rules.within(tree, roots, g.code))
    return OrderScope(grids, person_id)


async def open_order(work: Work, person: Person, code: str) -> WorkOrder | None:
    """The order, if this person may see it; None alike for one that does not exist."""
    order = await work.uow.orders.get(code)
    if order is None or not await access.may_view(work, person, order):
        return None
    return order


async def offer(work: Work, person_id: int, order: WorkOrder) -> Offer:
    """The actions this viewer may take on the order now (the use cases check again)."""
    if order.state.is_final:
        return Offer(())
    holder = order.assignee_id == person_id
    above = await access.may_act(work, person_id, order)
    shown: list[str] = []
    if holder and order.state is State.DISPATCHED:
        shown.append("sign")
    targets: list[str] = []
    if above and order.state in WAITING:
        targets = await access.dispatch_targets(work, person_id, order)
        if targets:
            shown.append("assign")
    if above and order.state in (State.DISPATCHED, State.ACCEPTED):
        shown.append("escalate")
    if holder and order.state is State.ACCEPTED:
        shown += ["progress", "resolve"]
    if above and not holder and await _extension_pending(work, order.code):
        shown += ["approve", "deny"]
    if above and order.state in WAITING:
        shown.append("invalid")
        if access.followable(work, order.category):
            shown.append("merge")
    return Offer(tuple(a for a in ACTIONS if a in shown), tuple(targets))


async def _extension_pending(work: Work, code: str) -> bool:
    """An extension asked for and not yet decided (decide_extension reads the days itself)."""
    pending = False
    for event in await work.uow.events.for_order(code):
        if event.kind == "extension_requested":
            pending = True
        elif event.kind in ("extended", "extension_denied"):
            pending = False
    return pending


async def act(work: Work, person_id: int, code: str, action: str, words: str = "",
              target: str = "") -> WorkOrder:
    """One action of the order page, through the use case chat uses for the same press."""
    words = words.strip()
    if action in NEEDS_REASON and not words:
        raise DomainError("REASON_REQUIRED", action=action)
    if action == "sign":
        return await use_cases.sign_for(work, person_id, code)
    if action == "assign":
        return await dispatching.assign(work, person_id, code, target)
    if action == "escalate":
        return await use_cases.escalate(work, person_id, code, words)
    if action == "progress":
        return await use_cases.report_progress(work, person_id, code, words)
    if action == "resolve":
        return await use_cases.resolve(work, person_id, code, words)
    if action in ("approve", "deny"):
        return await dispatching.decide_extension(work, person_id, code, approve=action == "approve")
    if action == "invalid":
        return await dispatching.mark_invalid(work, person_id, code, words)
    if action == "merge":
        return await dispatching.merge(work, person_id, code, target.strip().upper())
    raise use_cases.NotAllowed()


async def view_contact(work: Work, person_id: int, code: str) -> str:
    """查看联系方式, as in chat: the holder alone, each look an event."""
    return await order_view.view_contact(work, person_id, code)


async def evidence(work: Work, order: WorkOrder) -> Any:
    """The report's photos, voice note and pin, as the holder sees them in chat."""
    return await order_view.evidence(work, order, use_cases.place_of(work, order))


def unit_name(work: Work, unit: str | None) -> str:
    return use_cases.unit_name(work, unit)


def place_of(work: Work, order: WorkOrder) -> str:
    return use_cases.place_of(work, order)
