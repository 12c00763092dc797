"""The console's list and the ledger over a million orders: the indexes each filter and sort of
the list is served by (storage/order_filter.py), and on PostgreSQL the two functions two of them
are built on.

- `order_grams(description, address)`: the distinct two-character grams of an order's texts, in
  a GIN index, so a text search (`@>` the words' grams, then LIKE) reads only the orders holding
  every gram. pg_trgm cannot serve it: a two-character Chinese word (井盖, 路灯) has no trigram.
- `order_light_score(created_at, resolve_due)`: start + 4 × due in seconds (yellow once it is
  below 5 × now). Orders in hand (open, not yet resolved) are indexed by deadline, code and
  this score: the list of open orders by deadline walks it, and a traffic light reads the
  deadline's range and checks the score inside the index, touching only that light's orders.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_HAND = "state IN ('submitted', 'dispatched', 'accepted')"
GRAMS = """
CREATE FUNCTION order_grams(description text, address text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(words, i, 2)), '{}')
    FROM (SELECT coalesce(description, '') || E'\\n' || coalesce(address, '') AS words) AS w,
         generate_series(1, length(words) - 1) AS i
$$
"""
LIGHT = """
CREATE FUNCTION order_light_score(created_at timestamptz, resolve_due timestamptz)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT extract(epoch FROM created_at - TIMESTAMPTZ '1970-01-01 00:00:00+00')::float8
           + 4 * extract(epoch FROM resolve_due - TIMESTAMPTZ '1970-01-01 00:00:00+00')::float8
$$
"""
SQLITE_LIGHT = "julianday(created_at) + 4 * julianday(resolve_due)"


def upgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    op.create_index("ix_work_order_resolve_due_code", "work_order", ["resolve_due", "code"])
    op.create_index("ix_work_order_state_code", "work_order", ["state", "code"])
    op.create_index("ix_work_order_urgency_code", "work_order", ["urgency", "code"])
    if postgres:
        op.execute(GRAMS)
        op.execute(LIGHT)
        op.execute("CREATE INDEX ix_work_order_grams ON work_order"
                   " USING gin (order_grams(description, address))")
    light = "order_light_score(created_at, resolve_due)" if postgres else SQLITE_LIGHT
    op.execute(f"CREATE INDEX ix_work_order_open_due ON work_order (resolve_due, code, {light})"
               f" WHERE {IN_HAND}")


def downgrade() -> None:
    op.drop_index("ix_work_order_open_due", "work_order")
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_work_order_grams", "work_order")
        op.execute("DROP FUNCTION order_light_score(timestamptz, timestamptz)")
        op.execute("DROP FUNCTION order_grams(text, text)")
    op.drop_index("ix_work_order_urgency_code", "work_order")
    op.drop_index("ix_work_order_state_code", "work_order")
    op.drop_index("ix_work_order_resolve_due_code", "work_order")
