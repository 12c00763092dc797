"""The console list's walk by time filed reads one index, not a row per order.

A long list (more than the console counts) sorted by time filed is read along the index of
`created_at`, checking each order against the filter as it goes. When the filter passes few of
the newest orders (a red light: orders already late are rarely the newest; closed ones), that
walk used to fetch tens of thousands of rows from the table to check them. This index, keyed
(created_at, code) as the list sorts, carries every column a filter asks but the words: on
PostgreSQL as INCLUDE columns, so the walk is an index-only scan; on SQLite, where a page of
the 100,000-order bench is found quickly either way, it is (created_at, code) alone. It
replaces the index of `created_at`, which every other reader used by its first column.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.tables declares them (the models and the migrations are compared by a test).
FILTERED = ["state", "resolve_due", "grid_code", "unit_code", "assignee_id", "category",
            "urgency", "resolved_at"]


def upgrade() -> None:
    op.create_index("ix_work_order_created_at_code", "work_order", ["created_at", "code"],
                    postgresql_include=FILTERED)
    op.drop_index("ix_work_order_created_at", "work_order")


def downgrade() -> None:
    op.create_index("ix_work_order_created_at", "work_order", ["created_at"])
    op.drop_index("ix_work_order_created_at_code", "work_order")
