"""Who is told what when something happens to an order: one rule per kind of event.

Every use case hands the events it recorded to `tell` (through `Work.happened`), whatever the
door: a chat turn, a scheduler's sweep, a web form, the staff console. Each rule names who
hears of it (the reporter and followers, the new holder, the queue's dispatcher, the holder
who asked, the unit above) and what they see: catalogue sentences and typed buttons
(handlers/actions.py). `RULES` has an entry for every kind the domain writes; `None` says
that nobody is told, on purpose.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from domain import orders
from domain.grids import Unit
from domain.orders import Event, Urgency, WorkOrder
from handlers import actions, catalogue, clocks, order_view, texts
from handlers.access import followable
from handlers.holders import approver_of, holder_of
from handlers.messages import Choice
from handlers.names import place_of, unit_name, work_time
from handlers.work import Work

Rule = Callable[[Work, WorkOrder, Event, Sequence[Event]], Awaitable[None]]


async def tell(work: Work, order: WorkOrder, events: Sequence[Event]) -> None:
    """Tell whoever each event concerns, in the order the events happened. `order` is the
    order as the events left it; `events` were recorded together (a filing and its 派单)."""
    for event in events:
        rule = RULES[event.kind]
        if rule is not None:
            await rule(work, order, event, events)


def buttons(*pairs: tuple[str, actions.Action]) -> list[Choice]:
    return [Choice(label, action.encode()) for label, action in pairs]


# --- the people around an order ------------------------------------------------------------------

async def reporters(work: Work, order: WorkOrder, event: Event, _: Sequence[Event] = ()) -> None:
    """Every state change reaches the reporter and the me-too followers, in plain Chinese."""
    template = texts.NOTICE.get(event.kind)
    if template is None:
        return
    text = template.format(code=order.code, unit=unit_name(work, order.unit_code),
                           reason=event.reason or "", into=order.merged_into or "",
                           resolve_by=work_time(order.resolve_due))
    for person_id in [order.reporter_id, *await work.uow.orders.followers(order.code)]:
        if person_id is not None and not work.is_me(person_id):
            await work.tell(person_id, text)


async def _holder(work: Work, holder: int | None, order: WorkOrder, text: str,
                  choices: list[Choice], seen: order_view.Evidence | None = None) -> None:
    """The order as its new holder must see it: photos, voice note and pin with the text, and
    a 查看联系方式 button when the reporter left a number (never the number itself)."""
    if holder is None:
        return
    if seen is None:
        seen = await order_view.evidence(work, order, place_of(work, order))
    line, contact = await order_view.contact_offer(work, order)
    await work.tell(holder, text + line, [*choices, *contact], **seen.as_kwargs())


def _new_order_text(work: Work, order: WorkOrder) -> str:
    category = work.deps.taxonomy.get(order.category)
    return texts.NEW_ORDER.format(code=order.code, urgency=catalogue.label(order.urgency),
                                  category=category.label, place=place_of(work, order),
                                  description=order.description or texts.NO_DESCRIPTION,
                                  sign_by=work_time(order.sign_due))


def _filed(work: Work, order: WorkOrder, batch: Sequence[Event]) -> order_view.Evidence | None:
    """For an order being filed, its evidence from the `submitted` event at hand (no query)."""
    submitted = next((e for e in batch if e.kind == "submitted"), None)
    return order_view.reported(order, place_of(work, order), submitted.data) if submitted \
        else None


def queue_choices(work: Work, order: WorkOrder) -> list[Choice]:
    """派单, 不予受理 and 合并; a private order is never merged (domain/access.py): no 合并."""
    merge = [(texts.MERGE, actions.Merge(order.code))] if followable(work, order.category) else []
    return buttons((texts.ASSIGN, actions.Assign(order.code)),
                   (texts.INVALID, actions.Invalid(order.code)), *merge)


async def _queue(work: Work, order: WorkOrder, why: str,
                 seen: order_view.Evidence | None = None) -> None:
    """The queue's dispatcher: an order to 派单, and why it waits."""
    category = work.deps.taxonomy.get(order.category)
    await _holder(work, order.assignee_id, order, texts.QUEUE_ORDER.format(
        code=order.code, urgency=catalogue.label(order.urgency), category=category.label,
        place=place_of(work, order), description=order.description or texts.NO_TEXT, why=why)
        + texts.QUEUE_SIGN_BY.format(sign_by=work_time(order.sign_due)),
        queue_choices(work, order), seen)


async def _alarm(work: Work, order: WorkOrder) -> None:
    """特急: grid, community and street hear of it together."""
    tree = work.deps.router.tree
    start = order.grid_code or Unit.parse(order.unit_code).code
    told = {order.assignee_id}
    for grid in tree.chain(start) if start in tree else []:
        holder = await holder_of(work, grid.code)
        if holder not in told:
            told.add(holder)
            await work.tell(holder, texts.EMERGENCY_PREFIX + _new_order_text(work, order))


# --- 提单, 派单, 办单 ------------------------------------------------------------------------------

async def submitted(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """Filed into a queue: its dispatcher hears why; dispatched at once: see `dispatched`."""
    if order.state is not orders.State.SUBMITTED:
        return
    await _queue(work, order, texts.QUEUE_WHY_UNPLACED if not order.grid_code
                 else texts.QUEUE_WHY_UNHELD, _filed(work, order, batch))
    if order.urgency is Urgency.EMERGENCY:
        await _alarm(work, order)


async def dispatched(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """The new holder gets the order with 签收, 退回 and 上报; the reporter hears who has it."""
    await _holder(work, order.assignee_id, order, _new_order_text(work, order),
                  buttons((texts.SIGN, actions.Sign(order.code)),
                          (texts.RETURN, actions.Return(order.code)),
                          (texts.ESCALATE, actions.Escalate(order.code))),
                  _filed(work, order, batch))
    await reporters(work, order, event)
    if order.urgency is Urgency.EMERGENCY and any(e.kind == "submitted" for e in batch):
        await _alarm(work, order)


async def returned(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    await _queue(work, order, texts.QUEUE_WHY_RETURNED.format(reason=event.reason))
    await reporters(work, order, event)


async def escalated(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """The unit above's holder gets it with 签收, 派单 and 上报, and why it climbed."""
    await _holder(work, order.assignee_id, order, texts.ESCALATED_TO_YOU.format(
                  order=_new_order_text(work, order), reason=event.reason or ""),
                  buttons((texts.SIGN, actions.Sign(order.code)),
                          (texts.ASSIGN, actions.Assign(order.code)),
                          (texts.ESCALATE, actions.Escalate(order.code))))
    await reporters(work, order, event)


async def resolved(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """The reporter is asked whether it is solved (with the after-photo); followers hear it."""
    note = event.reason or ""
    await work.tell(order.reporter_id, texts.ASK_SOLVED.format(code=order.code, note=note),
                    _solved(order), photo=event.data.get("photo"))
    for follower in await work.uow.orders.followers(order.code):
        await work.tell(follower, texts.NOTICE["resolved"].format(code=order.code, reason=note))


def _solved(order: WorkOrder) -> list[Choice]:
    return buttons((texts.SOLVED_YES, actions.Solved(order.code, True)),
                   (texts.SOLVED_NO, actions.Solved(order.code, False)))


# --- 评单 and extensions -------------------------------------------------------------------------

async def rated(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    await work.tell(order.assignee_id, texts.RATED_TO_HANDLER.format(
        code=order.code, satisfaction=catalogue.label(order.satisfaction)
        if order.satisfaction else ""))


async def reopened(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """Back to the holder with a new deadline; the second time it climbs (`escalated`)."""
    if orders.must_escalate_after_reopen(order):
        return
    await work.tell(order.assignee_id, texts.REOPENED_TO_HANDLER.format(
        code=order.code, reason=event.reason, resolve_by=work_time(order.resolve_due)),
        buttons((texts.PROGRESS, actions.Progress(order.code)),
                (texts.RESOLVE, actions.Resolve(order.code))))


async def extension_requested(work: Work, order: WorkOrder, event: Event,
                              batch: Sequence[Event]) -> None:
    """The community above (or the street) decides: 批准 or 不批准."""
    days = int(event.data.get("days", 0))
    await work.tell(await approver_of(work, order, event.actor_id), texts.EXTENSION_REQUEST.format(
        code=order.code, days=days, reason=event.reason),
        buttons((texts.APPROVE, actions.Approve(order.code, days)),
                (texts.DENY, actions.Deny(order.code))))


async def extension_denied(work: Work, order: WorkOrder, event: Event,
                           batch: Sequence[Event]) -> None:
    await work.tell(order.assignee_id, texts.EXTENSION_DENIED.format(code=order.code))


async def extended(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    await work.tell(order.assignee_id, texts.EXTENSION_APPROVED.format(
        code=order.code, resolve_by=work_time(order.resolve_due)))
    await reporters(work, order, event)


async def commented(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """The reporter (a partner system, through Open311) adds to its order: the holder hears it."""
    await work.tell(order.assignee_id, texts.REPORTER_NOTE.format(code=order.code,
                                                                 note=event.reason or ""))


# --- the scheduler's clocks (handlers/clocks.py) ----------------------------------------------

def _facts(work: Work, order: WorkOrder, due: datetime) -> dict[str, str]:
    return {"code": order.code, "category": work.deps.taxonomy.get(order.category).label,
            "place": place_of(work, order), "due": work_time(due)}


async def reminded(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """50 % and 80 % of a limit, a missed sign limit: the holder hears it once; a day after
    办结 unrated, the reporter. A queued order left where it is (no one above) tells nobody."""
    stage = clocks.Stage.read(event.data["clock"])
    if stage.clock == clocks.RATING:
        await work.tell(order.reporter_id, texts.RATE_REMINDER.format(
            code=order.code, note=order.result_note or ""), _solved(order))
        return
    if stage.step == clocks.ESCALATE:
        return
    facts = _facts(work, order, stage.due)
    percent = round((stage.threshold or 0) * 100)
    late = stage.step == clocks.LATE
    if stage.clock == clocks.SIGN and clocks.queued(order):
        text = (texts.CLOCK_ASSIGN_LATE.format(**facts) if late
                else texts.CLOCK_ASSIGN_SOON.format(percent=percent, **facts))
        choices = queue_choices(work, order)
    elif stage.clock == clocks.SIGN:
        text = (texts.CLOCK_SIGN_LATE.format(**facts) if late
                else texts.CLOCK_SIGN_SOON.format(percent=percent, **facts))
        choices = buttons((texts.SIGN, actions.Sign(order.code)),
                          (texts.RETURN, actions.Return(order.code)),
                          (texts.ESCALATE, actions.Escalate(order.code)))
    else:
        text = texts.CLOCK_RESOLVE_SOON.format(percent=percent, **facts)
        choices = buttons((texts.PROGRESS, actions.Progress(order.code)),
                          (texts.RESOLVE, actions.Resolve(order.code)),
                          (texts.EXTEND, actions.Extend(order.code)))
    await work.tell(order.assignee_id, text, choices)


async def supervised(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """督办: the holder hears it; when the order climbed, the holder above hears it too."""
    facts = _facts(work, order, datetime.fromisoformat(event.data["due"]))
    above, handler = event.data.get("above"), event.data.get("handler")
    tree = work.deps.router.tree
    then = (texts.SUPERVISED_THEN_UP.format(unit=tree.get(above).name)
            if above is not None and above in tree else texts.SUPERVISED_THEN_HURRY)
    await work.tell(handler, texts.SUPERVISED_HANDLER.format(then=then, **facts))
    superior = order.assignee_id if above else None      # `order` as the 督办 left it
    if superior is not None and superior != handler:
        await work.tell(superior, texts.SUPERVISED_SUPERIOR.format(
            unit=unit_name(work, event.data.get("unit")), **facts))


async def red_listed(work: Work, order: WorkOrder, event: Event, batch: Sequence[Event]) -> None:
    """On the red list: the holder and the unit above hear it."""
    above = clocks.unit_above(work, order)
    superior = await holder_of(work, above.code, operator=True) if above else None
    text = texts.RED_LISTED.format(days=event.data["days"], **_facts(
        work, order, datetime.fromisoformat(event.data["overdue_since"])))
    for person_id in dict.fromkeys((order.assignee_id, superior)):
        await work.tell(person_id, text)


RULES: dict[str, Rule | None] = {
    "submitted": submitted,
    "dispatched": dispatched,
    "signed": reporters,
    "returned": returned,
    "escalated": escalated,
    "progress": reporters,
    "resolved": resolved,
    "rated": rated,
    "reopened": reopened,
    "closed_unrated": reporters,
    "invalidated": reporters,
    "merged": reporters,
    "extension_requested": extension_requested,
    "extension_denied": extension_denied,
    "extended": extended,
    "reminded": reminded,
    "supervised": supervised,
    "red_listed": red_listed,
    "commented": commented,
    # Nobody is told: a me-too is its follower's own act; the echo wall's post is the
    # announcement; a look at a number is recorded, never announced; an order lifted into a
    # 议题 is told through the 议题 (handlers/agenda.py), not through the order.
    "followed": None,
    "lifted": None,
    "published": None,
    orders.CONTACT_VIEWED: None,
}
