"""议事 in chat for leaders, staff and owners: raise an item at one's level, lift an order into
one (转为议题 on the order's card), open it, put it on the joint meeting's agenda, decide it
(决议: owner, deadline, tasks) or decline it, move it up; and the owner's progress and tasks.

Every press is checked against the present (handlers/agenda_moments.py) before a question is
asked, and the use case checks again when the answer comes; what others hear follows from
the events (handlers/agenda_notices.py).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time, timedelta

from domain.access import NotAllowed
from domain.agenda import AgendaItem, AgendaState
from domain.calendar import SHANGHAI
from domain.refusals import DomainError
from handlers import actions, agenda, texts
from handlers.actions import Action
from handlers.agenda_dialogs import me, start_draft, told
from handlers.agenda_moments import item_of, still_current
from handlers.agenda_view import (
    STAFF_POSTS,
    meeting_when,
    owner_choices,
    post_label,
    scope_name,
    threshold,
)
from handlers.dialog import Turn, back_choice, choices
from handlers.messages import Kind, work_time
from handlers.routes import Router

REASON, MEETING = "yt_reason", "yt_meeting"
DECISION, OWNER, DEADLINE, TASKS, PROGRESS = (
    "yt_decision", "yt_owner", "yt_deadline", "yt_tasks", "yt_progress")
OWNERS_OFFERED = 6
# Typed times and numbers, read after NFKC (full-width digits and colons become ASCII).
DAYS = re.compile(r"\s*(\d{1,3})\s*\D?\s*")
DATE = re.compile(r"\s*(?:(\d{4})\D{1,2})?(\d{1,2})\D{1,2}(\d{1,2})\D?\s*"
                  r"(?:(\d{1,2})\s*:\s*(\d{2}))?\s*")
PERCENT = re.compile(r"\s*(\d{1,3})\s*%?\s*(.*)", re.DOTALL)
TASK_SEPARATORS = re.compile(r"[\n;]+")
router = Router()


def _cancel() -> tuple[str, Action]:
    return texts.CANCEL, actions.Cancel()


async def _leading(turn: Turn, item: AgendaItem) -> None:
    """Refuse before asking anything when the person does not lead the item's level."""
    if not await agenda.leads(turn.uow, turn.deps.router.tree, me(turn), item.scope_code):
        raise DomainError("AGENDA_NOT_ALLOWED")


# --- a leader's own item, an order lifted ------------------------------------------------------

@router.button(actions.AgendaRaise)
async def raise_item(turn: Turn, action: actions.AgendaRaise) -> None:
    """发起议题 at a grid the leader holds: asked which when they hold several."""
    held = sorted(await agenda.posts(turn.uow, me(turn)))
    tree = turn.deps.router.tree
    held = [code for code in held if code in tree]
    if not held or (action.scope and action.scope not in held):
        raise DomainError("AGENDA_NOT_ALLOWED")
    if action.scope or len(held) == 1:
        start_draft(turn, "raise", scope=action.scope or held[0])
        return
    turn.say(texts.AGENDA_ASK_SCOPE, choices(*((tree.get(code).name, actions.AgendaRaise(code))
                                               for code in held), _cancel()))


@router.button(actions.AgendaLift)
async def lift(turn: Turn, action: actions.AgendaLift) -> None:
    """转为议题: a leader above the order lifts it (with any like it) into an item."""
    order = await turn.uow.orders.get(action.code)
    tree = turn.deps.router.tree
    if order is None or order.grid_code is None or order.grid_code not in tree:
        raise DomainError("NO_SUCH_ORDER")
    held = await agenda.posts(turn.uow, me(turn))
    if not any(grid.code in held for grid in tree.chain(order.grid_code)):
        raise NotAllowed()
    if order.state.is_final:
        raise DomainError("ILLEGAL_STATE", state=order.state)
    lifted = await turn.uow.agenda.lifted_into(order.code)
    if lifted is not None:
        raise DomainError("AGENDA_ALREADY_LIFTED", code=order.code)
    start_draft(turn, "lift", orders=(order.code,))


# --- 开放商议, 列入议程, 不通过, 上移, 结束评议 ----------------------------------------------------

@router.button(actions.AgendaOpen)
async def open_item(turn: Turn, action: actions.AgendaOpen) -> None:
    item = await still_current(turn, action, action.code, action.scope, me(turn))
    events = await agenda.open_discussion(turn.uow, turn.deps.router.tree, me(turn), item.code,
                                          turn.now)
    turn.say(texts.AGENDA_OPENED_DONE.format(code=item.code, scope=scope_name(turn, item)))
    await told(turn, events)


@router.button(actions.AgendaClose)
async def close_item(turn: Turn, action: actions.AgendaClose) -> None:
    item = await still_current(turn, action, action.code, action.scope, me(turn))
    await _leading(turn, item)
    events = await agenda.close(turn.uow, item.code, turn.now, me(turn))
    turn.say(texts.AGENDA_CLOSED_DONE.format(code=item.code))
    await told(turn, events)


@router.button(actions.AgendaConvene)
async def convene(turn: Turn, action: actions.AgendaConvene) -> None:
    """列入议程: a reason first when a resident's item lacks the supports, then the time."""
    item = await still_current(turn, action, action.code, action.scope, me(turn))
    await _leading(turn, item)
    turn.dialog.reset()
    needed = threshold(turn, item)
    if needed is not None and len(item.supporters) < needed:
        turn.dialog.go(REASON, act="convene", code=item.code)
        turn.say(texts.AGENDA_ASK_CONVENE_REASON.format(code=item.code, threshold=needed),
                 choices(_cancel()))
        return
    _ask_meeting(turn, item.code, None)


def _ask_meeting(turn: Turn, code: str, reason: str | None) -> None:
    turn.dialog.go(MEETING, code=code, reason=reason)
    turn.say(texts.AGENDA_ASK_MEETING, choices((texts.SKIP, actions.AgendaMeetLater(code)),
                                               _cancel()))


@router.step(MEETING)
async def meeting_given(turn: Turn) -> None:
    when = _meeting_time(turn.inbound.text, turn.now) if turn.inbound.kind is Kind.TEXT else None
    if turn.inbound.text.strip() == texts.SKIP:
        await _convened(turn, None)
    elif when is None:
        turn.say(texts.AGENDA_MEETING_NOT_UNDERSTOOD,
                 choices((texts.SKIP, actions.AgendaMeetLater(turn.dialog.data["code"])),
                         _cancel()))
    else:
        await _convened(turn, when)


@router.button(actions.AgendaMeetLater)
async def meeting_later(turn: Turn, action: actions.AgendaMeetLater) -> None:
    if turn.dialog.step != MEETING or turn.dialog.data.get("code") != action.code:
        turn.say(texts.NOTHING_TO_CANCEL)
        return
    await _convened(turn, None)


async def _convened(turn: Turn, when: datetime | None) -> None:
    code, reason = turn.dialog.data["code"], turn.dialog.data.get("reason")
    events = await agenda.convene(turn.uow, turn.deps.router.tree, me(turn), code, turn.now,
                                  when, reason, turn.deps.agenda_rules)
    turn.dialog.reset()
    item = await item_of(turn, code)
    turn.say(texts.AGENDA_CONVENED_DONE.format(code=code, scope=scope_name(turn, item),
                                               when=meeting_when(item.meeting_at)))
    await told(turn, events)


@router.button(actions.AgendaDecline)
async def decline(turn: Turn, action: actions.AgendaDecline) -> None:
    item = await still_current(turn, action, action.code, action.scope, me(turn))
    await _leading(turn, item)
    turn.dialog.reset()
    turn.dialog.go(REASON, act="decline", code=item.code)
    turn.say(texts.AGENDA_ASK_DECLINE_REASON.format(code=item.code), choices(_cancel()))


@router.button(actions.AgendaMoveUp)
async def move_up(turn: Turn, action: actions.AgendaMoveUp) -> None:
    item = await still_current(turn, action, action.code, action.scope, me(turn))
    await _leading(turn, item)
    turn.dialog.reset()
    turn.dialog.go(REASON, act="up", code=item.code)
    turn.say(texts.AGENDA_ASK_MOVE_REASON.format(code=item.code), choices(_cancel()))


@router.step(REASON)
async def reason_given(turn: Turn) -> None:
    act, code = turn.dialog.data["act"], turn.dialog.data["code"]
    reason = turn.inbound.text.strip() if turn.inbound.kind is Kind.TEXT else ""
    if not reason:
        turn.say(texts.REASON_REQUIRED, choices(_cancel()))
        return
    if act == "convene":
        _ask_meeting(turn, code, reason)
        return
    tree, person_id = turn.deps.router.tree, me(turn)
    if act == "decline":
        events = await agenda.decline(turn.uow, tree, person_id, code, reason, turn.now)
        turn.say(texts.AGENDA_DECLINED_DONE.format(code=code))
    else:
        events = await agenda.move_up(turn.uow, tree, person_id, code, reason, turn.now)
        item = await item_of(turn, code)
        turn.say(texts.AGENDA_MOVED_DONE.format(code=code, scope=scope_name(turn, item)))
    turn.dialog.reset()
    await told(turn, events)


# --- 决议: the decision, its owner, its deadline, its tasks ------------------------------------

@router.button(actions.AgendaDecide)
async def decide(turn: Turn, action: actions.AgendaDecide) -> None:
    item = await still_current(turn, action, action.code, action.scope, me(turn))
    await _leading(turn, item)
    turn.dialog.reset()
    turn.dialog.enter(DECISION, code=item.code)
    _ask_decision(turn)


def _ask_decision(turn: Turn) -> None:
    turn.say(texts.AGENDA_ASK_DECISION.format(code=turn.dialog.data["code"]), choices(_cancel()))


@router.revisit(DECISION)
async def decision_again(turn: Turn) -> None:
    _ask_decision(turn)


@router.step(DECISION)
async def decision_given(turn: Turn) -> None:
    words = turn.inbound.text.strip() if turn.inbound.kind is Kind.TEXT else ""
    if not words:
        _ask_decision(turn)
        return
    turn.dialog.enter(OWNER, decision=words)
    await _ask_owner(turn)


async def owners(turn: Turn, item: AgendaItem) -> list[int]:
    """Who may be named owner: the one deciding, then the posts on the item's own chain from
    its level down (the community, the grid, the building), each once."""
    tree = turn.deps.router.tree
    found = [me(turn)]
    chain = tree.chain(item.grid_code) if item.grid_code in tree else []
    for grid in reversed(chain):
        if tree.is_above(item.scope_code, grid.code):
            found += [m.person_id for m in await turn.uow.memberships.of_grid(grid.code)
                      if m.role.value in STAFF_POSTS]
    return list(dict.fromkeys(found))[:OWNERS_OFFERED]


async def _ask_owner(turn: Turn) -> None:
    item = await item_of(turn, turn.dialog.data["code"])
    offered = []
    for person_id in await owners(turn, item):
        person = await turn.person_of(person_id)
        name = person.name if person is not None and person.staff_code else ""
        offered.append((texts.AGENDA_OWNER_BUTTON.format(post=await post_label(turn, person_id),
                                                         name=name),
                        actions.AgendaOwner(item.code, person_id)))
    turn.say(texts.AGENDA_ASK_OWNER, choices(*offered, *back_choice(turn), _cancel()))


@router.revisit(OWNER)
async def owner_again(turn: Turn) -> None:
    await _ask_owner(turn)


@router.step(OWNER)
async def owner_typed(turn: Turn) -> None:
    turn.say(texts.AGENDA_OWNER_BY_BUTTON)
    await _ask_owner(turn)


@router.button(actions.AgendaOwner)
async def owner_chosen(turn: Turn, action: actions.AgendaOwner) -> None:
    if turn.dialog.step != OWNER or turn.dialog.data.get("code") != action.code:
        await still_current(turn, action, action.code)
        turn.say(texts.NOTHING_TO_CANCEL)      # an old button, for a decision not under way
        return
    item = await item_of(turn, action.code)
    if action.person not in await owners(turn, item):
        raise DomainError("AGENDA_NOT_ALLOWED")
    turn.dialog.enter(DEADLINE, owner=action.person)
    _ask_deadline(turn)


def _ask_deadline(turn: Turn) -> None:
    turn.say(texts.AGENDA_ASK_DEADLINE, choices(*back_choice(turn), _cancel()))


@router.revisit(DEADLINE)
async def deadline_again(turn: Turn) -> None:
    _ask_deadline(turn)


@router.step(DEADLINE)
async def deadline_given(turn: Turn) -> None:
    due = _deadline(turn.inbound.text, turn.now) if turn.inbound.kind is Kind.TEXT else None
    if due is None:
        turn.say(texts.AGENDA_DEADLINE_NOT_UNDERSTOOD, choices(*back_choice(turn), _cancel()))
        return
    turn.dialog.enter(TASKS, deadline=due.isoformat())
    _ask_tasks(turn)


def _ask_tasks(turn: Turn) -> None:
    turn.say(texts.AGENDA_ASK_TASKS, choices(*back_choice(turn), _cancel()))


@router.revisit(TASKS)
async def tasks_again(turn: Turn) -> None:
    _ask_tasks(turn)


@router.step(TASKS)
async def tasks_given(turn: Turn) -> None:
    typed = unicodedata.normalize("NFKC", turn.inbound.text)
    tasks = tuple(t.strip() for t in TASK_SEPARATORS.split(typed) if t.strip())
    if turn.inbound.kind is not Kind.TEXT or not tasks:
        _ask_tasks(turn)
        return
    data, person_id = turn.dialog.data, me(turn)
    deadline = datetime.fromisoformat(data["deadline"])
    events = await agenda.decide(turn.uow, turn.deps.router.tree, person_id, data["code"],
                                 data["decision"], int(data["owner"]), deadline, tasks, turn.now)
    turn.dialog.reset()
    item = await item_of(turn, data["code"])
    turn.say(texts.AGENDA_DECIDED_DONE.format(code=item.code,
                                              owner=await post_label(turn, item.owner_id),
                                              deadline=work_time(item.deadline)),
             owner_choices(item) if item.owner_id == person_id else [])
    await told(turn, events)


# --- the owner: 报告进展 and tasks --------------------------------------------------------------

@router.button(actions.AgendaProgress)
async def ask_progress(turn: Turn, action: actions.AgendaProgress) -> None:
    item = await still_current(turn, action, action.code)
    if item.owner_id != me(turn):
        raise DomainError("AGENDA_NOT_OWNER", code=item.code)
    turn.dialog.reset()
    turn.dialog.go(PROGRESS, code=item.code)
    turn.say(texts.AGENDA_ASK_PROGRESS.format(code=item.code), choices(_cancel()))


@router.step(PROGRESS)
async def progress_given(turn: Turn) -> None:
    code = turn.dialog.data["code"]
    found = PERCENT.fullmatch(unicodedata.normalize("NFKC", turn.inbound.text))
    if turn.inbound.kind is not Kind.TEXT or found is None or not found.group(2).strip():
        turn.say(texts.AGENDA_PROGRESS_NOT_UNDERSTOOD, choices(_cancel()))
        return
    percent = int(found.group(1))
    events = await agenda.report_progress(turn.uow, me(turn), code, percent,
                                          found.group(2).strip(), turn.now)
    turn.dialog.reset()
    item = await item_of(turn, code)
    turn.say(texts.AGENDA_PROGRESS_DONE.format(code=code, percent=percent),
             owner_choices(item) if item.state is AgendaState.IN_PROGRESS else [])
    await told(turn, events)


@router.button(actions.AgendaTask)
async def task_done(turn: Turn, action: actions.AgendaTask) -> None:
    await still_current(turn, action, action.code)
    events = await agenda.finish_task(turn.uow, me(turn), action.code, action.task, turn.now)
    item = await item_of(turn, action.code)
    turn.say(texts.AGENDA_TASK_DONE.format(task=item.tasks[action.task],
                                           done=len(item.tasks_done), of=len(item.tasks)),
             owner_choices(item))
    await told(turn, events)


# --- typed times -------------------------------------------------------------------------------

def _moment(typed: str, now: datetime, default: time) -> datetime | None:
    """"12-05 14:30" (a year may lead, the time may be left out, then `default`): the next
    such moment after now."""
    found = DATE.fullmatch(unicodedata.normalize("NFKC", typed))
    if found is None:
        return None
    year, month, day, hour, minute = found.groups()
    local = now.astimezone(SHANGHAI)
    try:
        at = datetime(int(year or local.year), int(month), int(day),
                      int(hour) if hour else default.hour,
                      int(minute) if minute else default.minute, tzinfo=SHANGHAI)
    except ValueError:
        return None
    if at <= now and year is None:
        at = at.replace(year=at.year + 1)
    return at if at > now else None


def _meeting_time(typed: str, now: datetime) -> datetime | None:
    return _moment(typed, now, time(9, 0))


def _deadline(typed: str, now: datetime) -> datetime | None:
    """A number of days from today, or a date: the end of that day, after now."""
    days = DAYS.fullmatch(unicodedata.normalize("NFKC", typed))
    if days is None:
        return _moment(typed, now, time(23, 59))
    count = int(days.group(1))
    day = (now.astimezone(SHANGHAI) + timedelta(days=count)).date()
    return datetime.combine(day, time(23, 59), tzinfo=SHANGHAI) if count > 0 else None
