"""What people read about an agenda item (议题) in chat: its card, its line in a list, a staff
member's post, and the buttons each person gets on it.

Buttons follow the use cases' own rules (handlers/agenda.py: who takes part, who leads the
level, who owns the decision), asked of the present when the card is drawn; a press is checked
again when it arrives (handlers/agenda_moments.py) and by the use case itself.
"""
from __future__ import annotations

from datetime import datetime

from domain.agenda import AgendaItem, AgendaState, Origin
from domain.grids import Level
from domain.ladder import level_above
from domain.orders import Satisfaction, WorkOrder
from handlers import actions, agenda, catalogue, texts
from handlers.actions import Action
from handlers.messages import Choice, work_time
from handlers.work import Work

COMMENTS_SHOWN = 3
COMMENTABLE = frozenset(AgendaState) - {AgendaState.PROPOSED, AgendaState.CLOSED,
                                        AgendaState.DECLINED}
STAFF_POSTS = ("leader", "dispatcher", "department", "member")


def buttons(*pairs: tuple[str, Action]) -> list[Choice]:
    return [Choice(label, action.encode()) for label, action in pairs]


def scope_name(work: Work, item: AgendaItem) -> str:
    tree = work.deps.router.tree
    return tree.get(item.scope_code).name if item.scope_code in tree else item.scope_code


def unit_name(work: Work, code: str | None) -> str:
    tree = work.deps.router.tree
    return tree.get(code).name if code and code in tree else code or ""


def meeting_when(at: datetime | None) -> str:
    return texts.AGENDA_MEETING_WHEN.format(at=work_time(at)) if at else ""


def threshold(work: Work, item: AgendaItem) -> int | None:
    """The supports a resident's item needs at its level; None when supports do not decide."""
    if item.origin is not Origin.RESIDENT:
        return None
    return work.deps.agenda_rules.threshold(item.level)


async def post_label(work: Work, person_id: int | None) -> str:
    """A staff member as residents may read them: a unit and a post (锦江社区网格长)."""
    if person_id is None:
        return texts.AGENDA_OWNER_UNKNOWN
    held = {m.role.value: m.grid_code for m in await work.uow.memberships.of_person(person_id)}
    for post in STAFF_POSTS:
        if post in held:
            return unit_name(work, held[post]) + texts.ROLE_LABELS.get(post, post)
    return texts.STAFF_UNNAMED


def tasks_text(item: AgendaItem) -> str:
    return "\n".join(texts.AGENDA_CARD_TASK.format(
        mark=texts.AGENDA_TASK_DONE_MARK if n in item.tasks_done else texts.AGENDA_TASK_OPEN_MARK,
        n=n + 1, task=task) for n, task in enumerate(item.tasks))


def line(item: AgendaItem) -> str:
    return texts.AGENDA_LIST_LINE.format(code=item.code, title=item.title,
                                         state=catalogue.label(item.state),
                                         supports=len(item.supporters))


async def card_text(work: Work, item: AgendaItem) -> str:
    """The item as residents and staff of its scope read it: what, where, how far."""
    scope = scope_name(work, item)
    lines = [texts.AGENDA_CARD.format(code=item.code, title=item.title,
                                      body=item.body or texts.AGENDA_NO_BODY,
                                      level=catalogue.label(item.level), scope=scope,
                                      state=catalogue.label(item.state))]
    needed = threshold(work, item)
    supports = len(item.supporters)
    if needed is not None and item.state in (AgendaState.PROPOSED, AgendaState.OPEN):
        lines.append(texts.AGENDA_CARD_THRESHOLD.format(supports=supports, threshold=needed,
                                                        scope=scope))
    else:
        lines.append(texts.AGENDA_CARD_SUPPORTS.format(supports=supports))
    if item.state is AgendaState.ON_AGENDA and item.meeting_at is not None:
        lines.append(texts.AGENDA_CARD_MEETING.format(at=work_time(item.meeting_at)))
    if item.order_codes:
        lines.append(texts.AGENDA_CARD_ORDERS.format(
            orders=texts.LIST_SEPARATOR.join(item.order_codes)))
    if item.state is AgendaState.DECLINED:
        lines.append(texts.AGENDA_CARD_DECLINED.format(reason=item.decision or ""))
    elif item.owner_id is not None:
        lines.append(texts.AGENDA_CARD_DECISION.format(
            decision=item.decision or "", owner=await post_label(work, item.owner_id),
            deadline=work_time(item.deadline), progress=item.progress))
        lines.append(tasks_text(item))
    if item.ratings:
        lines.append(texts.AGENDA_CARD_RATINGS.format(
            rated=len(item.ratings),
            satisfied=sum(s.is_satisfied for s in item.ratings.values())))
    comments = await work.uow.agenda.latest_comments(item.code, COMMENTS_SHOWN)
    if comments:
        lines.append(texts.AGENDA_CARD_COMMENTS)
        lines += [texts.AGENDA_CARD_COMMENT.format(text=text) for text in comments]
    return "\n".join(lines)


def rating_choices(code: str) -> list[Choice]:
    return buttons(*((catalogue.label(level), actions.AgendaRate(code, level))
                     for level in Satisfaction))


def owner_choices(item: AgendaItem) -> list[Choice]:
    """报告进展, and one button per task not yet done."""
    return buttons((texts.AGENDA_PROGRESS, actions.AgendaProgress(item.code)),
                   *((texts.AGENDA_TASK_BUTTON.format(n=n + 1), actions.AgendaTask(item.code, n))
                     for n in range(len(item.tasks)) if n not in item.tasks_done))


def leader_choices(work: Work, item: AgendaItem) -> list[Choice]:
    """What a leader of the item's level may do with it now."""
    code, scope, state = item.code, item.scope_code, item.state
    up = ([(texts.AGENDA_MOVE_UP, actions.AgendaMoveUp(code, scope))]
          if level_above(work.deps.router.tree, item) is not None else [])
    decline = (texts.AGENDA_DECLINE, actions.AgendaDecline(code, scope))
    if state is AgendaState.PROPOSED:
        return buttons((texts.AGENDA_OPEN, actions.AgendaOpen(code, scope)), decline)
    if state is AgendaState.OPEN:
        return buttons((texts.AGENDA_CONVENE, actions.AgendaConvene(code, scope)), decline, *up)
    if state is AgendaState.ON_AGENDA:
        return buttons((texts.AGENDA_DECIDE, actions.AgendaDecide(code, scope)), decline,
                       (texts.AGENDA_CONVENE, actions.AgendaConvene(code, scope)), *up)
    if state is AgendaState.JUDGING:
        return buttons((texts.AGENDA_CLOSE, actions.AgendaClose(code, scope)))
    return []


def resident_choices(item: AgendaItem, person_id: int | None) -> list[Choice]:
    """支持 and 评论 in 商议, 评论 until it is done, the ratings in 评议."""
    found: list[Choice] = []
    if (item.state is AgendaState.OPEN and person_id != item.proposer_id
            and person_id not in item.supporters):
        found += buttons((texts.AGENDA_SUPPORT, actions.AgendaSupport(item.code)))
    if item.state in COMMENTABLE:
        found += buttons((texts.AGENDA_COMMENT, actions.AgendaComment(item.code)))
    if item.state is AgendaState.JUDGING and person_id not in item.ratings:
        found += rating_choices(item.code)
    return found


async def may_see(work: Work, item: AgendaItem, person_id: int | None) -> bool:
    """An item not yet open is its proposer's and its leaders'; after that anyone's."""
    if item.state is not AgendaState.PROPOSED:
        return True
    tree = work.deps.router.tree
    return person_id is not None and (person_id == item.proposer_id or await agenda.leads(
        work.uow, tree, person_id, item.scope_code))


async def choices_for(work: Work, item: AgendaItem, person_id: int | None) -> list[Choice]:
    """The buttons this person gets on the item's card, by the rules they would press against."""
    if person_id is None:
        return []
    tree = work.deps.router.tree
    found: list[Choice] = []
    if await agenda.takes_part(work.uow, tree, person_id, item):
        found += resident_choices(item, person_id)
    if person_id == item.owner_id and item.state in (AgendaState.DECIDED,
                                                     AgendaState.IN_PROGRESS):
        found += owner_choices(item)
    if await agenda.leads(work.uow, tree, person_id, item.scope_code):
        found += leader_choices(work, item)
    return found


async def order_choices(work: Work, person_id: int | None, order: WorkOrder) -> list[Choice]:
    """On an order's card: its item when it was lifted into one, else 转为议题 for a leader
    above it (the use case decides the level: the leader's own post on the order's chain)."""
    lifted = await work.uow.agenda.lifted_into(order.code)
    if lifted is not None:
        return buttons((texts.AGENDA_ORDER_LIFTED.format(code=lifted),
                        actions.AgendaView(lifted)))
    tree = work.deps.router.tree
    if (person_id is None or order.state.is_final or order.grid_code is None
            or order.grid_code not in tree):
        return []
    held = await agenda.posts(work.uow, person_id)
    if any(grid.code in held for grid in tree.chain(order.grid_code)):
        return buttons((texts.AGENDA_LIFT, actions.AgendaLift(order.code)))
    return []


def beneath(work: Work, held: set[str]) -> list[str]:
    """These grids and every grid beneath them, each once."""
    tree, found = work.deps.router.tree, dict[str, None]()
    stack = sorted(code for code in held if code in tree)
    while stack:
        code = stack.pop()
        if code not in found:
            found[code] = None
            stack.extend(child.code for child in tree.children(code))
    return list(found)


def home_chain(work: Work, home: str) -> list[str]:
    """The grids whose items a resident of `home` takes part in: home up to the county."""
    return [grid.code for grid in work.deps.router.tree.chain(home)]


def community_of(work: Work, home: str) -> str:
    tree = work.deps.router.tree
    community = tree.ancestor_at(home, Level.COMMUNITY)
    return (community or tree.get(home)).name
