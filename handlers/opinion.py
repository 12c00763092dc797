"""/opinion (民意直报): a resident picks a level (community, street, county) and writes.

Not a report: nothing is dispatched. The chosen level's staff are told the words as written;
whatever is public reads them scrubbed (handlers/opinions.py).
"""
from __future__ import annotations

from domain.grids import Level
from domain.opinions import LONGEST, levels_above, opinion_code
from handlers import catalogue, opinions, texts
from handlers.actions import Cancel, OpinionTo, decode
from handlers.dialog import Turn, button, choices, command, step
from handlers.stored import stored_id

STEP = "opinion"


@command("opinion")
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
                OpinionTo(grid.level).encode())
               for grid in tree.chain(home) if grid.level in levels]
    turn.say(texts.OPINION_ASK_LEVEL, choices(*buttons, (texts.CANCEL, Cancel().encode())))


@button(OpinionTo.name)
async def chosen(turn: Turn) -> None:
    action = decode(turn.inbound.button)
    assert isinstance(action, OpinionTo)
    turn.dialog.reset()
    turn.dialog.go(STEP, level=action.level.value)
    turn.say(texts.OPINION_ASK_TEXT.format(level=catalogue.label(action.level),
                                           longest=LONGEST),
             choices((texts.CANCEL, Cancel().encode())))


@step(STEP)
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

