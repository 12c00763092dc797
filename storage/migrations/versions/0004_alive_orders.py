"""Indexes for the digest's orders alive in a period: by when they became final, and per reporter.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_order") as table:
        table.create_index("ix_work_order_closed_at", ["closed_at"])
        table.create_index("ix_work_order_reporter_id_closed_at", ["reporter_id", "closed_at"])


def downgrade() -> None:
    with op.batch_alter_table("work_order") as table:
        table.drop_index("ix_work_order_reporter_id_closed_at")
        table.drop_index("ix_work_order_closed_at")
