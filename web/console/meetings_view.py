"""A joint meeting as the console shows it: what the pages read from storage, gathered once.

Who the page names: the staff with a post at the meeting's unit, just below it, or on its chain
above (their names are public, 网格长公示), and the residents under the unit who took part in
its items (proposed, supported or commented) — the people a secretary ticks as present, and
among whom a decision's owner is chosen.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.agenda import AgendaItem, AgendaState
from domain.grids import GridTree
from domain.meetings import Meeting, MeetingState
from domain.refusals import DomainError
from handlers import agenda, console
from handlers.work import Work

MOST_NAMED = 200


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    agenda: list[AgendaItem]          # live while scheduled, as held afterwards
    names: dict[int, str]             # everyone the page names, by id
    staff: list[int]
    residents: list[int]
    leads: bool                       # the viewer may act on it
    history: list[Any]


async def leads(work: Work, person_id: int, unit: str) -> bool:
    """议事's rule for a leader's act, asked without acting."""
    try:
        await agenda.must_lead(work.uow, work.deps.router.tree, person_id, unit)
    except DomainError:
        return False
    return True


async def reach(work: Work, person_id: int) -> frozenset[str]:
    """The units whose meetings a person sees: their subtrees, and the chain above them."""
    tree = work.deps.router.tree
    grids = set((await console.scope_of(work, person_id)).grids)
    for post in await work.uow.memberships.of_person(person_id):
        if post.grid_code in tree:
            grids.update(g.code for g in tree.chain(post.grid_code))
    return frozenset(grids)


async def visible_meeting(work: Work, person_id: int, code: str) -> Meeting | None:
    """The meeting, if it is one the person sees; None alike for one that does not exist."""
    meeting = await work.uow.meetings.get(code)
    if meeting is None or meeting.unit_code not in await reach(work, person_id):
        return None
    return meeting


def around(tree: GridTree, unit: str) -> list[str]:
    """The unit, the units just below it and its chain above: whose staff sit at its meeting."""
    if unit not in tree:
        return [unit]
    return list(dict.fromkeys([unit, *(g.code for g in tree.children(unit)),
                               *(g.code for g in tree.chain(unit))]))


async def _staff(work: Work, unit: str) -> list[int]:
    found: list[int] = []
    for grid in around(work.deps.router.tree, unit):
        found += [m.person_id for m in await work.uow.memberships.of_grid(grid)]
    return list(dict.fromkeys(found))[:MOST_NAMED]


async def _residents(work: Work, unit: str, items: list[AgendaItem]) -> list[int]:
    tree = work.deps.router.tree
    took_part: list[int] = []
    for item in items:
        took_part += [p for p in (item.proposer_id,) if p is not None]
        took_part += sorted(item.supporters)
        took_part += [p for p, _, _ in await work.uow.agenda.comments(item.code) if p]
    found = []
    for person_id in dict.fromkeys(took_part):
        person = await work.uow.people.get(person_id)
        home = person.home_grid if person else None
        if home is not None and home in tree and tree.is_above(unit, home):
            found.append(person_id)
    return found[:MOST_NAMED]


async def meeting_view(work: Work, person_id: int, meeting: Meeting) -> MeetingView:
    uow = work.uow
    if meeting.state is MeetingState.SCHEDULED:
        items = await uow.agenda.in_scopes([meeting.unit_code], (AgendaState.ON_AGENDA,), 200)
        items.sort(key=lambda i: (i.level_since, i.code))
    else:
        items = [i for i in [await uow.agenda.get(c) for c in meeting.agenda] if i is not None]
    staff = await _staff(work, meeting.unit_code)
    residents = await _residents(work, meeting.unit_code, items)
    owners = [i.owner_id for i in items if i.owner_id is not None]
    names: dict[int, str] = {}
    for named in dict.fromkeys([*staff, *residents, *meeting.attendees, *owners]):
        person = await uow.people.get(named)
        if person is not None:
            names[named] = person.name
    return MeetingView(meeting, items, names, staff, residents,
                       await leads(work, person_id, meeting.unit_code),
                       await uow.meetings.history(meeting.code))


async def units_led(work: Work, person_id: int, levels: frozenset[Any]) -> list[str]:
    """The units at meeting levels a person may schedule a meeting for."""
    tree = work.deps.router.tree
    posts = [m.grid_code for m in await work.uow.memberships.of_person(person_id)
             if str(m.role) in agenda.POSTS and m.grid_code in tree]
    return [g.code for g in sorted(tree, key=lambda g: (g.level.rank, g.code))
            if g.level in levels and any(tree.is_above(p, g.code) for p in posts)]
