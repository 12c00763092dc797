"""Migration 0013 reads each row's state from the old columns the way the senders did, and its
downgrade gives the old columns back."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import time_machine
from alembic import command

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade
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


async def _old_rows(db_url: str) -> None:
    """The database at 0012, its outbox as the old code left it (ROWS)."""
    await upgrade(db_url, "0012")
    engine = make_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(_OLD_OUTBOX.insert(), [
                {"channel": "wechat", "address": address, "payload": {"text": address},
                 "created_at": CREATED, "due_at": due, "attempts": attempts, "sent_at": sent,
                 "last_error": error}
                for address, (due, attempts, sent, error, _) in ROWS.items()])
    finally:
        await engine.dispose()


async def _read(db_url: str, table: sa.TableClause) -> dict[str, tuple[Any, ...]]:
    """Each row by its address: the table's columns after the address."""
    engine = make_engine(db_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.select(*table.c).order_by(table.c.id))).all()
    finally:
        await engine.dispose()
    return {row.address: row for row in rows}


async def _downgrade(db_url: str, revision: str) -> None:
    def down(connection: sa.Connection) -> None:
        config = alembic_config(db_url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    engine = make_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(down)
    finally:
        await engine.dispose()


async def test_every_old_row_gets_the_state_the_senders_read_from_it(db_url: str):
    await _old_rows(db_url)
    with time_machine.travel(NOW, tick=False):
        await upgrade(db_url, "0013")
    rows = await _read(db_url, _NEW_OUTBOX)
    assert {address: row.state for address, row in rows.items()} == {
        address: row[-1] for address, row in ROWS.items()}
    assert all(row.claim == row.attempts for row in rows.values())
    assert rows["given-up"].due_at == CREATED   # no longer due in year 9999
    assert rows["held"].due_at == NOW + timedelta(days=1)


async def test_the_downgrade_gives_back_the_rows_the_old_senders_read(db_url: str):
    await _old_rows(db_url)
    before = await _read(db_url, _OLD_OUTBOX)
    with time_machine.travel(NOW, tick=False):
        await upgrade(db_url, "0013")
        await _downgrade(db_url, "0012")
        assert await _read(db_url, _OLD_OUTBOX) == before   # given up: due in year 9999 again
        engine = make_engine(db_url)
        try:
            async with engine.connect() as connection:
                columns = await connection.run_sync(
                    lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("outbox")})
        finally:
            await engine.dispose()
        assert {"state", "claim"}.isdisjoint(columns)
        await upgrade(db_url, "0013")                        # and up again as the first time
    assert {address: row.state for address, row in (await _read(db_url, _NEW_OUTBOX)).items()} \
        == {address: row[-1] for address, row in ROWS.items()}
