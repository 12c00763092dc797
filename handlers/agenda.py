"""议事 use cases: each loads, asks who may act, calls the domain, records, returns the events.

Doors (chat, the console, the scheduler) call these inside an open unit of work and commit
once; what people are told follows from the returned events. Who may act (docs/domain.md, 议事):
- a resident of the scope — their home grid lies under the item's scope — proposes at home,
  supports, comments and rates;
- a leader or dispatcher of the scope — a post on a grid at the item's level or above it —
  opens, tables, convenes, decides, declines, moves up, lifts orders and closes;
- the owner named in the decision reports progress and ticks tasks off (the domain checks).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain import agenda, agenda_clocks, ladder, orders
from domain.agenda import (
    DEFAULT_RULES,
    AgendaEvent,
    AgendaItem,
    AgendaRules,
    AgendaState,
    Origin,
)
from domain.grids import GridTree, Level
from domain.orders import Event, Satisfaction
from domain.privacy import scrub
from domain.refusals import DomainError
from storage.uow import UnitOfWork

POSTS = ("leader", "dispatcher")


async def _item(uow: UnitOfWork, code: str) -> AgendaItem:
    item = await uow.agenda.get(code)
    if item is None:
        raise DomainError("AGENDA_UNKNOWN", code=code)
    return item


async def _home(uow: UnitOfWork, person_id: int) -> str | None:
    person = await uow.people.get(person_id)
    return person.home_grid if person else None


async def takes_part(uow: UnitOfWork, tree: GridTree, person_id: int, item: AgendaItem) -> bool:
    """A resident of the item's scope: their home grid lies under it."""
    home = await _home(uow, person_id)
    return home is not None and home in tree and tree.is_above(item.scope_code, home)


async def _must_take_part(uow: UnitOfWork, tree: GridTree, person_id: int,
                          item: AgendaItem) -> None:
    if not await takes_part(uow, tree, person_id, item):
        raise DomainError("AGENDA_NOT_ALLOWED")


async def posts(uow: UnitOfWork, person_id: int) -> set[str]:
    """The grids where the person leads or dispatches."""
    return {m.grid_code for m in await uow.memberships.of_person(person_id)
            if str(m.role) in POSTS}


async def leads(uow: UnitOfWork, tree: GridTree, person_id: int, scope: str) -> bool:
    """A leader or dispatcher of the scope: a post on a grid at its level or above it."""
    return any(post in tree and tree.is_above(post, scope)
               for post in await posts(uow, person_id))


async def _must_lead(uow: UnitOfWork, tree: GridTree, person_id: int, scope: str) -> None:
    if not await leads(uow, tree, person_id, scope):
        raise DomainError("AGENDA_NOT_ALLOWED")


async def must_lead(uow: UnitOfWork, tree: GridTree, person_id: int, scope: str) -> None:
    """A leader's act in 议事 at `scope` (a joint meeting's too): a post there or above."""
    await _must_lead(uow, tree, person_id, scope)


def _start_scope(tree: GridTree, grid_code: str) -> str:
    """Where a resident's proposal is discussed first: the grid (一组一会), or their home when
    it lies above any grid."""
    grid = tree.ancestor_at(grid_code, Level.GRID)
    return grid.code if grid is not None else grid_code


async def _new(uow: UnitOfWork, tree: GridTree, origin: Origin, person_id: int, grid_code: str,
               scope: str, title: str, body: str, now: datetime) -> AgendaItem:
    code = await uow.agenda.next_code(now.date())
    return AgendaItem(code, scrub(title.strip()), scrub(body.strip()), origin, person_id,
                      grid_code, scope, tree.get(scope).level, now, now)


async def _done(uow: UnitOfWork, item: AgendaItem, events: list[AgendaEvent]
                ) -> list[AgendaEvent]:
    await uow.agenda.record(item, events)
    return events


async def propose(uow: UnitOfWork, tree: GridTree, person_id: int, title: str, body: str,
                  now: datetime) -> tuple[AgendaItem, list[AgendaEvent]]:
    """提议 by a resident, at their home grid; a leader opens it to the neighbours."""
    home = await _home(uow, person_id)
    if home is None or home not in tree:
        raise DomainError("AGENDA_NOT_ALLOWED")
    item = await _new(uow, tree, Origin.RESIDENT, person_id, home, _start_scope(tree, home),
                      title, body, now)
    return item, await _done(uow, item, [agenda.propose(item)])


async def raise_item(uow: UnitOfWork, tree: GridTree, person_id: int, scope: str, title: str,
                     body: str, now: datetime) -> tuple[AgendaItem, list[AgendaEvent]]:
    """提议 by a leader, at a level they lead: open for 商议 at once."""
    await _must_lead(uow, tree, person_id, scope)
    item = await _new(uow, tree, Origin.LEADER, person_id, scope, scope, title, body, now)
    return item, await _done(uow, item, [agenda.propose(item)])


async def lift_orders(uow: UnitOfWork, tree: GridTree, person_id: int, codes: Sequence[str],
                      title: str, body: str, now: datetime
                      ) -> tuple[AgendaItem, list[AgendaEvent], list[Event]]:
    """A leader lifts open orders (one, or a cluster of 'me too' reports) beyond the grid's
    power into an item at the level they lead; each order records that it points to it."""
    loaded = [await uow.orders.get(code) for code in dict.fromkeys(codes)]
    found = [order for order in loaded if order is not None and order.grid_code in tree]
    if not found or len(found) != len(loaded):
        raise DomainError("AGENDA_NO_ORDERS")
    for order in found:
        if await uow.agenda.lifted_into(order.code) is not None:
            raise DomainError("AGENDA_ALREADY_LIFTED", code=order.code)
    grid = found[0].grid_code
    assert grid is not None
    held = await posts(uow, person_id)
    scope = next((g.code for g in tree.chain(grid) if g.code in held), None)
    if scope is None or any(not tree.is_above(scope, o.grid_code or "") for o in found):
        raise DomainError("AGENDA_NOT_ALLOWED")
    item = await _new(uow, tree, Origin.ORDER, person_id, grid, scope, title, body, now)
    events = [agenda.propose(item, tuple(o.code for o in found))]
    marks = [orders.remark(o, "lifted", now, person_id, data={"agenda": item.code})
             for o in found]
    await uow.events.add_all(marks)
    return item, await _done(uow, item, events), marks


async def open_discussion(uow: UnitOfWork, tree: GridTree, person_id: int, code: str,
                          now: datetime) -> list[AgendaEvent]:
    item = await _item(uow, code)
    await _must_lead(uow, tree, person_id, item.scope_code)
    return await _done(uow, item, [agenda.open_discussion(item, person_id, now)])


async def support(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, now: datetime,
                  rules: AgendaRules = DEFAULT_RULES) -> list[AgendaEvent]:
    """+1; the support that reaches the threshold puts the item on its level's agenda."""
    item = await _item(uow, code)
    await _must_take_part(uow, tree, person_id, item)
    events = [agenda.support(item, person_id, now, rules)]
    if events[0].data["reached"]:
        events.append(agenda.put_on_agenda(item, now, rules=rules))
    return await _done(uow, item, events)


async def comment(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, text: str,
                  now: datetime) -> list[AgendaEvent]:
    """A resident's word in 商议, scrubbed: the scope's residents all read it."""
    item = await _item(uow, code)
    await _must_take_part(uow, tree, person_id, item)
    return await _done(uow, item, [agenda.remark(item, "commented", now, person_id,
                                                 scrub(text.strip()))])


async def convene(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, now: datetime,
                  meeting_at: datetime | None = None, reason: str | None = None,
                  rules: AgendaRules = DEFAULT_RULES) -> list[AgendaEvent]:
    """Onto the agenda of the level's joint meeting, with its date (a reason when the item
    has not the supports)."""
    item = await _item(uow, code)
    await _must_lead(uow, tree, person_id, item.scope_code)
    return await _done(uow, item, [agenda.put_on_agenda(item, now, person_id, meeting_at,
                                                        reason, rules)])


async def decide(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, decision: str,
                 owner_id: int, deadline: datetime, tasks: tuple[str, ...],
                 now: datetime) -> list[AgendaEvent]:
    item = await _item(uow, code)
    await _must_lead(uow, tree, person_id, item.scope_code)
    return await _done(uow, item, [agenda.decide(item, person_id, decision, owner_id, deadline,
                                                 tasks, now)])


async def decline(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, reason: str,
                  now: datetime) -> list[AgendaEvent]:
    item = await _item(uow, code)
    await _must_lead(uow, tree, person_id, item.scope_code)
    return await _done(uow, item, [agenda.decline(item, person_id, reason, now)])


async def move_up(uow: UnitOfWork, tree: GridTree, person_id: int, code: str, reason: str,
                  now: datetime) -> list[AgendaEvent]:
    """议题上移 by a leader: beyond the level's power."""
    item = await _item(uow, code)
    await _must_lead(uow, tree, person_id, item.scope_code)
    return await _done(uow, item, [ladder.move_up(item, tree, now, person_id, reason)])


async def report_progress(uow: UnitOfWork, person_id: int, code: str, percent: int, note: str,
                          now: datetime) -> list[AgendaEvent]:
    item = await _item(uow, code)
    return await _done(uow, item, [agenda.report_progress(item, person_id, percent,
                                                          scrub(note), now)])


async def finish_task(uow: UnitOfWork, person_id: int, code: str, task: int,
                      now: datetime) -> list[AgendaEvent]:
    item = await _item(uow, code)
    return await _done(uow, item, [agenda.finish_task(item, person_id, task, now)])


async def rate(uow: UnitOfWork, tree: GridTree, person_id: int, code: str,
               satisfaction: Satisfaction, now: datetime) -> list[AgendaEvent]:
    item = await _item(uow, code)
    await _must_take_part(uow, tree, person_id, item)
    return await _done(uow, item, [agenda.rate(item, person_id, satisfaction, now)])


async def close(uow: UnitOfWork, code: str, now: datetime,
                person_id: int | None = None) -> list[AgendaEvent]:
    """The judging ends: the scheduler's, when its window ran out, or a leader's."""
    item = await _item(uow, code)
    if item.state is not AgendaState.JUDGING:
        raise agenda.AgendaIllegal(item.state, "close")
    return await _done(uow, item, [agenda.close(item, now, person_id)])


async def sweep_ladder(uow: UnitOfWork, tree: GridTree, now: datetime,
                       rules: AgendaRules = DEFAULT_RULES, batch: int = 100
                       ) -> list[AgendaEvent]:
    """The scheduler's 议题上移 sweep: one batch of items unsettled past their time, each
    moved up one level (claimed rows: two workers never move the same item)."""
    events: list[AgendaEvent] = []
    for item in await uow.agenda.unsettled_since(now - rules.settle_within, batch):
        moved = ladder.sweep_ladder([item], tree, now, rules)
        if moved:
            events += await _done(uow, item, moved)
    return events


async def sweep_clocks(uow: UnitOfWork, now: datetime, rules: AgendaRules = DEFAULT_RULES,
                       batch: int = 100) -> list[AgendaEvent]:
    """The scheduler's 监督, 督办 and end of 评议: one batch of items with a stage fallen due,
    claimed (two workers never take the same item), each acted on once — a stage already
    recorded, read after the claim, is not fired again."""
    started: dict[str, tuple[AgendaState, datetime]] = {}
    candidates = await uow.agenda.clocked(agenda_clocks.CLOCKED)
    recorded = await uow.agenda.clock_marks(c.code for c in candidates
                                            if c.state in agenda_clocks.EXECUTING)
    for clocked in candidates:
        stages = agenda_clocks.clock(clocked.state, clocked.since, clocked.deadline, rules)
        if agenda_clocks.pick(stages, recorded.get(clocked.code, ()), now) is not None:
            started[clocked.code] = (clocked.state, clocked.since)
            if len(started) >= batch:
                break
    events: list[AgendaEvent] = []
    claimed = await uow.agenda.claim_items(started, agenda_clocks.CLOCKED)
    marks = await uow.agenda.clock_marks(item.code for item in claimed)
    for item in claimed:
        state, since = started[item.code]
        if item.state is not state:   # moved on since it was read: the next sweep looks again
            continue
        stage = agenda_clocks.due(item, since, marks[item.code], now, rules)
        if stage is not None:
            events += await _done(uow, item, [agenda_clocks.fire(item, stage, now)])
    return events
