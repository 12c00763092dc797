"""A 议事 button pressed after its moment: checked against the present, refused in one sentence.

Every button on an item carries the item's number (and a leader's, the level it was sent for).
When it is pressed the present decides, as handlers/moments.py does for orders: an item that has
moved on since (opened, decided, carried out, closed), or has climbed to another level, is named
in one sentence and nothing changes. Who may act at all stays the use cases' question.
"""
from __future__ import annotations

from domain.agenda import UNSETTLED, AgendaItem, AgendaState
from domain.refusals import DomainError
from handlers import actions, agenda
from handlers.actions import Action
from handlers.agenda_view import COMMENTABLE
from handlers.moments import OutOfDate
from handlers.work import Work

_DOING = frozenset({AgendaState.DECIDED, AgendaState.IN_PROGRESS})
# The states in which each 议事 button still means something (docs/domain.md, 议事).
STAGES: dict[type[Action], frozenset[AgendaState]] = {
    actions.AgendaSupport: frozenset({AgendaState.OPEN}),
    actions.AgendaComment: COMMENTABLE,
    actions.AgendaRate: frozenset({AgendaState.JUDGING}),
    actions.AgendaOpen: frozenset({AgendaState.PROPOSED}),
    actions.AgendaConvene: frozenset({AgendaState.OPEN, AgendaState.ON_AGENDA}),
    actions.AgendaDecide: frozenset({AgendaState.ON_AGENDA}),
    actions.AgendaOwner: frozenset({AgendaState.ON_AGENDA}),
    actions.AgendaDecline: UNSETTLED,
    actions.AgendaMoveUp: UNSETTLED,
    actions.AgendaClose: frozenset({AgendaState.JUDGING}),
    actions.AgendaProgress: _DOING,
    actions.AgendaTask: _DOING,
}


async def item_of(work: Work, code: str) -> AgendaItem:
    item = await work.uow.agenda.get(code)
    if item is None:
        raise DomainError("AGENDA_UNKNOWN", code=code)
    return item


async def still_current(work: Work, action: Action, code: str, scope: str | None = None,
                        person_id: int | None = None) -> AgendaItem:
    """The item the press is about, if the press still fits it; else `OutOfDate`, naming it.

    A leader's button names the level it was sent for (`scope`): pressed by someone who does
    not lead that level it is refused as not theirs, never as out of date.
    """
    item = await item_of(work, code)
    if scope is not None and (person_id is None or not await agenda.leads(
            work.uow, work.deps.router.tree, person_id, scope)):
        raise DomainError("AGENDA_NOT_ALLOWED")
    if scope is not None and scope != item.scope_code and not item.state.is_final:
        tree = work.deps.router.tree
        unit = tree.get(item.scope_code).name if item.scope_code in tree else item.scope_code
        raise OutOfDate("AGENDA_STALE_MOVED", code=item.code, unit=unit)
    if item.state not in STAGES.get(type(action), frozenset(AgendaState)):
        raise OutOfDate("AGENDA_STALE", code=item.code, state=item.state)
    return item
