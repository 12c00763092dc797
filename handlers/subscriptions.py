"""/subscribe and /unsubscribe: a resident's weekly community digest (社区周报), opt-in only."""
from __future__ import annotations

from domain.grids import Level
from handlers import texts
from handlers.dialog import Turn
from handlers.routes import Router

router = Router()


@router.command("subscribe")
async def subscribe(turn: Turn) -> None:
    person = turn.person
    if person is None or person.consent_at is None:
        turn.say(texts.NEED_CONSENT)
        return
    person.subscribed = True
    turn.person = await turn.uow.people.upsert(person)
    tree = turn.deps.router.tree
    home = person.home_grid
    community = tree.ancestor_at(home, Level.COMMUNITY) if home and home in tree else None
    if community is None:
        turn.say(texts.SUBSCRIBED_NO_HOME)
        return
    turn.say(texts.SUBSCRIBED.format(community=community.name))


@router.command("unsubscribe")
async def unsubscribe(turn: Turn) -> None:
    person = turn.person
    if person is None or not person.subscribed:
        turn.say(texts.NOT_SUBSCRIBED)
        return
    person.subscribed = False
    turn.person = await turn.uow.people.upsert(person)
    turn.say(texts.UNSUBSCRIBED)
