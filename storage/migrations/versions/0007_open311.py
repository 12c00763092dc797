"""Open311: partner systems' API keys (hashed) and the orders each filed, with their tokens.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_api_key_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_api_key"),
        sa.UniqueConstraint("key_hash", name="uq_api_key_key_hash"),
    )
    op.create_index("ix_api_key_name", "api_key", ["name"])
    op.create_index("ix_api_key_person_id", "api_key", ["person_id"])
    op.create_table(
        "partner_request",
        sa.Column("order_code", sa.String(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["order_code"], ["work_order.code"],
                                name="fk_partner_request_order_code_work_order"),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"],
                                name="fk_partner_request_api_key_id_api_key"),
        sa.PrimaryKeyConstraint("order_code", name="pk_partner_request"),
        sa.UniqueConstraint("token", name="uq_partner_request_token"),
    )
    op.create_index("ix_partner_request_api_key_id", "partner_request", ["api_key_id"])


def downgrade() -> None:
    op.drop_index("ix_partner_request_api_key_id", "partner_request")
    op.drop_table("partner_request")
    op.drop_index("ix_api_key_person_id", "api_key")
    op.drop_index("ix_api_key_name", "api_key")
    op.drop_table("api_key")
