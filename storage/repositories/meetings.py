"""Joint meetings (联席会议): the meeting as it stands, its record, its agenda and who came.

`record` writes what a use case did in one go: the meeting (added, or saved against its
version), its new events, its agenda rows, and an attendee row for each `attended` event, so
the record and the tables that answer questions fast never disagree.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.agenda import AgendaState
from domain.grids import Level
from domain.meetings import Meeting, MeetingEvent, MeetingState, Outcome, meeting_code
from domain.points import ATTENDED
from storage.agenda_tables import AgendaItemRow
from storage.meeting_tables import (
    SCHEDULED,
    MeetingAttendeeRow,
    MeetingEventRow,
    MeetingItemRow,
    MeetingRow,
    MeetingSequenceRow,
)
from storage.repositories._sql import daily_counter, insert

_MEETING, _EVENT = MeetingRow.__table__, MeetingEventRow.__table__
_ITEM, _ATTENDEE = MeetingItemRow.__table__, MeetingAttendeeRow.__table__
_AGENDA_ITEM = AgendaItemRow.__table__
_STORED = ("code", "unit_code", "at", "created_at", "scheduled_by", "minutes", "held_at",
           "closed_at")
_NEXT_NUMBER = daily_counter(MeetingSequenceRow.__table__)


class StaleMeeting(Exception):
    """Someone else saved this meeting since it was loaded; load it again and retry."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(f"meeting {code} was changed by someone else: load it again")


@dataclass(frozen=True)
class Waiting:
    """A unit with items on its agenda and no meeting scheduled, and when the first of those
    items reached it."""

    unit_code: str
    level: Level
    first_since: datetime


def meeting_event_values(event: MeetingEvent) -> dict[str, Any]:
    return {"meeting_code": event.meeting_code, "kind": event.kind, "at": event.at,
            "actor_id": event.actor_id,
            "from_state": event.from_state.value if event.from_state else None,
            "to_state": event.to_state.value if event.to_state else None,
            "reason": event.reason, "data": dict(event.data)}


def to_meeting_event(row: Any) -> MeetingEvent:
    return MeetingEvent(row.meeting_code, row.kind, row.at, row.actor_id,
                        MeetingState(row.from_state) if row.from_state else None,
                        MeetingState(row.to_state) if row.to_state else None,
                        row.reason, dict(row.data or {}))


class MeetingRepository:
    """Meetings come out as domain `Meeting`s; `record` refuses to overwrite a newer version."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self._versions: dict[str, int] = {}

    async def next_code(self, day: date) -> str:
        """The next number of the day, HY-YYYYMMDD-NNNN, counted atomically."""
        number = (await self.session.execute(_NEXT_NUMBER(self.session),
                                             {"today": f"{day:%Y%m%d}"})).scalar_one()
        return meeting_code(day, number)

    async def record(self, meeting: Meeting, events: Sequence[MeetingEvent]) -> bool:
        """Write the meeting as it stands and its new events. A new meeting for a unit that
        already has one scheduled is not written (False): a unit waits for one meeting at a
        time. A meeting changed by someone else since it was loaded raises `StaleMeeting`."""
        values = {name: getattr(meeting, name) for name in _STORED}
        values.update(level=meeting.level.value, state=meeting.state.value)
        version = self._versions.get(meeting.code)
        if version is None:
            statement = insert(self.session, _MEETING).values(**values, version=1)
            statement = statement.on_conflict_do_nothing(
                index_elements=["unit_code"], index_where=text(SCHEDULED))
            result = await self.session.execute(statement.returning(_MEETING.c.code))
            if result.first() is None:
                return False
            self._versions[meeting.code] = 1
        else:
            result = await self.session.execute(
                update(_MEETING).where(_MEETING.c.code == meeting.code,
                                       _MEETING.c.version == version)
                .values(**values, version=version + 1).returning(_MEETING.c.version))
            if result.first() is None:
                raise StaleMeeting(meeting.code)
            self._versions[meeting.code] = version + 1
        await self.session.execute(delete(_ITEM).where(_ITEM.c.meeting_code == meeting.code))
        if meeting.agenda:
            await self.session.execute(_ITEM.insert(), [
                {"meeting_code": meeting.code, "item_code": code, "position": n,
                 "outcome": meeting.outcomes[code].value if code in meeting.outcomes else None}
                for n, code in enumerate(meeting.agenda)])
        if events:
            await self.session.execute(_EVENT.insert(),
                                       [meeting_event_values(e) for e in events])
        came = [{"meeting_code": e.meeting_code, "person_id": e.actor_id, "at": e.at}
                for e in events if e.kind == ATTENDED and e.actor_id is not None]
        if came:
            await self.session.execute(_ATTENDEE.insert(), came)
        return True

    async def get(self, code: str) -> Meeting | None:
        row = (await self.session.execute(select(_MEETING).where(_MEETING.c.code == code))
               ).first()
        return (await self._loaded([row]))[0] if row else None

    async def scheduled_for(self, unit_code: str) -> Meeting | None:
        """The unit's meeting still to be held, if it has one."""
        query = select(_MEETING).where(_MEETING.c.unit_code == unit_code,
                                       _MEETING.c.state == MeetingState.SCHEDULED.value)
        row = (await self.session.execute(query)).first()
        return (await self._loaded([row]))[0] if row else None

    async def of_units(self, units: Iterable[str], upcoming: bool,
                       limit: int = 50) -> list[Meeting]:
        """The units' meetings still to be held (soonest first), or those held (latest first)."""
        scheduled = _MEETING.c.state == MeetingState.SCHEDULED.value
        query = (select(_MEETING).where(_MEETING.c.unit_code.in_(list(units)),
                                        scheduled if upcoming else ~scheduled)
                 .order_by(_MEETING.c.at if upcoming else _MEETING.c.at.desc(),
                           _MEETING.c.code).limit(limit))
        return await self._loaded((await self.session.execute(query)).all())

    async def holding(self, item_code: str) -> list[Meeting]:
        """The meetings whose agenda has the item, earliest first."""
        query = (select(_MEETING).join(_ITEM, _ITEM.c.meeting_code == _MEETING.c.code)
                 .where(_ITEM.c.item_code == item_code).order_by(_MEETING.c.at))
        return await self._loaded((await self.session.execute(query)).all())

    async def history(self, code: str) -> list[MeetingEvent]:
        """A meeting's record, oldest first."""
        query = (select(_EVENT).where(_EVENT.c.meeting_code == code)
                 .order_by(_EVENT.c.at, _EVENT.c.id))
        return [to_meeting_event(row) for row in (await self.session.execute(query)).all()]

    async def waiting_units(self, levels: Iterable[Level], limit: int = 100) -> list[Waiting]:
        """Units at meeting levels whose items wait on their agenda with no meeting scheduled:
        those the scheduler gives a date."""
        pending = select(_MEETING.c.unit_code).where(
            _MEETING.c.state == MeetingState.SCHEDULED.value)
        query = (select(_AGENDA_ITEM.c.scope_code, _AGENDA_ITEM.c.level,
                        func.min(_AGENDA_ITEM.c.level_since))
                 .where(_AGENDA_ITEM.c.state == AgendaState.ON_AGENDA.value,
                        _AGENDA_ITEM.c.level.in_([level.value for level in levels]),
                        _AGENDA_ITEM.c.scope_code.not_in(pending))
                 .group_by(_AGENDA_ITEM.c.scope_code, _AGENDA_ITEM.c.level)
                 .order_by(func.min(_AGENDA_ITEM.c.level_since), _AGENDA_ITEM.c.scope_code)
                 .limit(limit))
        return [Waiting(unit, Level(level), since)
                for unit, level, since in (await self.session.execute(query)).all()]

    async def attended(self, person_id: int, start: datetime, end: datetime
                       ) -> list[MeetingEvent]:
        """The person's attendances in [start, end), as the events that recorded them: what
        their 参与积分 for meetings are read from."""
        query = (select(_ATTENDEE.c.meeting_code, _ATTENDEE.c.at)
                 .where(_ATTENDEE.c.person_id == person_id, _ATTENDEE.c.at >= start,
                        _ATTENDEE.c.at < end).order_by(_ATTENDEE.c.at))
        return [MeetingEvent(code, ATTENDED, at, person_id)
                for code, at in (await self.session.execute(query)).all()]

    async def forget_words_of(self, person_id: int, marker: str) -> None:
        """Erasure (/delete): the words on events the person made (minutes they wrote) become
        `marker`; the meeting's minutes as kept, scrubbed when written, and its facts stay."""
        await self.session.execute(update(_EVENT).where(
            _EVENT.c.actor_id == person_id, _EVENT.c.reason.is_not(None)).values(reason=marker))

    async def _loaded(self, rows: Sequence[Any]) -> list[Meeting]:
        codes = [row.code for row in rows]
        agendas: dict[str, list[tuple[str, str | None]]] = {code: [] for code in codes}
        attendees: dict[str, set[int]] = {code: set() for code in codes}
        if codes:
            query = (select(_ITEM.c.meeting_code, _ITEM.c.item_code, _ITEM.c.outcome)
                     .where(_ITEM.c.meeting_code.in_(codes))
                     .order_by(_ITEM.c.meeting_code, _ITEM.c.position))
            for meeting, item, outcome in (await self.session.execute(query)).all():
                agendas[meeting].append((item, outcome))
            query = select(_ATTENDEE.c.meeting_code, _ATTENDEE.c.person_id).where(
                _ATTENDEE.c.meeting_code.in_(codes))
            for attended in (await self.session.execute(query)).all():
                attendees[attended.meeting_code].add(int(attended.person_id))
        meetings = []
        for row in rows:
            self._versions[row.code] = row.version
            meetings.append(Meeting(
                **{name: getattr(row, name) for name in _STORED}, level=Level(row.level),
                state=MeetingState(row.state),
                agenda=tuple(item for item, _ in agendas[row.code]),
                outcomes={item: Outcome(o) for item, o in agendas[row.code] if o},
                attendees=attendees[row.code]))
        return meetings

