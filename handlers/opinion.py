"""/opinion (民意直报): a resident picks a level (community, street, county) and writes.

Not a report: nothing is dispatched. The chosen level's staff are told the words as written;
whatever is public reads them scrubbed (handlers/opinions.py).
"""
from __future__ import annotations

from domain.grids import Level
from domain.opinions import LONGEST, levels_above, opinion_code
from handlers import catalogue, opinions, texts
from handlers.actions import Cancel, OpinionTo
from handlers.dialog import Turn, choices
from handlers.routes import Router
from handlers.stored import stored_id

STEP = "opinion"
router = Router()


@router.command("opinion")
async def begin(turn: Turn) -> None:
    person = turn.person
    if person is None or person.consent_at is None:
        turn.say(texts.NEED_CONSENT)
        return
    tree = turn.deps.router.tree
    home = person.home_grid
    levels = levels_above(tree, home) if home and home in tree else []
    if not home or not levels:
        turn.say(texts.OPINION_NO_HOME)
        return
    turn.dialog.reset()
    buttons = [(texts.OPINION_LEVEL_BUTTON.format(level=catalogue.label(grid.level),
                                                  name=grid.name),
                OpinionTo(grid.level))
               for grid in tree.chain(home) if grid.level in levels]
    turn.say(texts.OPINION_ASK_LEVEL, choices(*buttons, (texts.CANCEL, Cancel())))


def _levels(turn: Turn) -> list[Level]:
    """The levels this person may send an opinion to: those above their home grid."""
    tree, person = turn.deps.router.tree, turn.person
    home = person.home_grid if person is not None and person.consent_at is not None else None
    return list(levels_above(tree, home)) if home and home in tree else []


@router.button(OpinionTo)
async def chosen(turn: Turn, action: OpinionTo) -> None:
    """A level chosen, checked against the present: an old button of someone with no home
    (or a home elsewhere now) opens no step."""
    levels = _levels(turn)
    if action.level not in levels:
        turn.say(texts.OPINION_NO_LEVEL if levels else texts.OPINION_NO_HOME)
        return
    turn.dialog.reset()
    turn.dialog.go(STEP, level=action.level.value)
    turn.say(texts.OPINION_ASK_TEXT.format(level=catalogue.label(action.level),
                                           longest=LONGEST),
             choices((texts.CANCEL, Cancel())))


@router.step(STEP)
async def written(turn: Turn) -> None:
    if turn.person is None or not turn.inbound.text.strip():
        turn.say(texts.OPINION_TEXT_ONLY)
        return
    tree = turn.deps.router.tree
    level = Level(turn.dialog.data["level"])
    opinion, events = await opinions.send(turn.uow, tree, turn.deps.taxonomy,
                                          stored_id(turn.person), level, turn.inbound.text,
                                          turn.now)
    turn.dialog.reset()
    target = tree.get(opinion.target_code)
    place = tree.get(opinion.grid_code).name
    for event in events:
        for holder in await turn.uow.memberships.holders(event.target_code):
            await turn.tell(holder.person_id, texts.OPINION_TO_STAFF.format(
                code=opinion_code(event.data["opinion"]), unit=target.name, place=place,
                text=opinion.text))
    turn.say(texts.OPINION_SENT.format(unit=target.name))

