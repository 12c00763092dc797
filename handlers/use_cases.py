"""The 四单 process in the domain's words: each use case loads, applies a rule, records, tells.

Every function runs inside an open unit of work (`work.uow`) and leaves what people are owed
in `work.owed`; the caller commits once, so an order, its events and its messages land together.
Permissions are asked here, of `handlers.access`, at the moment of each press: only the assignee,
or someone above them in the tree, acts on an order.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from domain import orders
from domain.calendar import SHANGHAI
from domain.categories import HandlingLevel
from domain.deadlines import due_for
from domain.geo import box_around, distance_m
from domain.grids import GridTree, Level
from domain.orders import Event, Satisfaction, State, Urgency, WorkOrder
from domain.refusals import DomainError
from handlers import catalogue, order_view, texts
from handlers.access import followable, may_act, may_follow
from handlers.dialog import Work, choices
from handlers.holders import QUEUE, find_holder, holding_unit
from handlers.messages import Choice
from handlers.stored import stored_id
from storage.records import Person


class NotAllowed(DomainError):
    def __init__(self) -> None:
        super().__init__("NOT_ALLOWED")


@dataclass
class Draft:
    """A report being written: what the reporter has given so far."""

    category: str | None = None
    description: str = ""
    photos: list[str] = field(default_factory=list)
    voice: str | None = None         # a stored voice note, when the platform gave no transcript
    lat: float | None = None
    lng: float | None = None
    address: str | None = None
    grid: str | None = None          # the smallest grid the place lies in
    queue: str | None = None         # the dispatcher's queue when no grid fits

    @property
    def placed(self) -> bool:
        return self.grid is not None or self.queue is not None


# --- names and people --------------------------------------------------------------------------

def unit_name(work: Work, unit: str | None) -> str:
    if not unit:
        return texts.DISPATCHER_UNIT
    code = unit.removeprefix(QUEUE)
    tree: GridTree = work.deps.router.tree
    name = tree.get(code).name if code in tree else code
    return texts.QUEUE_UNIT.format(name=name) if unit.startswith(QUEUE) else name


def place_of(work: Work, order: WorkOrder) -> str:
    tree: GridTree = work.deps.router.tree
    if order.grid_code and order.grid_code in tree:
        return tree.get(order.grid_code).name
    return order.address or texts.UNPLACED


async def holder_of(work: Work, unit: str, operator: bool = False) -> int | None:
    """Who must act for a unit: its leader, or for a queue its dispatcher, nearest up the tree;
    with `operator`, past the street the configured operator (who holds orders, not a grid)."""
    held = await find_holder(work, unit, operator)
    return held.person_id if held else None


async def load(work: Work, code: str) -> WorkOrder:
    order = await work.uow.orders.get(code)
    if order is None:
        raise DomainError("NO_SUCH_ORDER")
    return order


async def load_for(work: Work, person_id: int, code: str) -> WorkOrder:
    order = await load(work, code)
    if not await may_act(work, person_id, order):
        raise NotAllowed()
    return order


async def load_holding(work: Work, person_id: int, code: str) -> WorkOrder:
    """The order, if `person_id` holds it now (签收, 退回, 进展, 办结, 申请延期)."""
    order = await load(work, code)
    if order.assignee_id != person_id:
        raise NotAllowed()
    return order


def work_time(when: datetime | None) -> str:
    return when.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if when else "—"


async def record(work: Work, order: WorkOrder, event: Event) -> None:
    await work.uow.events.add(event)
    await work.uow.orders.save(order)


async def tell_reporters(work: Work, order: WorkOrder, event: Event) -> None:
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


# --- 提单 and 派单 ---------------------------------------------------------------------------------

async def file_order(work: Work, reporter_id: int, draft: Draft) -> WorkOrder:
    """提单, then 派单 at once when routing decided; otherwise the order waits in a queue.

    The order is decided in full first (filed, and dispatched or queued), then written once,
    with its events in one statement: filing is the busiest transaction there is.
    """
    deps, now = work.deps, work.now
    category = deps.taxonomy.get(draft.category)
    unit = _handling_unit(work, draft, category.level)
    held = await find_holder(work, unit)
    order = WorkOrder(await work.uow.orders.next_code(now.astimezone(SHANGHAI).date()),
                      category.code, category.urgency, reporter_id, draft.description, now,
                      grid_code=draft.grid, lat=draft.lat, lng=draft.lng, address=draft.address)
    submitted = orders.submit(order, tuple(draft.photos))
    if draft.voice:
        submitted = replace(submitted, data={**submitted.data, "voice": draft.voice})
    seen = order_view.reported(order, place_of(work, order), submitted.data)
    if unit.startswith(QUEUE) or held is None:
        order.unit_code = unit if unit.startswith(QUEUE) else QUEUE + unit
        order.assignee_id = held.person_id if held else None
        # A queue keeps the sign limit too: its holder must 派单 by then (the scheduler reminds).
        order.sign_due = due_for(deps.policy, deps.calendar, order.urgency, now).sign_by
        await work.uow.orders.add(order)
        await work.uow.events.add(submitted)
        await _announce_queue(work, order, texts.QUEUE_WHY_UNPLACED if not draft.grid
                             else texts.QUEUE_WHY_UNHELD, seen)
    else:
        dispatched = _dispatch(work, order, holding_unit(work, held, unit), held.person_id,
                               actor_id=None)
        await work.uow.orders.add(order)
        await work.uow.events.add_all([submitted, dispatched])
        await _tell_dispatched(work, order, dispatched, seen)
    if category.urgency is Urgency.EMERGENCY:
        await _alarm_chain(work, order)
    return order


def _handling_unit(work: Work, draft: Draft, level: HandlingLevel) -> str:
    tree = work.deps.router.tree
    if draft.grid is None:
        return draft.queue or QUEUE + min(g.code for g in tree.roots())
    wanted = {HandlingLevel.COMMUNITY: Level.COMMUNITY, HandlingLevel.STREET: Level.STREET,
              HandlingLevel.DEPARTMENT: Level.STREET}.get(level)
    if wanted is None:
        return draft.grid
    above = tree.ancestor_at(draft.grid, wanted)
    return QUEUE + above.code if level is HandlingLevel.DEPARTMENT and above else (
        above.code if above else draft.grid)


async def dispatch_to(work: Work, order: WorkOrder, unit: str, holder: int,
                    actor_id: int | None, reason: str | None = None) -> None:
    event = _dispatch(work, order, unit, holder, actor_id, reason)
    await record(work, order, event)
    await _tell_dispatched(work, order, event)


def _dispatch(work: Work, order: WorkOrder, unit: str, holder: int, actor_id: int | None,
              reason: str | None = None) -> Event:
    due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now)
    return orders.dispatch(order, unit, holder, due, work.now, actor_id, reason)


async def _tell_dispatched(work: Work, order: WorkOrder, event: Event,
                           seen: order_view.Evidence | None = None) -> None:
    assert order.assignee_id is not None     # dispatched: someone holds it
    await _tell_handler(work, order.assignee_id, order, _new_order_text(work, order),
                        choices((texts.SIGN, f"sign:{order.code}"),
                                (texts.RETURN, f"return:{order.code}"),
                                (texts.ESCALATE, f"up:{order.code}")), seen)
    await tell_reporters(work, order, event)


async def _tell_handler(work: Work, holder: int | None, order: WorkOrder, text: str,
                        buttons: list[Choice], seen: order_view.Evidence | None = None) -> None:
    """The order as its new holder must see it: photos, voice note and pin with the text, and
    a 查看联系方式 button when the reporter left a number (never the number itself)."""
    if holder is None:
        return
    if seen is None:
        seen = await order_view.evidence(work, order, place_of(work, order))
    line, contact = await order_view.contact_offer(work, order)
    await work.tell(holder, text + line, [*buttons, *contact], **seen.as_kwargs())


def _new_order_text(work: Work, order: WorkOrder) -> str:
    category = work.deps.taxonomy.get(order.category)
    return texts.NEW_ORDER.format(code=order.code, urgency=catalogue.label(order.urgency),
                                  category=category.label, place=place_of(work, order),
                                  description=order.description or texts.NO_DESCRIPTION,
                                  sign_by=work_time(order.sign_due))


async def _announce_queue(work: Work, order: WorkOrder, why: str,
                          seen: order_view.Evidence | None = None) -> None:
    category = work.deps.taxonomy.get(order.category)
    # A private order is never merged (handlers/access.py): no 合并 button to press.
    merge = [(texts.MERGE, f"merge:{order.code}")] if followable(work, order.category) else []
    await _tell_handler(work, order.assignee_id, order, texts.QUEUE_ORDER.format(
        code=order.code, urgency=catalogue.label(order.urgency), category=category.label,
        place=place_of(work, order), description=order.description or texts.NO_TEXT, why=why)
        + texts.QUEUE_SIGN_BY.format(sign_by=work_time(order.sign_due)),
        choices((texts.ASSIGN, f"assign:{order.code}"), (texts.INVALID, f"invalid:{order.code}"),
                *merge), seen)


async def _alarm_chain(work: Work, order: WorkOrder) -> None:
    """特急: grid, community and street hear of it together."""
    tree = work.deps.router.tree
    start = (order.grid_code or (order.unit_code or "").removeprefix(QUEUE))
    told = {order.assignee_id}
    for grid in tree.chain(start) if start in tree else []:
        holder = await holder_of(work, grid.code)
        if holder not in told:
            told.add(holder)
            await work.tell(holder, texts.EMERGENCY_PREFIX + _new_order_text(work, order))


async def nearby_duplicate(work: Work, draft: Draft) -> WorkOrder | None:
    """An open order of the same public category within 100 m and 24 h: offered as a me-too."""
    if draft.lat is None or draft.lng is None or draft.category is None \
            or not followable(work, draft.category):
        return None   # a private category is never offered: not even that such an order exists
    limits = work.deps.limits
    here = (draft.lat, draft.lng)
    for order in await work.uow.orders.open_near(draft.category, work.now - limits.metoo_window,
                                                 box_around(here, limits.metoo_radius_m)):
        # Pinned inside the box (open_near's query), so the point is there.
        if order.lat is not None and order.lng is not None \
                and distance_m((order.lat, order.lng), here) <= limits.metoo_radius_m:
            return order
    return None


async def me_too(work: Work, person: Person | None, code: str, draft: Draft | None) -> WorkOrder:
    """'Me too' from a report in progress: checked now, whatever the button said."""
    order = await work.uow.orders.get(code)
    if order is None or person is None or not may_follow(work, person, draft, order):
        raise DomainError("METOO_REFUSED")
    await follow(work, stored_id(person), order)
    return order


async def follow(work: Work, person_id: int, order: WorkOrder) -> None:
    """The person follows the order from now on (a me-too, or a merged duplicate's reporter)."""
    if order.reporter_id != person_id and await work.uow.orders.follow(order.code, person_id):
        await work.uow.events.add(orders.remark(order, "followed", work.now, person_id))


# --- 办单 --------------------------------------------------------------------------------------

async def sign_for(work: Work, person_id: int, code: str) -> WorkOrder:
    order = await load(work, code)
    if order.assignee_id != person_id:
        raise NotAllowed()
    event = orders.sign_for(order, person_id, work.now)
    await record(work, order, event)
    await tell_reporters(work, order, event)
    return order


async def return_order(work: Work, person_id: int, code: str, reason: str) -> WorkOrder:
    """退单 goes to the dispatcher above; the second return goes to the street (兜底)."""
    order = await load(work, code)
    if order.assignee_id != person_id:
        raise NotAllowed()
    tree = work.deps.router.tree
    unit = (order.unit_code or "").removeprefix(QUEUE)
    parent = tree.parent_of(unit) if unit in tree else None
    if order.returns + 1 >= 2 or parent is None:
        parent = min(tree.roots(), key=lambda g: g.code)
    queue = QUEUE + parent.code
    event = orders.return_order(order, person_id, reason, queue,
                                await holder_of(work, queue, operator=True), work.now)
    # The queue's clock starts now: the dispatcher must 派单 within a fresh sign limit.
    order.sign_due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now).sign_by
    await record(work, order, event)
    await _announce_queue(work, order, texts.QUEUE_WHY_RETURNED.format(reason=event.reason))
    await tell_reporters(work, order, event)
    return order


async def escalate(work: Work, person_id: int | None, code: str, reason: str) -> WorkOrder:
    """上报: one level up the tree, to that unit's leader, with a fresh deadline."""
    order = await load(work, code)
    if person_id is not None and not await may_act(work, person_id, order):
        raise NotAllowed()
    tree = work.deps.router.tree
    unit = (order.unit_code or order.grid_code or "").removeprefix(QUEUE)
    parent = tree.parent_of(unit) if unit in tree else None
    target = parent.code if parent else unit
    holder = await holder_of(work, target, operator=True)
    due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now)
    event = orders.escalate(order, target, holder, due, work.now, person_id, reason)
    await record(work, order, event)
    await _tell_handler(work, holder, order,
                        texts.ESCALATED_TO_YOU.format(order=_new_order_text(work, order),
                                                      reason=reason),
                        choices((texts.SIGN, f"sign:{order.code}"),
                                (texts.ASSIGN, f"assign:{order.code}"),
                                (texts.ESCALATE, f"up:{order.code}")))
    await tell_reporters(work, order, event)
    return order


async def report_progress(work: Work, person_id: int, code: str, note: str) -> WorkOrder:
    order = await load_holding(work, person_id, code)
    event = orders.report_progress(order, person_id, note, work.now)
    await work.uow.events.add(event)
    await tell_reporters(work, order, event)
    return order


async def resolve(work: Work, person_id: int, code: str, note: str,
                  photo: str | None = None, photos: Sequence[str] = ()) -> WorkOrder:
    """办结: the reporter is asked whether it is solved, then to rate.

    The first photo is the resolution's after-photo; all of them are kept on the event.
    """
    photos = [photo, *photos] if photo else list(photos)
    photo = photos[0] if photos else None
    order = await load_holding(work, person_id, code)
    event = orders.resolve(order, person_id, note, work.now, photo)
    if len(photos) > 1:
        event = replace(event, data={**event.data, "photos": photos})
    await record(work, order, event)
    await work.tell(order.reporter_id, texts.ASK_SOLVED.format(code=order.code, note=note),
                    choices((texts.SOLVED_YES, f"solved:{order.code}:1"),
                            (texts.SOLVED_NO, f"solved:{order.code}:0")), photo=photo)
    for follower in await work.uow.orders.followers(order.code):
        await work.tell(follower, texts.NOTICE["resolved"].format(code=order.code, reason=note))
    return order


# --- 评单 ----------------------------------------------------------------------------------------

async def rate(work: Work, person_id: int, code: str, solved: bool,
               satisfaction: Satisfaction, reason: str = "") -> WorkOrder:
    """Satisfied closes; unsatisfied reopens once with a new deadline; twice escalates."""
    order = await load(work, code)
    if order.reporter_id != person_id:
        raise DomainError("NO_SUCH_ORDER")
    if satisfaction.is_satisfied:
        event = orders.rate(order, person_id, solved, satisfaction, work.now)
        await record(work, order, event)
        await work.tell(order.assignee_id, texts.RATED_TO_HANDLER.format(
            code=code, satisfaction=catalogue.label(satisfaction)))
        return order
    due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now)
    event = orders.reopen(order, person_id, solved, satisfaction, reason, due.resolve_by, work.now)
    await record(work, order, event)
    if orders.must_escalate_after_reopen(order):
        await escalate(work, None, code, texts.REOPENED_TWICE_REASON.format(reason=event.reason))
    else:
        await work.tell(order.assignee_id, texts.REOPENED_TO_HANDLER.format(
                        code=code, reason=event.reason, resolve_by=work_time(order.resolve_due)),
                        choices((texts.PROGRESS, f"progress:{code}"),
                                (texts.RESOLVE, f"resolve:{code}")))
    return order


async def close_unrated(work: Work, code: str) -> WorkOrder:
    order = await load(work, code)
    event = orders.close_unrated(order, work.now)
    await record(work, order, event)
    await tell_reporters(work, order, event)
    return order


async def orders_per_hour(work: Work, person_id: int) -> int:
    return await work.uow.orders.count_reported_since(person_id, work.now - timedelta(hours=1))


OPEN = (State.SUBMITTED, State.DISPATCHED, State.ACCEPTED)
