"""The scheduler's clocks on work orders: next moment, sweep, plan, and the version planned for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
UNPLANNED = "version <> clock_version"


def upgrade() -> None:
    with op.batch_alter_table("work_order") as table:
        table.add_column(sa.Column("clock_at", WHEN, nullable=True))
        table.add_column(sa.Column("clock_kind", sa.String(), nullable=True))
        table.add_column(sa.Column("clock_plan", sa.JSON(), nullable=True))
        table.add_column(sa.Column("clock_version", sa.Integer(), server_default="0",
                                   nullable=False))
        table.create_index("ix_work_order_clock_kind_clock_at", ["clock_kind", "clock_at"])
        table.create_index("ix_work_order_unplanned", ["code"],
                           postgresql_where=sa.text(UNPLANNED), sqlite_where=sa.text(UNPLANNED))
    # Final orders have no clock to plan: only open ones wait for the first sweep.
    op.execute("UPDATE work_order SET clock_version = version"
               " WHERE state IN ('closed', 'invalid', 'merged')")


def downgrade() -> None:
    with op.batch_alter_table("work_order") as table:
        table.drop_index("ix_work_order_unplanned")
        table.drop_index("ix_work_order_clock_kind_clock_at")
        table.drop_column("clock_version")
        table.drop_column("clock_plan")
        table.drop_column("clock_kind")
        table.drop_column("clock_at")
