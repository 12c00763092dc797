"""Joint meetings (联席会议): a meeting, its record, its agenda, who came, numbering.

A meeting event, like an agenda event, keeps its facts for good: the database refuses to
delete one or to change its facts; erasure may still replace the words a person wrote.
A unit has at most one meeting still to be held (a partial unique index), so two schedulers
never both schedule one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SCHEDULED = "state = 'scheduled'"
FACTS = ("id", "meeting_code", "kind", "at", "actor_id", "from_state", "to_state")


def _meeting(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["meeting_code"], ["meeting.code"],
                                   name=f"fk_{table}_meeting_code_meeting")


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("unit_code", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("scheduled_by", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("held_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scheduled_by"], ["person.id"],
                                name="fk_meeting_scheduled_by_person"),
        sa.PrimaryKeyConstraint("code", name="pk_meeting"),
    )
    op.create_index("ix_meeting_at", "meeting", ["at"])
    op.create_index("ix_meeting_scheduled_by", "meeting", ["scheduled_by"])
    op.create_index("ix_meeting_unit_code_state", "meeting", ["unit_code", "state"])
    op.create_index("ux_meeting_scheduled_unit_code", "meeting", ["unit_code"], unique=True,
                    postgresql_where=sa.text(SCHEDULED), sqlite_where=sa.text(SCHEDULED))

    op.create_table(
        "meeting_event",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("meeting_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        _meeting("meeting_event"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_event"),
    )
    op.create_index("ix_meeting_event_meeting_code", "meeting_event", ["meeting_code"])

    op.create_table(
        "meeting_item",
        sa.Column("meeting_code", sa.String(), nullable=False),
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        _meeting("meeting_item"),
        sa.ForeignKeyConstraint(["item_code"], ["agenda_item.code"],
                                name="fk_meeting_item_item_code_agenda_item"),
        sa.PrimaryKeyConstraint("meeting_code", "item_code", name="pk_meeting_item"),
    )
    op.create_index("ix_meeting_item_item_code", "meeting_item", ["item_code"])

    op.create_table(
        "meeting_attendee",
        sa.Column("meeting_code", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        _meeting("meeting_attendee"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name="fk_meeting_attendee_person_id_person"),
        sa.PrimaryKeyConstraint("meeting_code", "person_id", name="pk_meeting_attendee"),
    )
    op.create_index("ix_meeting_attendee_person_id", "meeting_attendee", ["person_id"])

    op.create_table(
        "meeting_sequence",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_meeting_sequence"),
    )
    _keep_event_facts()


def _keep_event_facts() -> None:
    """The facts of a meeting event never change and no event is deleted; its words may go."""
    if op.get_context().dialect.name == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FACTS)
        op.execute(f"CREATE TRIGGER meeting_event_no_update BEFORE UPDATE ON meeting_event "
                   f"WHEN {changed} BEGIN SELECT RAISE(ABORT, 'events are immutable'); END")
        op.execute("CREATE TRIGGER meeting_event_no_delete BEFORE DELETE ON meeting_event "
                   "BEGIN SELECT RAISE(ABORT, 'events are immutable'); END")
        return
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FACTS)
    op.execute(
        "CREATE FUNCTION meeting_event_is_immutable() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF TG_OP = 'DELETE' OR {changed} THEN "
        "RAISE EXCEPTION 'events are immutable'; END IF; RETURN NEW; END $$")
    op.execute("CREATE TRIGGER meeting_event_no_change BEFORE UPDATE OR DELETE ON meeting_event "
               "FOR EACH ROW EXECUTE FUNCTION meeting_event_is_immutable()")


def downgrade() -> None:
    for table in ("meeting_sequence", "meeting_attendee", "meeting_item", "meeting_event",
                  "meeting"):
        op.drop_table(table)
    if op.get_context().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS meeting_event_is_immutable()")
