"""The leader's workbench and the dispatcher's queue: buttons on each order, a reason when needed.

办结 gathers a note and up to three photos in any order (a photo without a caption, then the note;
or the note, then photos) and files them as one resolution when the leader presses 完成办结.
"""
from __future__ import annotations

import re

from domain.deadlines import light
from domain.people import Role
from domain.refusals import DomainError, Refusal
from handlers import (
    access,
    actions,
    catalogue,
    dispatching,
    moments,
    names,
    order_view,
    texts,
    use_cases,
)
from handlers.access import Act
from handlers.actions import Action
from handlers.dialog import Turn, choices
from handlers.messages import Choice, Kind
from handlers.names import unit_name, work_time
from handlers.queries import deadline
from handlers.routes import Pressed, Router
from handlers.stored import stored_id

# What a reason answers: the button asked (its catalogue key), the next text message is its reason.
ASKS = {"return": "ASK_RETURN_REASON", "up": "ASK_ESCALATE_REASON", "progress": "ASK_PROGRESS",
        "extend": "ASK_EXTEND", "invalid": "ASK_INVALID_REASON", "merge": "ASK_MERGE_TARGET"}
Asking = (actions.Return | actions.Escalate | actions.Progress | actions.Extend | actions.Invalid
          | actions.Merge)
ASKING: tuple[type[Asking], ...] = (
    actions.Return, actions.Escalate, actions.Progress, actions.Extend, actions.Invalid,
    actions.Merge)
# 申请延期's days: a number (at most 99) at the end of the reason, 天 optional.
EXTENSION_DAYS = re.compile(r"(?<!\d)(\d{1,2})\s*天?\s*$")
# The roster writes a department's duty as "部门｜职责"; its button shows the department.
DUTY_SEPARATOR = "｜"
MEMBER = "@"            # a department member as 派单's target: "@<person id>"
router = Router()


def _me(turn: Turn) -> int:
    if turn.person is None:
        raise use_cases.NotAllowed()
    return stored_id(turn.person)


def _cancel() -> tuple[str, Action]:
    return texts.CANCEL, actions.Cancel()


def holding_choices(code: str, *, extend: bool = True) -> list[Choice]:
    """What the holder of an order may do next: 进展, 办结 (and 申请延期)."""
    return choices((texts.PROGRESS, actions.Progress(code)), (texts.RESOLVE, actions.Resolve(code)),
                   *(((texts.EXTEND, actions.Extend(code)),) if extend else ()))


@router.button(actions.Sign)
async def sign(turn: Turn, action: actions.Sign) -> None:
    await moments.still_current(turn, action, action.code)
    order = (await use_cases.sign_for(turn, _me(turn), action.code)).order
    turn.say(texts.SIGNED.format(code=order.code, resolve_by=work_time(order.resolve_due)),
             holding_choices(order.code))
    # The number stays behind its button, where each look is recorded (handlers/order_view.py).
    line, contact = await order_view.contact_offer(turn, order)
    if contact:
        turn.say(line.strip(), contact)


@router.button(actions.Contact)
async def view_contact(turn: Turn, action: actions.Contact) -> None:
    """查看联系方式: the reporter's number for the order's holder, the look written down."""
    person_id = turn.person.id if turn.person else None
    turn.say(await order_view.view_contact(turn, person_id, action.code))


def _asks(kind: type[Asking]) -> Pressed:
    async def ask(turn: Turn, pressed: Asking) -> None:
        action = kind.name
        await moments.still_current(turn, pressed, pressed.code)
        order = await use_cases.load_checked(turn, _me(turn), pressed.code, Act(action))
        if action == "merge" and not access.followable(turn, order.category):
            raise DomainError(Refusal.MERGE_PRIVATE)   # before the target is even asked for
        turn.dialog.reset()
        turn.dialog.go("reason", action=action, code=order.code)
        turn.say(getattr(texts, ASKS[action]), choices(_cancel()))
    return ask


for _kind in ASKING:
    router.button(_kind)(_asks(_kind))


@router.step("reason")
async def reason_given(turn: Turn) -> None:
    action, code = turn.dialog.data["action"], turn.dialog.data["code"]
    text, me = turn.inbound.text.strip(), _me(turn)
    if not text:
        turn.say(getattr(texts, ASKS[action]), choices(_cancel()))
        return
    turn.dialog.reset()
    if action == "return":
        order = (await use_cases.return_order(turn, me, code, text)).order
        turn.say(texts.RETURNED.format(code=code, unit=unit_name(turn, order.unit_code)))
    elif action == "up":
        order = (await use_cases.escalate(turn, me, code, text)).order
        turn.say(texts.ESCALATED.format(code=code, unit=unit_name(turn, order.unit_code)))
    elif action == "progress":
        await use_cases.report_progress(turn, me, code, text)
        turn.say(texts.PROGRESS_SAVED, holding_choices(code, extend=False))
    elif action == "extend":
        days = EXTENSION_DAYS.search(text)
        await dispatching.request_extension(turn, me, code, int(days.group(1)) if days else 3,
                                          text[:days.start()].strip() if days else text)
        turn.say(texts.EXTENSION_ASKED.format(unit=texts.UNIT_ABOVE))
    elif action == "invalid":
        await dispatching.mark_invalid(turn, me, code, text, names.invalid_category(text))
        turn.say(texts.INVALIDATED.format(code=code))
    elif action == "merge":
        into = text.upper()
        await dispatching.merge(turn, me, code, into)
        turn.say(texts.MERGED.format(code=code, into=into))


@router.button(actions.Resolve)
async def ask_resolution(turn: Turn, action: actions.Resolve) -> None:
    await moments.still_current(turn, action, action.code)
    order = await use_cases.load_checked(turn, _me(turn), action.code, Act.RESOLVE)
    turn.dialog.reset()
    turn.dialog.go("resolving", code=order.code, note="", photos=[])
    turn.say(texts.ASK_RESOLVE.format(n=turn.deps.limits.max_photos),
             choices(_cancel()))


@router.step("resolving")
async def resolution_given(turn: Turn) -> None:
    """A note, a photo (with or without caption), or 完成: all kept for the one resolution."""
    data, most = turn.dialog.data, turn.deps.limits.max_photos
    text, photos = turn.inbound.text.strip(), list(data.get("photos", []))
    if turn.inbound.kind is Kind.TEXT and text in texts.RESOLVE_FINISH_WORDS:
        await finish_resolution(turn, actions.Finish(data["code"]))
        return
    if turn.inbound.kind is Kind.PHOTO and turn.inbound.photo:
        if len(photos) >= most:
            turn.say(texts.PHOTOS_FULL.format(n=most))
        else:
            photos.append(turn.inbound.photo)
    note = texts.NOTE_JOINER.join(part for part in (data.get("note", ""), text) if part)
    turn.dialog.go("resolving", note=note, photos=photos)
    if note and len(photos) >= most:
        await finish_resolution(turn, actions.Finish(data["code"]))
    elif note:
        turn.say(texts.RESOLVE_NOTE_SAVED.format(n=len(photos), most=most),
                 choices((texts.RESOLVE_FINISH, actions.Finish(data["code"])), _cancel()))
    elif photos:
        turn.say(texts.RESOLVE_PHOTO_SAVED.format(n=len(photos)),
                 choices(_cancel()))
    else:
        turn.say(texts.ASK_RESOLVE.format(n=most), choices(_cancel()))


@router.button(actions.Finish)
async def finish_resolution(turn: Turn, action: actions.Finish) -> None:
    """完成办结: the note is required (the reporter reads it); the photos are optional."""
    data = turn.dialog.data
    if turn.dialog.step != "resolving" or action.code != data.get("code"):
        await moments.still_current(turn, action, action.code)
        turn.say(texts.NOTHING_TO_CANCEL)     # an old 完成办结, for a resolution not under way
        return
    if not data.get("note"):
        turn.say(texts.RESOLVE_NEED_NOTE, choices(_cancel()))
        return
    code = data["code"]
    await use_cases.resolve(turn, _me(turn), code, data["note"], photos=data.get("photos", []))
    turn.dialog.reset()
    turn.say(texts.RESOLVED.format(code=code))


@router.button(actions.Approve)
async def approve(turn: Turn, action: actions.Approve) -> None:
    # The days asked for are read from the request, never from the button.
    await moments.still_current(turn, action, action.code)
    await dispatching.decide_extension(turn, _me(turn), action.code, approve=True,
                                       reason=texts.EXTENSION_APPROVED_REASON)
    turn.say(texts.EXTENSION_APPROVED_DONE.format(code=action.code))


@router.button(actions.Deny)
async def deny(turn: Turn, action: actions.Deny) -> None:
    await moments.still_current(turn, action, action.code)
    await dispatching.decide_extension(turn, _me(turn), action.code, approve=False)
    turn.say(texts.EXTENSION_DENIED_DONE.format(code=action.code))


@router.button(actions.Assign)
async def assign_menu(turn: Turn, action: actions.Assign) -> None:
    """The order's own place, then the grids below the dispatcher's part of its chain (the
    same list the press is checked against), and the street's departments."""
    await moments.still_current(turn, action, action.code)
    order = await use_cases.load_checked(turn, _me(turn), action.code, Act.ASSIGN)
    tree = turn.deps.router.tree
    options = [tree.get(code) for code in await access.dispatch_targets(turn, _me(turn), order)]
    departments = await turn.uow.memberships.of_grid(tree.fallback_street().code,
                                                     Role.DEPARTMENT)
    labels: list[tuple[str, Action]] = [(g.name, actions.AssignTo(order.code, g.code))
                                        for g in options]
    for member in departments[:4]:
        person = await turn.uow.people.get(member.person_id)
        assert person is not None   # a membership's person_id is a foreign key to the person
        labels.append(((person.duty or person.name).split(DUTY_SEPARATOR)[0],
                       actions.AssignTo(order.code, f"{MEMBER}{member.person_id}")))
    turn.say(texts.ASK_ASSIGN, choices(*labels, _cancel()))


@router.button(actions.AssignTo)
async def assign_to(turn: Turn, action: actions.AssignTo) -> None:
    await moments.still_current(turn, action, action.code)
    code, target = action.code, action.unit
    if target.startswith(MEMBER) and target[1:].isdigit() and len(target) < 19:
        done = await dispatching.assign_person(turn, _me(turn), code, int(target[1:]))
    else:
        done = await dispatching.assign(turn, _me(turn), code, target)
    order = done.order
    turn.say(texts.ASSIGNED.format(code=code, unit=unit_name(turn, order.unit_code)))


@router.command("todo")
async def todo(turn: Turn) -> None:
    """Open orders by deadline, with the traffic light."""
    mine = await turn.uow.orders.assigned_to(_me(turn)) if turn.person else []
    mine.sort(key=lambda o: (o.resolve_due or o.sign_due or o.created_at))
    if not mine:
        turn.say(texts.TODO_EMPTY)
        return
    lines = [texts.TODO_HEADER]
    for order in mine[:15]:
        rule = turn.deps.policy.rule(order.urgency)
        shade = catalogue.label(light(order.created_at, order.resolve_due, turn.now,
                                      turn.deps.calendar, rule.resolve_working)
                                ) if order.resolve_due else "—"
        lines.append(texts.TODO_LINE.format(
            light=shade, code=order.code, category=turn.deps.taxonomy.get(order.category).name,
            state=catalogue.label(order.state), due=deadline(order) or "—"))
    turn.say("\n".join(lines), choices(*((o.code, actions.Detail(o.code)) for o in mine[:5])))
