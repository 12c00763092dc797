"""Who is told what when something happens to a joint meeting (联席会议): one rule per kind.

The meetings' use cases (handlers/meetings.py) return their events; each door that runs one —
the console's meeting page, the scheduler's meetings sweep — hands them to `tell` in the same
transaction, so a meeting set by a leader and one set on the level's rhythm are told alike:

- scheduled: the people of each item on its agenda (proposer, supporters, commenters), as
  paced notices, and the unit's leaders and dispatchers, each told the date and the items once.

The one who acted learns it from their own page. `RULES` has an entry for every kind the domain
writes (`domain.meetings.MEETING_EVENT_KINDS`); `None` says that nobody is told, on purpose.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from domain.meetings import Meeting, MeetingEvent
from handlers import texts
from handlers.agenda_view import unit_name
from handlers.holders import holder_of
from handlers.messages import Outbound, work_time
from handlers.work import Work
from storage.records import OutboxMessage

Rule = Callable[[Work, Meeting, MeetingEvent], Awaitable[None]]


async def tell(work: Work, events: Sequence[MeetingEvent]) -> None:
    """Tell whoever each event concerns, in the order the events happened."""
    meetings: dict[str, Meeting] = {}
    for event in events:
        rule = RULES[event.kind]
        if rule is None:
            continue
        if event.meeting_code not in meetings:
            meeting = await work.uow.meetings.get(event.meeting_code)
            if meeting is None:
                continue
            meetings[event.meeting_code] = meeting
        await rule(work, meetings[event.meeting_code], event)


async def _agenda_lines(work: Work, codes: Sequence[str]) -> tuple[str, set[int]]:
    """The agenda as lines of the catalogue, and the people of its items."""
    lines, people = [], set[int]()
    for code in codes:
        item = await work.uow.agenda.get(code)
        if item is None:
            continue
        lines.append(texts.MEETING_AGENDA_LINE.format(code=item.code, title=item.title))
        people |= await work.uow.agenda.participants(code)
        if item.proposer_id is not None:
            people.add(item.proposer_id)
    return "\n".join(lines) or texts.MEETING_SCHEDULED_NO_ITEMS, people


async def scheduled(work: Work, meeting: Meeting, event: MeetingEvent) -> None:
    """The date and the items: the items' people (paced), then the unit's staff."""
    items, people = await _agenda_lines(work, meeting.agenda)
    text = texts.MEETING_SCHEDULED_NOTICE.format(
        kind=texts.MEETING_KIND_LABELS.get(meeting.level.value, ""),
        unit=unit_name(work, meeting.unit_code), when=work_time(meeting.at), code=meeting.code,
        items=items)
    staff = [m.person_id for m in await work.uow.memberships.holders(meeting.unit_code)]
    if not staff:
        above = await holder_of(work, meeting.unit_code, operator=True)
        staff = [above] if above is not None else []
    left_out = {event.actor_id, *staff}
    out = Outbound("", "", text)
    seen: set[tuple[str, str]] = set()
    for account in await work.uow.people.accounts_of(people - left_out):
        key = (account.channel, account.external_id)
        if key not in seen and account.person_id not in left_out:
            seen.add(key)
            work.owed.append(OutboxMessage(account.channel, account.external_id,
                                           out.as_payload(), person_id=account.person_id))
    for person_id in dict.fromkeys(staff):
        if person_id != event.actor_id:
            await work.tell(person_id, text)


RULES: dict[str, Rule | None] = {
    "scheduled": scheduled,
    # Nobody is told: who convenes, records attendance and minutes is in the room; a decision
    # taken up is told by the item's own `decided` or `declined` (handlers/agenda_notices.py);
    # what a closed meeting left undecided is on the next meeting's agenda, told when it is set.
    "convened": None,
    "attended": None,
    "minuted": None,
    "took_up": None,
    "closed": None,
}
