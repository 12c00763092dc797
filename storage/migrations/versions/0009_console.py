"""The staff console: one-time sign-in links and the sessions they open (hashes only), and
the indexes its list pages through: a grid's (or a unit's) orders by the time they were filed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("session_hash", sa.String(length=64), nullable=True),
        sa.Column("session_until", WHEN, nullable=True),
        sa.Column("signed_out_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name="fk_console_link_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_console_link"),
        sa.UniqueConstraint("token_hash", name="uq_console_link_token_hash"),
        sa.UniqueConstraint("session_hash", name="uq_console_link_session_hash"),
    )
    op.create_index("ix_console_link_person_id", "console_link", ["person_id"])
    op.create_index("ix_console_link_expires_at", "console_link", ["expires_at"])
    op.create_index("ix_work_order_grid_code_created_at", "work_order", ["grid_code", "created_at"])
    op.create_index("ix_work_order_unit_code_created_at", "work_order", ["unit_code", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_work_order_unit_code_created_at", "work_order")
    op.drop_index("ix_work_order_grid_code_created_at", "work_order")
    op.drop_index("ix_console_link_expires_at", "console_link")
    op.drop_index("ix_console_link_person_id", "console_link")
    op.drop_table("console_link")
