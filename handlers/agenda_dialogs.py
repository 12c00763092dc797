"""议事 in chat for everyone: /agenda (and the menu's 社区议题), one item's card, 支持 (+1),
评论 and 评议; and the drafting every new item goes through — a resident's proposal, a leader's
item, an order lifted (its title, then its words).

A resident sees the items of the levels they belong to (their home grid up to the county);
a leader or dispatcher sees the items of the grids they hold and everything beneath. Each
press is checked against the present (handlers/agenda_moments.py), each act is a use case
(handlers/agenda.py), and what others hear follows from its events (handlers/agenda_notices.py).
"""
from __future__ import annotations

import re

from domain.agenda import AgendaEvent, AgendaItem, AgendaState
from domain.refusals import DomainError
from handlers import actions, agenda, agenda_notices, texts
from handlers.agenda_moments import item_of, still_current
from handlers.agenda_view import (
    beneath,
    card_text,
    choices_for,
    community_of,
    home_chain,
    line,
    may_see,
    scope_name,
)
from handlers.dialog import Turn, back_choice, choices
from handlers.messages import Kind
from handlers.routes import Router
from handlers.stored import stored_id

TITLE, BODY, COMMENT = "yt_title", "yt_body", "yt_comment"
LONGEST_TITLE = 40
LONGEST_COMMENT = 300
LISTED = 10
SHOWN = (AgendaState.OPEN, AgendaState.ON_AGENDA, AgendaState.DECIDED, AgendaState.IN_PROGRESS,
         AgendaState.JUDGING)
STAFF_SHOWN = (AgendaState.PROPOSED, *SHOWN)
ORDER_CODE = re.compile(r"WG-\d{8}-\d{4}", re.IGNORECASE)
router = Router()


def me(turn: Turn) -> int:
    """The person who wrote, consenting; anyone else is refused before anything is asked."""
    if turn.person is None or turn.person.consent_at is None:
        raise DomainError("NEED_CONSENT")
    return stored_id(turn.person)


def _cancel() -> tuple[str, actions.Action]:
    return texts.CANCEL, actions.Cancel()


async def told(turn: Turn, events: list[AgendaEvent]) -> None:
    """What follows for others from what this turn did."""
    await agenda_notices.tell(turn, events)


# --- /agenda, the list and the card ------------------------------------------------------------

@router.command("agenda")
async def agenda_command(turn: Turn) -> None:
    """/agenda lists; /agenda YT-… opens that item."""
    code = turn.inbound.text.strip().upper()
    if code:
        await view(turn, actions.AgendaView(code))
        return
    await show_list(turn)


async def show_list(turn: Turn) -> None:
    person_id = me(turn)
    held = await agenda.posts(turn.uow, person_id)
    new: tuple[str, actions.Action]
    if held:
        items = await turn.uow.agenda.in_scopes(beneath(turn, held), STAFF_SHOWN, LISTED)
        header = texts.AGENDA_LIST_STAFF_HEADER
        empty = texts.AGENDA_LIST_STAFF_EMPTY
        new = (texts.AGENDA_RAISE_BUTTON, actions.AgendaRaise())
    else:
        home = turn.person.home_grid if turn.person else None
        if home is None or home not in turn.deps.router.tree:
            turn.say(texts.AGENDA_NO_HOME)
            return
        place = community_of(turn, home)
        items = [item for item in await turn.uow.agenda.in_scopes(
                     home_chain(turn, home), (AgendaState.PROPOSED, *SHOWN), LISTED)
                 if item.state is not AgendaState.PROPOSED or item.proposer_id == person_id]
        header = texts.AGENDA_LIST_HEADER.format(place=place)
        empty = texts.AGENDA_LIST_EMPTY.format(place=place)
        new = (texts.AGENDA_PROPOSE_BUTTON, actions.AgendaPropose())
    if not items:
        turn.say(empty, choices(new))
        return
    turn.say("\n".join([header, *(line(item) for item in items)]),
             choices(*((item.code, actions.AgendaView(item.code)) for item in items), new))


@router.button(actions.AgendaView)
async def view(turn: Turn, action: actions.AgendaView) -> None:
    person_id = me(turn)
    item = await turn.uow.agenda.get(action.code)
    if item is None or not await may_see(turn, item, person_id):
        raise DomainError("AGENDA_UNKNOWN", code=action.code)
    turn.say(await card_text(turn, item), await choices_for(turn, item, person_id))


# --- 支持, 评论, 评议 ---------------------------------------------------------------------------

@router.button(actions.AgendaSupport)
async def support(turn: Turn, action: actions.AgendaSupport) -> None:
    person_id = me(turn)
    await still_current(turn, action, action.code)
    events = await agenda.support(turn.uow, turn.deps.router.tree, person_id, action.code,
                                  turn.now, turn.deps.agenda_rules)
    item = await item_of(turn, action.code)
    supports = events[0].data["supports"]
    if item.state is AgendaState.ON_AGENDA:
        turn.say(texts.AGENDA_REACHED_DONE.format(code=item.code, supports=supports,
                                                  scope=scope_name(turn, item)))
    else:
        turn.say(texts.AGENDA_SUPPORTED_DONE.format(code=item.code, supports=supports),
                 choices((texts.AGENDA_COMMENT, actions.AgendaComment(item.code)),
                         (texts.AGENDA_VIEW, actions.AgendaView(item.code))))
    await told(turn, events)


@router.button(actions.AgendaComment)
async def ask_comment(turn: Turn, action: actions.AgendaComment) -> None:
    person_id = me(turn)
    item = await still_current(turn, action, action.code)
    if not await agenda.takes_part(turn.uow, turn.deps.router.tree, person_id, item):
        raise DomainError("AGENDA_NOT_ALLOWED")
    turn.dialog.reset()
    turn.dialog.go(COMMENT, code=item.code)
    turn.say(texts.AGENDA_ASK_COMMENT.format(code=item.code, longest=LONGEST_COMMENT),
             choices(_cancel()))


@router.step(COMMENT)
async def comment_given(turn: Turn) -> None:
    words = turn.inbound.text.strip() if turn.inbound.kind is Kind.TEXT else ""
    if not words or len(words) > LONGEST_COMMENT:
        turn.say(texts.AGENDA_COMMENT_LENGTH.format(longest=LONGEST_COMMENT), choices(_cancel()))
        return
    code = turn.dialog.data["code"]
    events = await agenda.comment(turn.uow, turn.deps.router.tree, me(turn), code, words,
                                  turn.now)
    turn.dialog.reset()
    turn.say(texts.AGENDA_COMMENTED_DONE, choices((texts.AGENDA_VIEW, actions.AgendaView(code))))
    await told(turn, events)


@router.button(actions.AgendaRate)
async def rate(turn: Turn, action: actions.AgendaRate) -> None:
    person_id = me(turn)
    await still_current(turn, action, action.code)
    events = await agenda.rate(turn.uow, turn.deps.router.tree, person_id, action.code,
                               action.level, turn.now)
    turn.say(texts.AGENDA_RATED_DONE.format(code=action.code))
    await told(turn, events)


# --- a new item: the title, then the words ----------------------------------------------------

@router.button(actions.AgendaPropose)
async def propose(turn: Turn, action: actions.AgendaPropose) -> None:
    """A resident proposes at home: the grid's leaders open it to the neighbours."""
    me(turn)
    home = turn.person.home_grid if turn.person else None
    if home is None or home not in turn.deps.router.tree:
        turn.say(texts.AGENDA_NO_HOME)
        return
    start_draft(turn, "propose")


def start_draft(turn: Turn, mode: str, scope: str = "", orders: tuple[str, ...] = ()) -> None:
    """Ask for a new item's title: `mode` is propose, raise (at `scope`) or lift (`orders`)."""
    turn.dialog.reset()
    turn.dialog.enter(TITLE, mode=mode, scope=scope, orders=list(orders))
    ask_title(turn)


def ask_title(turn: Turn) -> None:
    lifting = turn.dialog.data.get("mode") == "lift"
    ask = texts.AGENDA_ASK_LIFT_TITLE if lifting else texts.AGENDA_ASK_TITLE
    turn.say(ask.format(longest=LONGEST_TITLE), choices(_cancel()))


@router.revisit(TITLE)
async def title_again(turn: Turn) -> None:
    ask_title(turn)


@router.step(TITLE)
async def title_given(turn: Turn) -> None:
    words = turn.inbound.text.strip() if turn.inbound.kind is Kind.TEXT else ""
    orders = list(turn.dialog.data.get("orders", []))
    if turn.dialog.data.get("mode") == "lift":
        orders += [code.upper() for code in ORDER_CODE.findall(words)]
        words = ORDER_CODE.sub("", words).strip()
    if not words or len(words) > LONGEST_TITLE:
        turn.say(texts.AGENDA_TITLE_LENGTH.format(longest=LONGEST_TITLE), choices(_cancel()))
        return
    turn.dialog.enter(BODY, title=words, orders=list(dict.fromkeys(orders)))
    ask_body(turn)


def ask_body(turn: Turn) -> None:
    turn.say(texts.AGENDA_ASK_BODY, choices((texts.SKIP, actions.AgendaSkip()),
                                            *back_choice(turn), _cancel()))


@router.revisit(BODY)
async def body_again(turn: Turn) -> None:
    ask_body(turn)


@router.step(BODY)
async def body_given(turn: Turn) -> None:
    words = turn.inbound.text.strip() if turn.inbound.kind is Kind.TEXT else ""
    if not words:
        ask_body(turn)
        return
    await submit(turn, "" if words == texts.SKIP else words)


@router.button(actions.AgendaSkip)
async def skipped(turn: Turn, action: actions.AgendaSkip) -> None:
    if turn.dialog.step != BODY:
        turn.say(texts.NOTHING_TO_CANCEL)      # an old 跳过, for a draft no longer under way
        return
    await submit(turn, "")


async def submit(turn: Turn, body: str) -> None:
    """The draft becomes an item: proposed (a resident's), open (a leader's, a lifted one)."""
    data, person_id, tree = turn.dialog.data, me(turn), turn.deps.router.tree
    title, mode = data["title"], data["mode"]
    item: AgendaItem
    if mode == "raise":
        item, events = await agenda.raise_item(turn.uow, tree, person_id, data["scope"], title,
                                               body, turn.now)
        said = texts.AGENDA_RAISED_DONE.format(code=item.code, title=item.title,
                                               scope=scope_name(turn, item))
    elif mode == "lift":
        item, events, _ = await agenda.lift_orders(turn.uow, tree, person_id, data["orders"],
                                                   title, body, turn.now)
        said = texts.AGENDA_LIFTED_DONE.format(
            code=item.code, orders=texts.LIST_SEPARATOR.join(item.order_codes),
            scope=scope_name(turn, item))
    else:
        item, events = await agenda.propose(turn.uow, tree, person_id, title, body, turn.now)
        said = texts.AGENDA_PROPOSED_DONE.format(code=item.code, title=item.title,
                                                 scope=scope_name(turn, item))
    turn.dialog.reset()
    turn.say(said, choices((texts.AGENDA_VIEW, actions.AgendaView(item.code))))
    await told(turn, events)
