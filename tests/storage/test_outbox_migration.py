"""Migration 0012 reads each row's state from the old columns the way the senders did."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from storage.db import make_engine
from storage.migrate import upgrade
from storage.types import UTCDateTime

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WHEN = UTCDateTime()
_OLD_OUTBOX = sa.table(
    "outbox", sa.column("id", sa.Integer()), sa.column("channel", sa.String()),
    sa.column("address", sa.String()), sa.column("payload", sa.JSON()),
    sa.column("created_at", WHEN), sa.column("due_at", WHEN), sa.column("attempts", sa.Integer()),
    sa.column("sent_at", WHEN), sa.column("last_error", sa.Text()))
_NEW_OUTBOX = sa.table("outbox", *(sa.column(c.name, c.type) for c in _OLD_OUTBOX.c),
                       sa.column("state", sa.String()), sa.column("claim", sa.Integer()))
# address → (due_at, attempts, sent_at, last_error) as the old code left the row, and its state.
ROWS = {
    "sent": (NOW - timedelta(hours=1), 1, NOW - timedelta(hours=1), None, "sent"),
    "given-up": (datetime(9999, 1, 1, tzinfo=UTC), 2, None, "undeliverable: blocked",
                 "given_up"),
    "held": (NOW + timedelta(days=1), 0, None, "window closed: 5 of 5 messages sent", "held"),
    "claimed": (NOW + timedelta(seconds=4), 1, None, None, "claimed"),
    "retrying": (NOW + timedelta(seconds=40), 3, None, "502 Bad Gateway", "retrying"),
    "claim-ran-out": (NOW - timedelta(seconds=2), 1, None, None, "retrying"),
    "scheduled": (NOW + timedelta(hours=1), 0, None, None, "owed"),
    "owed": (NOW - timedelta(seconds=1), 0, None, None, "owed"),
    "released": (NOW, 0, None, "window closed: last message at 2026-12-05 08:00", "owed"),
}
CREATED = NOW - timedelta(days=1)


async def test_every_old_row_gets_the_state_the_senders_read_from_it(db_url: str):
    await upgrade(db_url, "0010")
    engine = make_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(_OLD_OUTBOX.insert(), [
                {"channel": "wechat", "address": address, "payload": {"text": address},
                 "created_at": CREATED, "due_at": due, "attempts": attempts, "sent_at": sent,
                 "last_error": error}
                for address, (due, attempts, sent, error, _) in ROWS.items()])
        with time_machine.travel(NOW, tick=False):
            await upgrade(db_url, "0012")
        async with engine.connect() as connection:
            c = _NEW_OUTBOX.c
            rows = (await connection.execute(
                sa.select(c.address, c.state, c.claim, c.attempts, c.due_at))).all()
    finally:
        await engine.dispose()
    found = {address: state for address, state, *_ in rows}
    assert found == {address: row[-1] for address, row in ROWS.items()}
    assert all(claim == attempts for _, _, claim, attempts, _ in rows)
    due = {address: due_at for address, *_, due_at in rows}
    assert due["given-up"] == CREATED   # no longer due in year 9999
    assert due["held"] == NOW + timedelta(days=1)
