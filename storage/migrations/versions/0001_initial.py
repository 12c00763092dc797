"""The first schema: grids, people, work orders and their events, outbox, inbound, invites.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "grid",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("parent", sa.String(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=True),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("min_lng", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("max_lng", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["parent"], ["grid.code"], name="fk_grid_parent_grid"),
        sa.PrimaryKeyConstraint("code", name="pk_grid"),
    )
    op.create_index("ix_grid_level", "grid", ["level"])
    op.create_index("ix_grid_parent", "grid", ["parent"])

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_code", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("duty", sa.String(), nullable=True),
        sa.Column("nickname", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("home_grid", sa.String(), nullable=True),
        sa.Column("rides_for", sa.String(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("consent_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_person"),
        sa.UniqueConstraint("staff_code", name="uq_person_staff_code"),
    )

    op.create_table(
        "channel_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name="fk_channel_account_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_channel_account"),
        sa.UniqueConstraint("channel", "external_id",
                            name="uq_channel_account_channel_external_id"),
    )
    op.create_index("ix_channel_account_person_id", "channel_account", ["person_id"])

    op.create_table(
        "membership",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["grid_code"], ["grid.code"], name="fk_membership_grid_code_grid"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name="fk_membership_person_id_person"),
        sa.PrimaryKeyConstraint("person_id", "grid_code", "role", name="pk_membership"),
    )
    op.create_index("ix_membership_grid_code", "membership", ["grid_code"])

    op.create_table(
        "work_order",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("urgency", sa.String(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("grid_code", sa.String(), nullable=True),
        sa.Column("unit_code", sa.String(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("sign_due", WHEN, nullable=True),
        sa.Column("resolve_due", WHEN, nullable=True),
        sa.Column("signed_at", WHEN, nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("reopens", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("merged_into", sa.String(), nullable=True),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.String(), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["person.id"],
                                name="fk_work_order_assignee_id_person"),
        sa.ForeignKeyConstraint(["reporter_id"], ["person.id"],
                                name="fk_work_order_reporter_id_person"),
        sa.PrimaryKeyConstraint("code", name="pk_work_order"),
    )
    for column in ("assignee_id", "created_at", "grid_code", "reporter_id", "unit_code"):
        op.create_index(f"ix_work_order_{column}", "work_order", [column])
    # The scheduler's sweeps: what is due to be signed, resolved, or rated, by state.
    for column in ("sign_due", "resolve_due", "resolved_at"):
        op.create_index(f"ix_work_order_state_{column}", "work_order", ["state", column])

    op.create_table(
        "order_follower",
        sa.Column("order_code", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("since", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["order_code"], ["work_order.code"],
                                name="fk_order_follower_order_code_work_order"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name="fk_order_follower_person_id_person"),
        sa.PrimaryKeyConstraint("order_code", "person_id", name="pk_order_follower"),
    )
    op.create_index("ix_order_follower_person_id", "order_follower", ["person_id"])

    op.create_table(
        "event",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("order_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["order_code"], ["work_order.code"],
                                name="fk_event_order_code_work_order"),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
    )
    op.create_index("ix_event_at", "event", ["at"])
    op.create_index("ix_event_order_code", "event", ["order_code"])
    _forbid_event_changes()

    op.create_table(
        "order_sequence",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_order_sequence"),
    )

    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_outbox_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_sent_at_due_at", "outbox", ["sent_at", "due_at"])

    op.create_table(
        "inbound",
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", name="pk_inbound"),
    )
    op.create_index("ix_inbound_received_at", "inbound", ["received_at"])

    op.create_table(
        "dialog",
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", name="pk_dialog"),
    )

    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("grid_code", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["grid_code"], ["grid.code"], name="fk_invite_grid_code_grid"),
        sa.ForeignKeyConstraint(["used_by"], ["person.id"], name="fk_invite_used_by_person"),
        sa.PrimaryKeyConstraint("id", name="pk_invite"),
        sa.UniqueConstraint("code_hash", name="uq_invite_code_hash"),
    )


def _forbid_event_changes() -> None:
    """Events are history: the database itself refuses to update or delete one."""
    if op.get_context().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER event_no_{verb.lower()} BEFORE {verb} ON event "
                "BEGIN SELECT RAISE(ABORT, 'events are immutable'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION event_is_immutable() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'events are immutable'; END $$"
    )
    op.execute(
        "CREATE TRIGGER event_no_change BEFORE UPDATE OR DELETE ON event "
        "FOR EACH ROW EXECUTE FUNCTION event_is_immutable()"
    )


def downgrade() -> None:
    for table in ("invite", "dialog", "inbound", "outbox", "order_sequence", "event",
                  "order_follower", "work_order", "membership", "channel_account", "person",
                  "grid"):
        op.drop_table(table)
    if op.get_context().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS event_is_immutable()")
