"""The outbox's state is a column, and a claim's token is its own.

Until now a row's state was read from (sent_at, attempts, due_at): `attempts` was also the
claim's token, and a row given up on was due in year 9999. Each row's state is worked out here
from those columns by the rules the senders used (docs/delivery.md):
- sent: `sent_at` set;
- given up: due in year 9999 (its `due_at` becomes its `created_at`, nothing being due then);
- held: put off by a closed WeChat window (its error says so) and not due yet;
- claimed: tried, and due within a claim's length (a sender's claim that has not run out);
- retrying: tried otherwise (a claim that ran out is taken over just like a retry);
- owed: the rest.
The token starts at `attempts`, so no claim a sender still holds is mistaken for another.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
NEVER = datetime(9999, 1, 1)            # the old due time of a message given up on
CLAIM = timedelta(seconds=5)            # the claim's length (storage/repositories/outbox.py)
WINDOW_CLOSED = "window closed:%"       # the error a held WeChat message was put off with

_outbox = sa.table(
    "outbox", sa.column("id", sa.BigInteger()), sa.column("created_at", WHEN),
    sa.column("due_at", WHEN), sa.column("attempts", sa.Integer()),
    sa.column("sent_at", WHEN), sa.column("last_error", sa.Text()),
    sa.column("state", sa.String()), sa.column("claim", sa.Integer()))


def _stamp(dialect: str, moment: datetime) -> datetime:
    """A moment as this database compares it: SQLite keeps naive UTC, PostgreSQL an aware one."""
    return moment.replace(tzinfo=None) if dialect == "sqlite" else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("state", sa.String(length=16), nullable=False,
                                    server_default="owed"))
        outbox.add_column(sa.Column("claim", sa.Integer(), nullable=False, server_default="0"))
    bind = op.get_bind()
    dialect = bind.dialect.name
    now = datetime.now(UTC)
    never, now_at, claim_ends = (_stamp(dialect, moment)
                                 for moment in (NEVER.replace(tzinfo=UTC), now, now + CLAIM))
    c = _outbox.c
    unsent, tried = c.sent_at.is_(None), c.attempts > 0
    # Each statement takes only rows still owed, so the first rule that fits decides.
    for state, condition in (
            ("sent", c.sent_at.is_not(None)),
            ("given_up", sa.and_(unsent, c.due_at >= never)),
            ("held", sa.and_(unsent, c.last_error.like(WINDOW_CLOSED), c.due_at > claim_ends)),
            ("claimed", sa.and_(unsent, tried, c.due_at > now_at, c.due_at <= claim_ends)),
            ("retrying", sa.and_(unsent, tried))):
        bind.execute(sa.update(_outbox).where(c.state == "owed", condition).values(state=state))
    bind.execute(sa.update(_outbox).where(c.state == "given_up")
                 .values(due_at=c.created_at))
    bind.execute(sa.update(_outbox).values(claim=c.attempts))
    op.create_index("ix_outbox_state_due_at", "outbox", ["state", "due_at"])


def downgrade() -> None:
    c = _outbox.c
    dialect = op.get_bind().dialect.name
    op.execute(sa.update(_outbox).where(c.state == "given_up")
               .values(due_at=_stamp(dialect, NEVER.replace(tzinfo=UTC))))
    op.drop_index("ix_outbox_state_due_at", table_name="outbox")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("claim")
        outbox.drop_column("state")
