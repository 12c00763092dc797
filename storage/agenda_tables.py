"""The 议事 tables: agenda items (议题), their events, supports, comments, ratings and orders;
opinions sent straight to a level (民意直报).

Kept beside `storage/tables.py`, which imports this module so that its `metadata` holds them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from storage.tables import TableRow, _json, _when
from storage.types import BigId

# The ladder's sweep (议题上移): unsettled items by the time they reached their level.
UNSETTLED = "state IN ('proposed', 'open', 'on_agenda')"


class AgendaItemRow(TableRow, table=True):
    """An agenda item as it stands now; its history is `agenda_event`."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        sa.Index("ix_agenda_item_unsettled_level_since", "level_since",
                 postgresql_where=sa.text(UNSETTLED), sqlite_where=sa.text(UNSETTLED)),
        sa.Index("ix_agenda_item_scope_code_state", "scope_code", "state"),
    )

    code: str = Field(primary_key=True)
    title: str = Field(sa_type=sa.Text)
    body: str = Field(sa_type=sa.Text)
    origin: str
    proposer_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    grid_code: str = Field(index=True)
    scope_code: str
    level: str
    created_at: datetime = _when(index=True)
    level_since: datetime = _when()
    state: str
    meeting_at: datetime | None = _when(nullable=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    deadline: datetime | None = _when(nullable=True)
    tasks: list[str] = _json(list)
    tasks_done: list[int] = _json(list)
    progress: int = 0
    decision: str | None = Field(default=None, sa_type=sa.Text)
    moves: int = 0
    closed_at: datetime | None = _when(nullable=True)
    version: int = 1


class AgendaEventRow(TableRow, table=True):
    """One immutable line of an item's history: inserted, never updated or deleted."""

    __tablename__ = "agenda_event"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    item_code: str = Field(foreign_key="agenda_item.code", index=True)
    kind: str
    at: datetime = _when(index=True)
    actor_id: int | None = None
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = Field(default=None, sa_type=sa.Text)
    data: dict[str, Any] = _json(dict)


class AgendaSupportRow(TableRow, table=True):
    """A resident's +1: the key keeps it to one per person."""

    __tablename__ = "agenda_support"

    item_code: str = Field(foreign_key="agenda_item.code", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    at: datetime = _when()


class AgendaCommentRow(TableRow, table=True):
    """A resident's word in 商议."""

    __tablename__ = "agenda_comment"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    item_code: str = Field(foreign_key="agenda_item.code", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    at: datetime = _when()
    text: str = Field(sa_type=sa.Text)


class AgendaRatingRow(TableRow, table=True):
    """评议: a resident's rating of the result, one per person."""

    __tablename__ = "agenda_rating"

    item_code: str = Field(foreign_key="agenda_item.code", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    satisfaction: str
    at: datetime = _when()


class AgendaOrderRow(TableRow, table=True):
    """An order lifted into an item: the order points to its item through this row."""

    __tablename__ = "agenda_order"

    order_code: str = Field(foreign_key="work_order.code", primary_key=True)
    item_code: str = Field(foreign_key="agenda_item.code", index=True)


class AgendaSequenceRow(TableRow, table=True):
    """The daily counter behind YT-YYYYMMDD-NNNN."""

    __tablename__ = "agenda_sequence"

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


class OpinionRow(TableRow, table=True):
    """民意直报: an opinion sent to a chosen level; `text` for its staff, `public` scrubbed."""

    __tablename__ = "opinion"
    __table_args__ = (sa.Index("ix_opinion_target_code_at", "target_code", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    grid_code: str = Field(index=True)
    target_code: str
    level: str
    text: str = Field(sa_type=sa.Text)
    public: str = Field(sa_type=sa.Text)
    topic: str
    at: datetime = _when(index=True)
