"""民意直报: opinions sent straight to a chosen level (community, street, county); the roster's
党员 and 网格党小组 marks on a person.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "opinion",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("grid_code", sa.String(), nullable=False),
        sa.Column("target_code", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("public", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_opinion_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_opinion"),
    )
    op.create_index("ix_opinion_person_id", "opinion", ["person_id"])
    op.create_index("ix_opinion_grid_code", "opinion", ["grid_code"])
    op.create_index("ix_opinion_at", "opinion", ["at"])
    op.create_index("ix_opinion_target_code_at", "opinion", ["target_code", "at"])
    with op.batch_alter_table("person") as person:
        person.add_column(sa.Column("party_member", sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
        person.add_column(sa.Column("party_group", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as person:
        person.drop_column("party_group")
        person.drop_column("party_member")
    op.drop_table("opinion")
