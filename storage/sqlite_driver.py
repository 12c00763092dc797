"""SQLAlchemy's aiosqlite adapter, with one trip to the database thread per statement.

The stock adapter awaits aiosqlite four times per statement (open a cursor, execute, fetch all,
close), and each await is a hand-off to aiosqlite's thread and back through the event loop:
about 0.1 ms each here, most of a statement's cost. This cursor does all four in one call
run on that thread. It leans on aiosqlite's `Connection._execute` (run a function on the
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
            await_(self._connection._execute(self._run, many, operation, parameters))
        except Exception as error:  # noqa: BLE001 — re-raised as the DBAPI error, as stock
            self._adapt_connection._handle_exception(error)

    def _run(self, many: bool, operation: Any, parameters: Any) -> None:
        """On aiosqlite's thread: the whole statement, start to end."""
        cursor: sqlite3.Cursor = self._connection._conn.cursor()
        try:
            (cursor.executemany if many else cursor.execute)(operation, parameters)
            rows = cursor.fetchall() if cursor.description else []
            self._description, self._rowcount = cursor.description, cursor.rowcount
            self._lastrowid, self._rows = cursor.lastrowid, collections.deque(rows)
        finally:
            cursor.close()


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneTripCursor


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as `module=` to `create_async_engine` for a sqlite+aiosqlite URL."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> _OneTripConnection:
        stock = super().connect(*arg, **kw)
        return _OneTripConnection(self, stock._connection)
