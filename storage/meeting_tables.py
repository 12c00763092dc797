"""The joint meetings' tables (联席会议): a meeting, its record, its agenda and who came.

Kept beside `storage/tables.py`, which imports this module so that its `metadata` holds them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from storage.tables import TableRow, _json, _when
from storage.types import BigId

# A unit has one meeting still to be held at a time: the one its waiting items go to.
SCHEDULED = "state = 'scheduled'"


class MeetingRow(TableRow, table=True):
    """A meeting as it stands now; its record is `meeting_event`."""

    __tablename__ = "meeting"
    __table_args__ = (
        sa.Index("ix_meeting_unit_code_state", "unit_code", "state"),
        sa.Index("ux_meeting_scheduled_unit_code", "unit_code", unique=True,
                 postgresql_where=sa.text(SCHEDULED), sqlite_where=sa.text(SCHEDULED)),
    )

    code: str = Field(primary_key=True)
    unit_code: str
    level: str
    at: datetime = _when(index=True)
    state: str
    created_at: datetime = _when()
    scheduled_by: int | None = Field(default=None, foreign_key="person.id", index=True)
    minutes: str | None = Field(default=None, sa_type=sa.Text)
    held_at: datetime | None = _when(nullable=True)
    closed_at: datetime | None = _when(nullable=True)
    version: int = 1


class MeetingEventRow(TableRow, table=True):
    """One immutable line of a meeting's record: inserted, never updated or deleted."""

    __tablename__ = "meeting_event"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    meeting_code: str = Field(foreign_key="meeting.code", index=True)
    kind: str
    at: datetime = _when()
    actor_id: int | None = None
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = Field(default=None, sa_type=sa.Text)
    data: dict[str, Any] = _json(dict)


class MeetingItemRow(TableRow, table=True):
    """An agenda item on a meeting's agenda, in its place, with what the meeting did with it."""

    __tablename__ = "meeting_item"

    meeting_code: str = Field(foreign_key="meeting.code", primary_key=True)
    item_code: str = Field(foreign_key="agenda_item.code", primary_key=True, index=True)
    position: int = 0
    outcome: str | None = None


class MeetingAttendeeRow(TableRow, table=True):
    """Someone who came: the key keeps it to once per meeting."""

    __tablename__ = "meeting_attendee"

    meeting_code: str = Field(foreign_key="meeting.code", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    at: datetime = _when()


class MeetingSequenceRow(TableRow, table=True):
    """The daily counter behind HY-YYYYMMDD-NNNN."""

    __tablename__ = "meeting_sequence"

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0
