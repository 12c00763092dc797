"""SQLAlchemy's aiosqlite adapter, running SQLite on the event loop's thread unless it must wait.

A SQLite statement here takes microseconds; handing it to aiosqlite's thread and back costs
~0.1-0.3 ms (a queue, a thread wake-up, a wake-up of the loop), and as long again as whatever
else the loop runs before it resumes the transaction. So this adapter runs statements and
ROLLBACK directly on the sqlite3 connection. Two things may wait, and keep aiosqlite's thread:
- COMMIT may checkpoint the WAL (write pages back, fsync): one trip per transaction, which a
  group commit (handlers.chat) shares among its messages;
- BEGIN: every transaction begins IMMEDIATE (storage.db), taking the write lock up front, and
  another process may hold it. BEGIN is first tried without waiting (busy_timeout 0); only if
  the lock is taken does it go to aiosqlite's thread to wait there (busy_timeout).
Once begun, a transaction holds the lock and nothing in it waits for anyone.

What this gives up: a long statement (a digest over a big SQLite file) holds the loop for as
long as it runs. SQLite is the single-process, small-deployment database here; PostgreSQL is
for large ones. It leans on aiosqlite's `Connection._execute` (run a function on the
connection's thread) and `_conn` (the sqlite3 connection), both there since aiosqlite 0.1.
"""
from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

BUSY_TIMEOUT_MS = 5000   # how long a BEGIN waits for another process's write lock


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose `execute` runs, fetches and closes in one trip; rows are then local."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")
    arraysize = 1

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):
        # No cursor is opened here (the stock adapter spends a trip on it).
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._soft_closed_memoized = EMPTY_DICT
        self._rows: collections.deque[Any] = collections.deque()
        self._description: Any = None
        self._rowcount, self._lastrowid = -1, None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    async def _async_soft_close(self) -> None:
        """Nothing to do: the sqlite3 cursor was closed on its thread."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._trip(False, operation, () if parameters is None else parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._trip(True, operation, seq_of_parameters)

    def _trip(self, many: bool, operation: Any, parameters: Any) -> None:
        try:
            if not _begins(operation):
                await_(_at_once(self._run, many, operation, parameters))
            elif not await_(_tried(self._begin_at_once, operation)):
                await_(self._connection._execute(self._run, many, operation, parameters))
        except Exception as error:  # noqa: BLE001 — re-raised as the DBAPI error, as stock
            self._adapt_connection._handle_exception(error)

    def _begin_at_once(self, operation: str) -> bool:
        """BEGIN without waiting; False when another process holds the write lock."""
        connection: sqlite3.Connection = self._connection._conn
        connection.execute("PRAGMA busy_timeout=0")
        try:
            self._run(False, operation, ())
            return True
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            return False
        finally:
            connection.execute(f"PRAGMA busy_timeout={self._adapt_connection.busy_timeout_ms}")

    def _run(self, many: bool, operation: Any, parameters: Any) -> None:
        """The whole statement, start to end (on whichever thread calls it)."""
        cursor: sqlite3.Cursor = self._connection._conn.cursor()
        try:
            (cursor.executemany if many else cursor.execute)(operation, parameters)
            rows = cursor.fetchall() if cursor.description else []
            self._description, self._rowcount = cursor.description, cursor.rowcount
            self._lastrowid, self._rows = cursor.lastrowid, collections.deque(rows)
        finally:
            cursor.close()


async def _tried(attempt: Any, *args: Any) -> bool:
    return attempt(*args)


async def _at_once(run: Any, *args: Any) -> None:
    """Run on the loop's thread, as an await: SQLAlchemy's async API checks that one happened,
    and a coroutine that never suspends costs a greenlet switch, not a trip through the loop."""
    run(*args)


def _begins(operation: str) -> bool:
    return operation.lstrip()[:5].upper() == "BEGIN"


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneTripCursor
    busy_timeout_ms = BUSY_TIMEOUT_MS

    # COMMIT keeps the stock trip to aiosqlite's thread: it may checkpoint the WAL (write
    # pages back and fsync), which on a busy disk took long enough to stall every chat.

    def rollback(self) -> None:
        self._finish(sqlite3.Connection.rollback)

    def _finish(self, how: Any) -> None:
        connection = self._connection._connection
        if connection is None:
            return
        try:
            await_(_at_once(how, connection))
        except Exception as error:  # noqa: BLE001 — re-raised as the DBAPI error, as stock
            self._handle_exception(error)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as `module=` to `create_async_engine` for a sqlite+aiosqlite URL."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> _OneTripConnection:
        # Statements run on the loop's thread, a waiting BEGIN on aiosqlite's: the pool and the
        # unit of work's turn lock make sure one of them at a time uses the connection.
        kw.setdefault("check_same_thread", False)
        stock = super().connect(*arg, **kw)
        return _OneTripConnection(self, stock._connection)
