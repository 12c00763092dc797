"""The tables, named in the domain's words. Rows here; domain objects come out of repositories."""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Field, Relationship, SQLModel, col

from storage.types import BigId, UTCDateTime

# Named constraints let SQLite's batch migrations find and alter them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_T = TypeVar("_T")


class TableRow(SQLModel):
    """A table's row class. SQLModel sets `__table__` on each but does not declare it."""

    __table__: ClassVar[sa.Table]


def non_null(column: _T | None) -> Mapped[_T]:
    """A column in a query that reads no NULL from it: an autoincrement id (its field is None
    only on a row not yet inserted), or a column the query's WHERE keeps to given values."""
    return cast("Mapped[_T]", col(column))


def _when(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _json(default_factory: Any) -> Any:
    return Field(default_factory=default_factory, sa_type=sa.JSON, nullable=False)


# Indexes on expressions that differ by dialect (the console list's traffic light and, on
# PostgreSQL, its text search): migration 0014 makes them, the models do not declare them, so
# comparing the models with a migrated database leaves them out (`compared`).
EXPRESSION_INDEXES = frozenset({"ix_work_order_open_due", "ix_work_order_grams"})


def compared(item: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
    """Alembic's include_object: every object but the expression indexes above."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


class GridRow(TableRow, table=True):
    """A node of the grid tree; geometry is WKB (WGS-84, lng/lat) with its bounding box."""

    __tablename__ = "grid"

    code: str = Field(primary_key=True)
    name: str
    level: str = Field(index=True)
    parent: str | None = Field(default=None, foreign_key="grid.code", index=True)
    aliases: list[str] = _json(list)
    geometry: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    min_lat: float | None = None
    min_lng: float | None = None
    max_lat: float | None = None
    max_lng: float | None = None


class PersonRow(TableRow, table=True):
    """A person: staff from the people file, or a resident who wrote to the bot."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    staff_code: str | None = Field(default=None, unique=True)
    name: str
    phone: str | None = None          # private contact
    duty: str | None = None           # public, shown on the 网格长公示
    nickname: str | None = None       # opt-in name for leaderboards
    kind: str | None = None           # resident, rider (流动网格员) or staff
    home_grid: str | None = None      # a resident's own grid, for "my grid" queries
    rides_for: str | None = None      # a rider's platform (美团, 饿了么 …)
    created_at: datetime = _when()
    consent_at: datetime | None = _when(nullable=True)
    subscribed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    party_member: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    party_group: str | None = None    # the grid whose 网格党小组 they sit in (the roster's)


class ChannelAccountRow(TableRow, table=True):
    """One platform account of a person; platform identity lives only here."""

    __tablename__ = "channel_account"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    external_id: str
    person_id: int = Field(foreign_key="person.id", index=True)
    # WeChat's customer-service window: 48 h after the person's last message, 5 messages.
    last_seen_at: datetime | None = _when(nullable=True)
    window_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class MembershipRow(TableRow, table=True):
    """A person's role on a grid: leader, member, dispatcher or department."""

    __tablename__ = "membership"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    grid_code: str = Field(foreign_key="grid.code", primary_key=True, index=True)
    role: str = Field(primary_key=True)


# An order saved since the scheduler last planned its clocks; a partial index finds them.
UNPLANNED = "version <> clock_version"
# Echo-wall posts: the digest's highlights of a week are read by time among these only.
PUBLISHED = "kind = 'published'"


class WorkOrderRow(TableRow, table=True):
    """`domain.orders.WorkOrder` plus a version for optimistic concurrency."""

    __tablename__ = "work_order"
    __table_args__ = (
        sa.Index("ix_work_order_state_sign_due", "state", "sign_due"),
        sa.Index("ix_work_order_state_resolve_due", "state", "resolve_due"),
        sa.Index("ix_work_order_state_resolved_at", "state", "resolved_at"),
        sa.Index("ix_work_order_state_published_at", "state", "published_at"),
        # The scheduler's sweeps (scheduler/): due clocks by sweep and time; orders to plan.
        sa.Index("ix_work_order_clock_kind_clock_at", "clock_kind", "clock_at"),
        sa.Index("ix_work_order_unplanned", "code", postgresql_where=sa.text(UNPLANNED),
                 sqlite_where=sa.text(UNPLANNED)),
        # The digest's orders alive in a period (open, or final since it began), and a
        # reporter's among them (storage/repositories/figures.py).
        sa.Index("ix_work_order_closed_at", "closed_at"),
        # Me-too candidates: a category's orders within a latitude band around the pin
        # (OrderRepository.open_near), not every order of the day.
        sa.Index("ix_work_order_category_lat", "category", "lat"),
        sa.Index("ix_work_order_reporter_id_closed_at", "reporter_id", "closed_at"),
        # The staff console's list: a subtree's orders, reported or held, by time filed.
        sa.Index("ix_work_order_grid_code_created_at", "grid_code", "created_at"),
        sa.Index("ix_work_order_unit_code_created_at", "unit_code", "created_at"),
        # Its sorts, each in the order a page walks (the code breaks ties); the traffic light
        # and, on PostgreSQL, the text search are expression indexes of migration 0014 that
        # the models do not declare (their expressions differ by dialect).
        sa.Index("ix_work_order_resolve_due_code", "resolve_due", "code"),
        sa.Index("ix_work_order_state_code", "state", "code"),
        sa.Index("ix_work_order_urgency_code", "urgency", "code"),
        # ... and by time filed, carrying on PostgreSQL every column a filter but the words
        # asks: a long list's walk reads this index alone (migration 0015).
        sa.Index("ix_work_order_created_at_code", "created_at", "code",
                 postgresql_include=["state", "resolve_due", "grid_code", "unit_code",
                                     "assignee_id", "category", "urgency", "resolved_at"]),
    )

    code: str = Field(primary_key=True)
    category: str
    urgency: str
    reporter_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    description: str = Field(sa_type=sa.Text)
    created_at: datetime = _when()
    state: str
    grid_code: str | None = Field(default=None, index=True)
    unit_code: str | None = Field(default=None, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    lat: float | None = None
    lng: float | None = None
    address: str | None = None
    sign_due: datetime | None = _when(nullable=True)
    resolve_due: datetime | None = _when(nullable=True)
    signed_at: datetime | None = _when(nullable=True)
    resolved_at: datetime | None = _when(nullable=True)
    closed_at: datetime | None = _when(nullable=True)
    returns: int = 0
    reopens: int = 0
    escalations: int = 0
    extensions: int = 0
    merged_into: str | None = None
    solved: bool | None = None
    satisfaction: str | None = None
    result_note: str | None = Field(default=None, sa_type=sa.Text)
    published_at: datetime | None = _when(nullable=True)   # on the echo wall (回音壁)
    version: int = 1
    # The scheduler's clock: the next stage's moment and sweep, the stages still to come, and
    # the version they were planned for; any save makes the plan stale (see UNPLANNED).
    clock_at: datetime | None = _when(nullable=True)
    clock_kind: str | None = None
    clock_plan: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    clock_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class OrderFollowerRow(TableRow, table=True):
    """A me-too reporter who follows an order."""

    __tablename__ = "order_follower"

    order_code: str = Field(foreign_key="work_order.code", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    since: datetime = _when()


class EventRow(TableRow, table=True):
    """One immutable line of an order's history: inserted, never updated or deleted."""

    __tablename__ = "event"
    __table_args__ = (
        sa.Index("ix_event_published_at", "at", postgresql_where=sa.text(PUBLISHED),
                 sqlite_where=sa.text(PUBLISHED)),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    order_code: str = Field(foreign_key="work_order.code", index=True)
    kind: str
    at: datetime = _when(index=True)
    actor_id: int | None = None
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = Field(default=None, sa_type=sa.Text)
    data: dict[str, Any] = _json(dict)
    # Never read: it tells the ORM to insert an added order before its events.
    order: WorkOrderRow = Relationship(sa_relationship_kwargs={"lazy": "raise"})


class OrderSequenceRow(TableRow, table=True):
    """The daily counter behind WG-YYYYMMDD-NNNN."""

    __tablename__ = "order_sequence"

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


class OutboxRow(TableRow, table=True):
    """A message owed to someone; the sender drains these under each platform's limits."""

    __tablename__ = "outbox"
    # The claim reads the rows not yet settled, by state then due time; the other queries
    # (retention, a chat's last due message) read the unsent rows.
    __table_args__ = (sa.Index("ix_outbox_sent_at_due_at", "sent_at", "due_at"),
                      sa.Index("ix_outbox_state_due_at", "state", "due_at"))

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    channel: str
    address: str
    payload: dict[str, Any] = _json(dict)
    created_at: datetime = _when()
    due_at: datetime = _when()
    attempts: int = 0
    sent_at: datetime | None = _when(nullable=True)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    dedupe_key: str | None = Field(default=None, unique=True)
    state: str = Field(default="owed", sa_type=sa.String(16),
                       sa_column_kwargs={"server_default": "owed"})
    claim: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class InboundRow(TableRow, table=True):
    """An inbound update already handled; platforms redeliver."""

    __tablename__ = "inbound"

    channel: str = Field(primary_key=True)
    external_id: str = Field(primary_key=True)
    received_at: datetime = _when(index=True)


class DialogRow(TableRow, table=True):
    """Where a conversation stands, so a restart or a second worker can continue it."""

    __tablename__ = "dialog"

    channel: str = Field(primary_key=True)
    external_id: str = Field(primary_key=True)
    state: dict[str, Any] = _json(dict)
    updated_at: datetime = _when()


class InviteRow(TableRow, table=True):
    """A one-time invite; only the keyed hash (HMAC-SHA256) of its code is kept."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, max_length=64)
    grid_code: str = Field(foreign_key="grid.code")
    role: str
    created_at: datetime = _when()
    expires_at: datetime = _when()
    used_at: datetime | None = _when(nullable=True)
    used_by: int | None = Field(default=None, foreign_key="person.id")


class DeadLetterRow(TableRow, table=True):
    """An inbound update whose handling failed: attempts counted per update, parked at three.

    `payload` is the update as the chat received it (the sender's account and display name,
    what they wrote): personal data, needed to retry it. It is written only when the update is
    parked, and deleted with the row on a successful retry or a drop. `error` names the failure
    (exception type and where it was raised), never its message, which may quote personal data.
    """

    __tablename__ = "dead_letter"
    __table_args__ = (sa.UniqueConstraint("channel", "update_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    channel: str
    update_id: str
    kind: str
    payload: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    error: str = Field(sa_type=sa.Text)
    attempts: int = 0
    first_at: datetime = _when()
    last_at: datetime = _when()
    parked_at: datetime | None = _when(nullable=True, index=True)


class ApiKeyRow(TableRow, table=True):
    """A partner system's Open311 key; only the SHA-256 of the key is kept.

    `person_id` is the partner as a reporter (kind "external_system"): the orders it files are
    that person's, so a new key under the same name keeps seeing them.
    """

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    key_hash: str = Field(unique=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _when()
    revoked_at: datetime | None = _when(nullable=True)


class PartnerRequestRow(TableRow, table=True):
    """An order filed through Open311: which key filed it, and the token it was answered with."""

    __tablename__ = "partner_request"

    order_code: str = Field(foreign_key="work_order.code", primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id", index=True)
    token: str = Field(unique=True, max_length=64)
    created_at: datetime = _when()


class ConsoleLinkRow(TableRow, table=True):
    """A one-time sign-in link to the staff console, and the session it opened.

    Only SHA-256 digests of the link's token and of the session's token are kept. A row lives
    until its session ends (or its link expires unused), then the next link issued prunes it.
    """

    __tablename__ = "console_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _when()
    expires_at: datetime = _when(index=True)
    used_at: datetime | None = _when(nullable=True)
    session_hash: str | None = Field(default=None, unique=True, max_length=64)
    session_until: datetime | None = _when(nullable=True)
    signed_out_at: datetime | None = _when(nullable=True)


metadata = SQLModel.metadata

# The 议事 and meetings' tables live in modules of their own; importing them here puts them in
# `metadata`.
from storage import agenda_tables, meeting_tables  # noqa: F401
