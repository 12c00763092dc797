"""One process at a time for a named role on a database, held for the process's life.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own,
kept open until the holder lets go; if the process dies, PostgreSQL ends the session and the
lock goes with it. SQLite: `fcntl.flock` on a file next to the database, which the kernel drops
when the process dies. Neither waits: a second holder is refused at once.

The role's name may carry a secret (a bot token): only a hash of it reaches the database, the
file system or an error message. The key includes the PostgreSQL schema, so separate
deployments (or tests) sharing one database in separate schemas do not refuse each other.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class LockHeld(Exception):
    """Another process already holds the lock."""


def _key(name: str, schema: str | None) -> int:
    """A signed 64-bit advisory-lock key (PostgreSQL's bigint) from the role and schema."""
    digest = hashlib.sha256(f"{schema or ''}\0{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class ProcessLock:
    """`async with ProcessLock(engine, name):` — raises LockHeld if another process has it."""

    def __init__(self, engine: AsyncEngine, name: str):
        self.engine, self.name = engine, name
        self._connection: AsyncConnection | None = None
        self._fd: int | None = None

    async def __aenter__(self) -> Self:
        url = self.engine.url
        if url.get_backend_name() == "postgresql":
            await self._take_advisory()
        elif url.database and url.database != ":memory:":
            self._take_file(Path(url.database), _key(self.name, None))
        # An in-memory SQLite database cannot be shared between processes: nothing to lock.
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.release()

    async def release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # Closing the session would free it too; unlocking first returns a clean
            # connection to the pool.
            await connection.execute(text("SELECT pg_advisory_unlock_all()"))
            await connection.close()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)   # closing the descriptor drops the flock

    async def _take_advisory(self) -> None:
        connection = await self.engine.connect()
        try:
            # The engine sets the schema as the search_path (`?schema=` in the URL).
            schema = (await connection.execute(text("SELECT current_schema()"))).scalar_one()
            key = _key(self.name, schema)
            taken = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                              {"key": key})).scalar_one()
            # Nothing else runs on this connection; end the implicit transaction so it does not
            # sit "idle in transaction" for the process's life (the lock is session-level).
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if not taken:
            await connection.close()
            raise LockHeld(f"lock {key & 0xFFFFFFFF:08x} is held by another session")
        self._connection = connection

    def _take_file(self, database: Path, key: int) -> None:
        import fcntl  # Linux and macOS; the embedded default runs there
        path = database.with_name(f"{database.name}.{key & 0xFFFFFFFF:08x}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(f"{path} is locked by another process") from None
        self._fd = fd
