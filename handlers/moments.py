"""A button pressed after its moment: checked against the present, refused in one sentence.

Every button carries what it acts on (an order's code, a step's answer). When it is pressed the
present decides: an order that has moved on since the button was sent (signed, returned,
escalated, closed), or a step that has ended (onboarding done, a report filed or cancelled), is
named in one sentence and nothing changes; the conversation stays where it was. Who may act at
all is still the use cases' question: a stranger's press is refused as before.
"""
from __future__ import annotations

from typing import Any

from domain.orders import State, WorkOrder
from domain.refusals import DomainError
from handlers import actions, texts
from handlers.access import HANDED_OVER, Act, may
from handlers.actions import Action
from handlers.dialog import Turn

_OPEN = frozenset(State) - {State.CLOSED, State.INVALID, State.MERGED}
_QUEUED = frozenset({State.SUBMITTED, State.DISPATCHED})
# The states in which each order button still means something (docs/domain.md, Transitions).
STAGES: dict[type[Action], frozenset[State]] = {
    actions.Sign: frozenset({State.DISPATCHED}),
    actions.Return: frozenset({State.DISPATCHED}),
    actions.Escalate: frozenset({State.DISPATCHED, State.ACCEPTED}),
    actions.Progress: frozenset({State.ACCEPTED}),
    actions.Extend: frozenset({State.ACCEPTED}),
    actions.Resolve: frozenset({State.ACCEPTED}),
    actions.Finish: frozenset({State.ACCEPTED}),
    actions.Approve: frozenset({State.ACCEPTED}),
    actions.Deny: frozenset({State.ACCEPTED}),
    actions.Invalid: _QUEUED, actions.Merge: _QUEUED, actions.Assign: _QUEUED,
    actions.AssignTo: _QUEUED,
    actions.Contact: _OPEN,
    actions.Solved: frozenset({State.RESOLVED}),
    actions.Rate: frozenset({State.RESOLVED}),
}
# The buttons that belong to whoever holds the order now.
HOLDERS: frozenset[type[Action]] = frozenset({
    actions.Sign, actions.Return, actions.Progress, actions.Extend, actions.Resolve,
    actions.Finish, actions.Contact})
RATINGS: frozenset[type[Action]] = frozenset({actions.Solved, actions.Rate})
# The others: pressed by anyone in charge, under the one rule of their act (domain/access.py).
ACTS: dict[type[Action], Act] = {
    actions.Escalate: Act.ESCALATE, actions.Invalid: Act.INVALID, actions.Merge: Act.MERGE,
    actions.Assign: Act.ASSIGN, actions.AssignTo: Act.ASSIGN, actions.Approve: Act.DECIDE,
    actions.Deny: Act.DECIDE}
# What a step-bound refusal means: the order the step was about is no longer where it was.
# An agenda item's step (a comment, a decision) ends the same way when the item moved on.
MOVED_ON = frozenset({"ILLEGAL_STATE", "NOT_ALLOWED", "NO_SUCH_ORDER", "STALE_ORDER",
                      "AGENDA_ILLEGAL_STATE", "AGENDA_NOT_ALLOWED", "AGENDA_UNKNOWN",
                      "AGENDA_STALE", "AGENDA_STALE_MOVED"})


class OutOfDate(DomainError):
    """A press (or a step's answer) that belongs to a moment that has passed."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key, **params)


def step_ended(step: str) -> OutOfDate:
    return OutOfDate("STALE_STEP", step=texts.STEP_LABELS[step])


def order_moved_on(order: WorkOrder) -> OutOfDate:
    return OutOfDate("STALE_ORDER", code=order.code, state=order.state)


def at_step(turn: Turn, step: str, expecting: str | None = None) -> bool:
    """Whether the dialog waits where a button of `step` (and `expecting`) was offered."""
    return turn.dialog.step == step and (
        expecting is None or turn.dialog.data.get("expecting") == expecting)


async def had_a_part(turn: Turn, order: WorkOrder, kind: type[Action]) -> bool:
    """Whether this person was ever sent a `kind` button on this order: the reporter a rating,
    the holder (or whoever the order was once handed to) the handling buttons."""
    person = turn.person
    if person is None or person.id is None:
        return False
    me = person.id
    if kind in RATINGS:
        return me == order.reporter_id
    if kind in (actions.Approve, actions.Deny):
        return False   # sent to whoever decides above the holder: the use case answers them
    if me == order.assignee_id:
        return True
    return any(event.kind in HANDED_OVER and event.data.get("assignee") == me
               for event in await turn.uow.events.for_order(order.code))


async def still_current(turn: Turn, action: Action, code: str) -> None:
    """Refuse, naming the order, a press on an order that has moved on since the button was
    sent to this person; anyone else's press is left to the use case's own refusal."""
    order = await turn.uow.orders.get(code)
    kind = type(action)
    if order is None or not await had_a_part(turn, order, kind):
        return
    if order.state not in STAGES.get(kind, _OPEN) or not await _may_still(turn, order, kind):
        raise order_moved_on(order)


async def _may_still(turn: Turn, order: WorkOrder, kind: type[Action]) -> bool:
    """Whether the person may still press it: the holder's buttons are the holder's alone, the
    others anyone's in charge above the order (handed on since: no longer theirs)."""
    me = turn.person.id if turn.person is not None else None
    if kind in RATINGS:
        return me == order.reporter_id
    if kind in HOLDERS:
        return me == order.assignee_id
    return await may(turn, me, order, ACTS.get(kind, Act.ESCALATE))
