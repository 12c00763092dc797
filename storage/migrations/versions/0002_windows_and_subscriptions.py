"""WeChat's customer-service window on accounts; digest subscriptions; echo-wall publication.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("channel_account") as table:
        table.add_column(sa.Column("last_seen_at", WHEN, nullable=True))
        table.add_column(sa.Column("window_sent", sa.Integer(), server_default="0",
                                   nullable=False))
    with op.batch_alter_table("person") as table:
        table.add_column(sa.Column("subscribed", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
    with op.batch_alter_table("work_order") as table:
        table.add_column(sa.Column("published_at", WHEN, nullable=True))
        table.create_index("ix_work_order_state_published_at", ["state", "published_at"])


def downgrade() -> None:
    with op.batch_alter_table("work_order") as table:
        table.drop_index("ix_work_order_state_published_at")
        table.drop_column("published_at")
    with op.batch_alter_table("person") as table:
        table.drop_column("subscribed")
    with op.batch_alter_table("channel_account") as table:
        table.drop_column("window_sent")
        table.drop_column("last_seen_at")
