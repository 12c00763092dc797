"""/my, one order's timeline, /grid: a reporter's own orders; a timeline for whoever may see it."""
from __future__ import annotations

from domain.calendar import SHANGHAI
from domain.deadlines import light
from domain.orders import State, WorkOrder
from handlers import access, actions, agenda_view, catalogue, texts
from handlers.dialog import Turn, choices
from handlers.names import place_of, work_time
from handlers.routes import Router
from handlers.stored import stored_id
from handlers.use_cases import OPEN
from storage.records import Person, Role

HIDDEN_FROM_REPORTER = frozenset({"followed"})   # who else follows is not the reporter's business
router = Router()


@router.command("my")
async def my_orders(turn: Turn) -> None:
    if turn.person is None:
        turn.say(texts.MY_EMPTY)
        return
    mine = await turn.uow.orders.reported_by(stored_id(turn.person), limit=8)
    if not mine:
        turn.say(texts.MY_EMPTY)
        return
    lines = [texts.MY_HEADER]
    for order in mine:
        lines.append(texts.MY_LINE.format(
            light=_light(turn, order), code=order.code,
            category=turn.deps.taxonomy.get(order.category).name, state=catalogue.label(order.state),
            due=texts.DUE_SUFFIX.format(due=deadline(order)) if deadline(order) else ""))
    turn.say("\n".join(lines), choices(*((o.code, actions.Detail(o.code)) for o in mine[:5])))


def deadline(order: WorkOrder) -> str:
    """The order's next deadline, by its name: 签收 until signed, then 办结; none once done."""
    if order.state in (State.SUBMITTED, State.DISPATCHED) and order.sign_due:
        return texts.SIGN_BY.format(due=work_time(order.sign_due))
    if order.state is State.ACCEPTED and order.resolve_due:
        return texts.RESOLVE_BY.format(due=work_time(order.resolve_due))
    return ""


def _light(turn: Turn, order: WorkOrder) -> str:
    if order.state not in OPEN or order.resolve_due is None:
        return texts.NO_LIGHT
    rule = turn.deps.policy.rule(order.urgency)
    shade = light(order.created_at, order.resolve_due, turn.now, turn.deps.calendar,
                  rule.resolve_working)
    return {"green": "🟢", "yellow": "🟡", "red": "🔴"}[shade.value] + " "


@router.button(actions.Detail)
async def detail(turn: Turn, action: actions.Detail) -> None:
    order = await turn.uow.orders.get(action.code)
    if order is None or not await access.may_view(turn, turn.person, order):
        turn.say(texts.NO_SUCH_ORDER)
        return
    events = await turn.uow.events.for_order(order.code)
    timeline = "\n".join(
        texts.TIMELINE_LINE.format(at=f"{e.at.astimezone(SHANGHAI):%m-%d %H:%M}",
                                   event=texts.EVENT_LABELS[e.kind])
        + (texts.TIMELINE_REASON.format(reason=e.reason) if e.reason and e.kind in ("progress", "resolved", "invalidated") else "")
        for e in events if e.kind in texts.EVENT_LABELS and e.kind not in HIDDEN_FROM_REPORTER)
    turn.say(texts.DETAIL.format(code=order.code, category=turn.deps.taxonomy.get(order.category).label,
                                 state=catalogue.label(order.state), place=place_of(turn, order),
                                 timeline=timeline),
             await agenda_view.order_choices(turn, turn.person.id if turn.person else None, order))


@router.command("grid")
async def my_grid(turn: Turn) -> None:
    """网格长公示: the leader's name, duty and contact are public."""
    person = turn.person
    home = getattr(person, "home_grid", None) if person else None
    if home is None and person is not None:
        recent = await turn.uow.orders.reported_by(stored_id(person), limit=1)
        home = recent[0].grid_code if recent else None
    tree = turn.deps.router.tree
    if home is None or home not in tree:
        turn.say(texts.GRID_UNKNOWN)
        return
    leader = await listed_leader(turn, home)
    listed = leader is not None and leader.staff_code is not None
    turn.say(texts.GRID_LEADER.format(
        grid=tree.get(home).name,
        leader=(leader.name if listed else texts.LEADER_UNLISTED) if leader else texts.LEADER_VACANT,
        duty=(leader.duty or "—") if leader and listed else "—",
        phone=(leader.phone or "—") if leader and listed else "—"))


async def listed_leader(turn: Turn, home: str) -> Person | None:
    """The nearest leader (else dispatcher) up the chain, as the roster names them.

    Names come from the roster (`import-people`), never from a chat account: a person created
    when an invite was redeemed before the roster was imported has no name worth showing.
    """
    for grid in turn.deps.router.tree.chain(home):
        held = await turn.uow.memberships.holders(grid.code)
        for role in (Role.LEADER, Role.DISPATCHER):
            found = [await turn.uow.people.get(m.person_id) for m in held if m.role is role]
            people = [p for p in found if p is not None]
            if people:
                return min(people, key=lambda p: (p.staff_code is None, stored_id(p)))
    return None
