"""议事: agenda items (议题), their events, supports, comments, ratings, lifted orders, numbering.

An agenda event, like an order's, keeps its facts for good: the database refuses to delete one
or to change its facts; erasure may still replace the words a person wrote (its reason, data).

Revision ID: 0010
Revises: 0008 (the lead chains it after 0009)
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UNSETTLED = "state IN ('proposed', 'open', 'on_agenda')"
FACTS = ("id", "item_code", "kind", "at", "actor_id", "from_state", "to_state")


def _person(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["person.id"],
                                   name=f"fk_{table}_{column}_person")


def _item(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["item_code"], ["agenda_item.code"],
                                   name=f"fk_{table}_item_code_agenda_item")


def upgrade() -> None:
    op.create_table(
        "agenda_item",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("grid_code", sa.String(), nullable=False),
        sa.Column("scope_code", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("level_since", WHEN, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("meeting_at", WHEN, nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("deadline", WHEN, nullable=True),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("tasks_done", sa.JSON(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _person("proposer_id", "agenda_item"),
        _person("owner_id", "agenda_item"),
        sa.PrimaryKeyConstraint("code", name="pk_agenda_item"),
    )
    op.create_index("ix_agenda_item_proposer_id", "agenda_item", ["proposer_id"])
    op.create_index("ix_agenda_item_owner_id", "agenda_item", ["owner_id"])
    op.create_index("ix_agenda_item_grid_code", "agenda_item", ["grid_code"])
    op.create_index("ix_agenda_item_created_at", "agenda_item", ["created_at"])
    op.create_index("ix_agenda_item_scope_code_state", "agenda_item", ["scope_code", "state"])
    op.create_index("ix_agenda_item_unsettled_level_since", "agenda_item", ["level_since"],
                    postgresql_where=sa.text(UNSETTLED), sqlite_where=sa.text(UNSETTLED))

    op.create_table(
        "agenda_event",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        _item("agenda_event"),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_event"),
    )
    op.create_index("ix_agenda_event_item_code", "agenda_event", ["item_code"])
    op.create_index("ix_agenda_event_at", "agenda_event", ["at"])

    op.create_table(
        "agenda_support",
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        _item("agenda_support"),
        _person("person_id", "agenda_support"),
        sa.PrimaryKeyConstraint("item_code", "person_id", name="pk_agenda_support"),
    )
    op.create_index("ix_agenda_support_person_id", "agenda_support", ["person_id"])

    op.create_table(
        "agenda_comment",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _item("agenda_comment"),
        _person("person_id", "agenda_comment"),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_comment"),
    )
    op.create_index("ix_agenda_comment_item_code", "agenda_comment", ["item_code"])
    op.create_index("ix_agenda_comment_person_id", "agenda_comment", ["person_id"])

    op.create_table(
        "agenda_rating",
        sa.Column("item_code", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.String(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        _item("agenda_rating"),
        _person("person_id", "agenda_rating"),
        sa.PrimaryKeyConstraint("item_code", "person_id", name="pk_agenda_rating"),
    )
    op.create_index("ix_agenda_rating_person_id", "agenda_rating", ["person_id"])

    op.create_table(
        "agenda_order",
        sa.Column("order_code", sa.String(), nullable=False),
        sa.Column("item_code", sa.String(), nullable=False),
        _item("agenda_order"),
        sa.ForeignKeyConstraint(["order_code"], ["work_order.code"],
                                name="fk_agenda_order_order_code_work_order"),
        sa.PrimaryKeyConstraint("order_code", name="pk_agenda_order"),
    )
    op.create_index("ix_agenda_order_item_code", "agenda_order", ["item_code"])

    op.create_table(
        "agenda_sequence",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_agenda_sequence"),
    )
    _keep_event_facts()


def _keep_event_facts() -> None:
    """The facts of an agenda event never change and no event is deleted; its words may go."""
    if op.get_context().dialect.name == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FACTS)
        op.execute(f"CREATE TRIGGER agenda_event_no_update BEFORE UPDATE ON agenda_event "
                   f"WHEN {changed} BEGIN SELECT RAISE(ABORT, 'events are immutable'); END")
        op.execute("CREATE TRIGGER agenda_event_no_delete BEFORE DELETE ON agenda_event "
                   "BEGIN SELECT RAISE(ABORT, 'events are immutable'); END")
        return
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FACTS)
    op.execute(
        "CREATE FUNCTION agenda_event_is_immutable() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF TG_OP = 'DELETE' OR {changed} THEN "
        "RAISE EXCEPTION 'events are immutable'; END IF; RETURN NEW; END $$")
    op.execute("CREATE TRIGGER agenda_event_no_change BEFORE UPDATE OR DELETE ON agenda_event "
               "FOR EACH ROW EXECUTE FUNCTION agenda_event_is_immutable()")


def downgrade() -> None:
    for table in ("agenda_sequence", "agenda_order", "agenda_rating", "agenda_comment",
                  "agenda_support", "agenda_event", "agenda_item"):
        op.drop_table(table)
    if op.get_context().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS agenda_event_is_immutable()")
