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
from domain.access import Act
from domain.orders import State, WorkOrder
from domain.people import CHAIN_ROLES
from domain.refusals import DomainError
from handlers import access, dispatching, names, order_view, texts, use_cases
from handlers.work import Work
from storage.order_filter import OrderScope
from storage.records import Person

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
             if m.role.value in CHAIN_ROLES and m.grid_code in tree}
    grids = frozenset(g.code for g in tree if rules.within(tree, roots, g.code))
    return OrderScope(grids, person_id)


async def open_order(work: Work, person: Person, code: str) -> WorkOrder | None:
    """The order, if this person may see it; None alike for one that does not exist."""
    order = await work.uow.orders.get(code)
    if order is None or not await access.may_view(work, person, order):
        return None
    return order


async def offer(work: Work, person_id: int, order: WorkOrder) -> Offer:
    """The actions this viewer may take on the order now: the rule of each is `domain.access`'s,
    the one chat's buttons obey (the use cases check it again at the press)."""
    if order.state.is_final:
        return Offer(())

    async def may(act: Act) -> bool:
        return await access.may(work, person_id, order, act)

    shown: list[str] = []
    if order.state is State.DISPATCHED and await may(Act.SIGN):
        shown.append("sign")
    targets: list[str] = []
    if order.state in WAITING and await may(Act.ASSIGN):
        targets = await access.dispatch_targets(work, person_id, order)
        if targets:
            shown.append("assign")
    if order.state in (State.DISPATCHED, State.ACCEPTED) and await may(Act.ESCALATE):
        shown.append("escalate")
    if order.state is State.ACCEPTED and await may(Act.PROGRESS):
        shown += ["progress", "resolve"]
    if await may(Act.DECIDE) and await dispatching.pending_extension(work, order.code) is not None:
        shown += ["approve", "deny"]
    if order.state in WAITING and await may(Act.INVALID):
        shown.append("invalid")
        if access.followable(work, order.category):
            shown.append("merge")
    return Offer(tuple(a for a in ACTIONS if a in shown), tuple(targets))


async def act(work: Work, person_id: int, code: str, action: str, words: str = "",
              target: str = "") -> WorkOrder:
    """One action of the order page, through the use case chat uses for the same press, with
    the words chat would hand it."""
    words = words.strip()
    if action in NEEDS_REASON and not words:
        raise DomainError("REASON_REQUIRED", action=action)
    if action == "sign":
        done = await use_cases.sign_for(work, person_id, code)
    elif action == "assign":
        done = await dispatching.assign(work, person_id, code, target)
    elif action == "escalate":
        done = await use_cases.escalate(work, person_id, code, words)
    elif action == "progress":
        done = await use_cases.report_progress(work, person_id, code, words)
    elif action == "resolve":
        done = await use_cases.resolve(work, person_id, code, words)
    elif action == "approve":
        done = await dispatching.decide_extension(work, person_id, code, approve=True,
                                                  reason=texts.EXTENSION_APPROVED_REASON)
    elif action == "deny":
        done = await dispatching.decide_extension(work, person_id, code, approve=False)
    elif action == "invalid":
        done = await dispatching.mark_invalid(work, person_id, code, words,
                                              names.invalid_category(words))
    elif action == "merge":
        done = await dispatching.merge(work, person_id, code, target.strip().upper())
    else:
        raise rules.NotAllowed()
    return done.order


async def view_contact(work: Work, person_id: int, code: str) -> str:
    """查看联系方式, as in chat: the holder alone, each look an event."""
    return await order_view.view_contact(work, person_id, code)


async def evidence(work: Work, order: WorkOrder) -> Any:
    """The report's photos, voice note and pin, as the holder sees them in chat."""
    return await order_view.evidence(work, order, names.place_of(work, order))


def unit_name(work: Work, unit: str | None) -> str:
    return names.unit_name(work, unit)


def place_of(work: Work, order: WorkOrder) -> str:
    return names.place_of(work, order)
