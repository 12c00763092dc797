"""Dead letters: inbound updates whose handling failed, counted, and parked after three failures.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dead_letter",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("update_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_at", WHEN, nullable=False),
        sa.Column("last_at", WHEN, nullable=False),
        sa.Column("parked_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letter"),
        sa.UniqueConstraint("channel", "update_id", name="uq_dead_letter_channel_update_id"),
    )
    op.create_index("ix_dead_letter_parked_at", "dead_letter", ["parked_at"])


def downgrade() -> None:
    op.drop_index("ix_dead_letter_parked_at", "dead_letter")
    op.drop_table("dead_letter")
