"""Erasure reaches history: an event's facts stay immutable, its words and files may be erased.

The event table refused every UPDATE. Erasure (/delete, the retention sweep) must replace the
words a person wrote on an event (its `reason`) with a fixed marker and unlink their photos
and voice notes (its `data`); the facts (order, kind, time, actor, states) stay as written and
a row is still never deleted.

Revision ID: 0008
Revises: 0006 (the lead chains it after 0007)
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACTS = ("id", "order_code", "kind", "at", "actor_id", "from_state", "to_state")


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FACTS)
        op.execute("DROP TRIGGER IF EXISTS event_no_update")
        op.execute(f"CREATE TRIGGER event_no_update BEFORE UPDATE ON event WHEN {changed} "
                   "BEGIN SELECT RAISE(ABORT, 'events are immutable'); END")
        return
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FACTS)
    op.execute(
        "CREATE OR REPLACE FUNCTION event_is_immutable() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF TG_OP = 'DELETE' OR {changed} THEN "
        "RAISE EXCEPTION 'events are immutable'; END IF; RETURN NEW; END $$")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS event_no_update")
        op.execute("CREATE TRIGGER event_no_update BEFORE UPDATE ON event "
                   "BEGIN SELECT RAISE(ABORT, 'events are immutable'); END")
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION event_is_immutable() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'events are immutable'; END $$")
