"""The joint meeting page's forms, read and handed to their use cases (handlers/meetings.py):
whatever a form holds, a refusal in the catalogue's words, never an error page."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from domain.calendar import SHANGHAI
from domain.meetings import Meeting, MeetingEvent
from domain.refusals import DomainError
from handlers import agenda_notices, meeting_notices, meetings
from handlers.work import Work
from storage.repositories.agenda import StaleItem
from storage.repositories.meetings import StaleMeeting

LONGEST_MINUTES = 5000


def text_of(form: dict[str, Any], name: str, most: int = 500) -> str:
    value = form.get(name, "")
    return value[:most] if isinstance(value, str) else ""


def _ids(form: dict[str, Any], name: str) -> list[int]:
    values = form.get(name, [])
    values = [values] if isinstance(values, str) else values
    return [int(v) for v in values[:200] if isinstance(v, str) and v.isdigit() and len(v) < 10]


def moment(raw: str) -> datetime:
    """A datetime-local field ("2026-12-15T09:00"), China time."""
    try:
        at = datetime.fromisoformat(raw) if 10 < len(raw) < 20 and "T" in raw else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is not None:
        raise DomainError("MEETING_BAD_DATE")
    return at.replace(tzinfo=SHANGHAI)


def _deadline(raw: str) -> datetime:
    """A date field: the end of that day's working hours, China time."""
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise DomainError("MEETING_BAD_DATE")
    return datetime.combine(day, time(17, 30), SHANGHAI)


async def schedule(work: Work, person_id: int, form: dict[str, Any]) -> Meeting:
    """The list page's form: the unit's next meeting; its items' people and the unit's staff
    are told the date and the agenda, as when the scheduler sets it."""
    meeting, events = await meetings.schedule(work.uow, work.deps.router.tree, person_id,
                                              text_of(form, "unit", 40),
                                              moment(text_of(form, "at", 40)), work.now)
    await meeting_notices.tell(work, events)
    return meeting


async def act(work: Work, person_id: int, code: str, action: str,
               form: dict[str, Any]) -> None:
    """One form of the meeting page, through its use case."""
    uow, tree, now = work.uow, work.deps.router.tree, work.now
    item = text_of(form, "item", 40)
    done: list[MeetingEvent] = []
    try:
        if action == "convene":
            done = await meetings.convene(uow, tree, person_id, code, now)
        elif action == "attend":
            done = await meetings.record_attendance(uow, tree, person_id, code,
                                                    _ids(form, "attendees"), now)
        elif action == "minutes":
            done = await meetings.record_minutes(uow, tree, person_id, code,
                                                 text_of(form, "minutes", LONGEST_MINUTES), now)
        elif action == "decide":
            owner = _ids(form, "owner")
            if not owner:
                raise DomainError("MEETING_NO_SUCH_OWNER")
            tasks = tuple(text_of(form, "tasks", 2000).splitlines()[:20])
            done, decided = await meetings.decide(
                uow, tree, person_id, code, item, text_of(form, "decision"), owner[0],
                _deadline(text_of(form, "deadline", 20)), tasks, now)
            await agenda_notices.tell(work, decided)   # told as from chat: the owner, residents
        elif action == "decline":
            done, declined = await meetings.decline(uow, tree, person_id, code, item,
                                                 text_of(form, "reason"), now)
            await agenda_notices.tell(work, declined)
        elif action == "close":
            done = await meetings.close(uow, tree, person_id, code, now)
        else:
            raise DomainError("ACTION_REFUSED")
    except (StaleItem, StaleMeeting):
        raise DomainError("CONSOLE_STALE_FORM") from None
    await meeting_notices.tell(work, done)
