"""Who is told what when something happens to an agenda item (议题): one rule per kind of event.

The 议事 use cases (handlers/agenda.py) return their events; every door that runs one — a chat
turn, the scheduler's ladder sweep, the staff console — hands them to `tell` in the same
transaction, so the same people hear the same things whoever acted. Each rule names who hears
of it and what they see (catalogue sentences, typed buttons):

- the proposer, and the residents who supported or commented (the item's participants);
- the residents of the item's scope (their home grid lies under it) for what concerns them
  all: a matter opened to 商议, the decision, the progress, the call to rate;
- the leaders of the level when an item reaches them (to review, onto their agenda, moved up);
- the owner named in the decision, and again at 监督 and 督办.

The one who acted hears it as the answer to their own turn, never as a notice. Residents are told
in bulk through the outbox as notices, which the sender paces (docs/delivery.md, "Pacing").
`RULES` has an entry for every kind the domain writes (`domain.agenda.AGENDA_EVENT_KINDS`);
`None` says that nobody is told, on purpose.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any

from domain.agenda import AgendaEvent, AgendaItem, AgendaState, Origin
from handlers import actions, texts
from handlers.agenda_view import (
    beneath,
    buttons,
    leader_choices,
    meeting_when,
    owner_choices,
    post_label,
    rating_choices,
    scope_name,
    tasks_text,
    threshold,
    unit_name,
)
from handlers.holders import holder_of
from handlers.messages import Choice, Outbound, work_time
from handlers.work import Work
from storage.records import ChannelAccount, OutboxMessage

Rule = Callable[[Work, AgendaItem, AgendaEvent], Awaitable[None]]


async def tell(work: Work, events: Sequence[AgendaEvent]) -> None:
    """Tell whoever each event concerns, in the order the events happened. Each item is read
    once, as the events left it."""
    items: dict[str, AgendaItem] = {}
    for event in events:
        rule = RULES[event.kind]
        if rule is None:
            continue
        if event.item_code not in items:
            item = await work.uow.agenda.get(event.item_code)
            if item is None:
                continue
            items[event.item_code] = item
        await rule(work, items[event.item_code], event)


# --- who: one person, the leaders of a level, the participants, the residents ------------------

def _facts(work: Work, item: AgendaItem, **more: Any) -> dict[str, Any]:
    return {"code": item.code, "title": item.title, "scope": scope_name(work, item), **more}


async def _one(work: Work, person_id: int | None, event: AgendaEvent, text: str,
               choices: list[Choice] | None = None) -> None:
    """One person, unless they are the one who acted (their own turn answers them)."""
    if person_id is not None and person_id != event.actor_id:
        await work.tell(person_id, text, choices or [])


async def _leaders(work: Work, item: AgendaItem, event: AgendaEvent, text: str,
                   choices: list[Choice]) -> None:
    """The leaders and dispatchers of the item's level; none there: whoever holds it above."""
    held = [m.person_id for m in await work.uow.memberships.holders(item.scope_code)]
    if not held:
        above = await holder_of(work, item.scope_code, operator=True)
        held = [above] if above is not None else []
    for person_id in dict.fromkeys(held):
        await _one(work, person_id, event, text, choices)


async def _many(work: Work, item: AgendaItem, event: AgendaEvent, text: str,
                choices: list[Choice] | None = None, residents: bool = False,
                without: Collection[int | None] = ()) -> None:
    """The participants (and, with `residents`, everyone living in the scope), each account
    once, as paced notices; the one who acted, and `without`, are left out."""
    people = await work.uow.agenda.participants(item.code)
    if item.proposer_id is not None:
        people.add(item.proposer_id)
    reached = await work.uow.people.accounts_of(people)
    if residents:
        reached += await work.uow.people.residents_reached(beneath(work, {item.scope_code}))
    seen: set[tuple[str, str]] = set()
    left_out = {event.actor_id, *without}
    out = Outbound("", "", text, tuple(choices or ()))
    for account in reached:
        key = (account.channel, account.external_id)
        if key in seen or account.person_id in left_out:
            continue
        seen.add(key)
        work.owed.append(_owed(account, out))


def _owed(account: ChannelAccount, out: Outbound) -> OutboxMessage:
    return OutboxMessage(account.channel, account.external_id, out.as_payload(),
                         person_id=account.person_id)


def _item_choices(item: AgendaItem) -> list[Choice]:
    """支持, 评论 and 查看: what an invitation to 商议 offers."""
    return buttons((texts.AGENDA_SUPPORT, actions.AgendaSupport(item.code)),
                   (texts.AGENDA_COMMENT, actions.AgendaComment(item.code)),
                   (texts.AGENDA_VIEW, actions.AgendaView(item.code)))


def _view(item: AgendaItem) -> list[Choice]:
    return buttons((texts.AGENDA_VIEW, actions.AgendaView(item.code)))


# --- 提议 and 商议 ------------------------------------------------------------------------------

async def _invite(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """商议 begins: the residents of the scope are asked to support and comment (the proposer
    hears it in words of their own)."""
    text = texts.AGENDA_INVITE.format(body=item.body or texts.AGENDA_NO_BODY,
                                      **_facts(work, item))
    needed = threshold(work, item)
    if needed is not None:
        text += "\n" + texts.AGENDA_INVITE_THRESHOLD.format(threshold=needed,
                                                          scope=scope_name(work, item))
    await _many(work, item, event, text, _item_choices(item), residents=True,
                without=(item.proposer_id,))


async def proposed(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """A resident's proposal goes to the leaders of its level to open; a leader's item, or
    one lifted from orders, opens at once (the residents are invited), and the orders'
    reporters and followers hear where their report went."""
    if event.to_state is AgendaState.PROPOSED:
        place = unit_name(work, item.grid_code)
        await _leaders(work, item, event, texts.AGENDA_TO_REVIEW.format(
            place=place, body=item.body or texts.AGENDA_NO_BODY, **_facts(work, item)),
            [*leader_choices(work, item), *_view(item)])
        return
    await _invite(work, item, event)
    if item.origin is not Origin.ORDER:
        return
    for code in event.data.get("orders", []):
        order = await work.uow.orders.get(code)
        if order is None:
            continue
        text = texts.AGENDA_LIFTED_TO_REPORTER.format(order=code, **_facts(work, item))
        for person_id in dict.fromkeys([order.reporter_id,
                                        *await work.uow.orders.followers(code)]):
            await _one(work, person_id, event, text, _view(item))


async def opened(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    await _one(work, item.proposer_id, event,
               texts.AGENDA_OPENED_TO_PROPOSER.format(**_facts(work, item)), _view(item))
    await _invite(work, item, event)


async def scheduled(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """On the level's agenda: its participants hear it; its leaders get it to decide."""
    facts = _facts(work, item, when=meeting_when(item.meeting_at),
                   supports=event.data.get("supports", len(item.supporters)))
    await _many(work, item, event, texts.AGENDA_SCHEDULED.format(**facts), _view(item))
    await _leaders(work, item, event, texts.AGENDA_TO_DECIDE.format(**facts),
                   [*leader_choices(work, item), *_view(item)])


async def moved_up(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """议题上移: the leaders of the level above get it, and why; participants hear where."""
    origin = unit_name(work, event.data.get("from"))
    reason = event.reason or texts.AGENDA_MOVED_ON_TIME.format(origin=origin)
    await _leaders(work, item, event, texts.AGENDA_MOVED_TO_YOU.format(
        origin=origin, reason=reason, **_facts(work, item)),
        [*leader_choices(work, item), *_view(item)])
    await _many(work, item, event, texts.AGENDA_MOVED.format(**_facts(work, item)), _view(item))


# --- 决议, 执行, 评议 ---------------------------------------------------------------------------

async def decided(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """The residents of the scope hear the decision; the owner gets the tasks to carry out."""
    owner = await post_label(work, item.owner_id)
    deadline = work_time(item.deadline)
    await _many(work, item, event, texts.AGENDA_DECIDED.format(
        decision=item.decision or "", owner=owner, deadline=deadline,
        tasks=texts.LIST_SEPARATOR.join(item.tasks), **_facts(work, item)),
        _view(item), residents=True)
    await _one(work, item.owner_id, event, texts.AGENDA_YOU_OWN.format(
        decision=item.decision or "", deadline=deadline, tasks=tasks_text(item),
        **_facts(work, item)), owner_choices(item))


async def declined(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    await _many(work, item, event, texts.AGENDA_DECLINED.format(
        reason=event.reason or "", **_facts(work, item)), _view(item))


async def progressed(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    await _many(work, item, event, texts.AGENDA_PROGRESSED.format(
        percent=event.data.get("percent", item.progress), note=event.reason or "",
        **_facts(work, item)), _view(item), residents=True)


async def carried_out(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """Done: the residents of the scope are asked to judge it (评议)."""
    await _many(work, item, event, texts.AGENDA_CARRIED_OUT.format(
        note=event.reason or "", **_facts(work, item)), rating_choices(item.code),
        residents=True)


async def closed(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    text = texts.AGENDA_CLOSED.format(rated=event.data.get("rated", 0),
                                      satisfied=event.data.get("satisfied", 0),
                                      **_facts(work, item))
    for person_id in dict.fromkeys((item.proposer_id, item.owner_id)):
        await _one(work, person_id, event, text, _view(item))


async def commented(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """The proposer hears each new word on their item (the others read them on its card)."""
    await _one(work, item.proposer_id, event, texts.AGENDA_COMMENTED.format(
        text=event.reason or "", **_facts(work, item)), _view(item))


# --- 监督 and 督办 (the scheduler's) ------------------------------------------------------------

async def reminded(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    await _one(work, item.owner_id, event, texts.AGENDA_REMINDED.format(
        deadline=work_time(item.deadline), percent=item.progress, **_facts(work, item)),
        owner_choices(item))


async def supervised(work: Work, item: AgendaItem, event: AgendaEvent) -> None:
    """督办: the owner and the leaders of the level hear that the deadline has passed."""
    text = texts.AGENDA_SUPERVISED.format(deadline=work_time(item.deadline),
                                          percent=item.progress, **_facts(work, item))
    await _one(work, item.owner_id, event, text, owner_choices(item))
    await _leaders(work, item, event, text, _view(item))


RULES: dict[str, Rule | None] = {
    "proposed": proposed,
    "opened": opened,
    "scheduled": scheduled,
    "moved_up": moved_up,
    "decided": decided,
    "declined": declined,
    "progress": progressed,
    "carried_out": carried_out,
    "closed": closed,
    "commented": commented,
    "reminded": reminded,
    "supervised": supervised,
    # Nobody is told: a support shows as the count on the card, and the one that reaches the
    # threshold writes `scheduled`; a ticked task and each rating are the owner's and the
    # resident's own acts (the progress and the close tell); the column is the publication;
    # attendance is the meeting's record.
    "supported": None,
    "task_done": None,
    "rated": None,
    "published": None,
    "attended": None,
}
