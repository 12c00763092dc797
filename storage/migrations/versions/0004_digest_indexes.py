"""Indexes for the digest: orders alive in a period (by when they became final, and per
reporter), and the week's echo-wall posts among the events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED = "kind = 'published'"


def upgrade() -> None:
    # Plain CREATE INDEX on both databases: no table is rebuilt (event keeps its guards).
    op.create_index("ix_work_order_closed_at", "work_order", ["closed_at"])
    op.create_index("ix_work_order_reporter_id_closed_at", "work_order",
                    ["reporter_id", "closed_at"])
    op.create_index("ix_event_published_at", "event", ["at"],
                    postgresql_where=sa.text(PUBLISHED), sqlite_where=sa.text(PUBLISHED))


def downgrade() -> None:
    op.drop_index("ix_event_published_at", "event")
    op.drop_index("ix_work_order_reporter_id_closed_at", "work_order")
    op.drop_index("ix_work_order_closed_at", "work_order")
