"""A stored record's id: `int | None` on the record, an `int` wherever a handler uses one.

People and orders carry `id: int | None` because a new one has no id until it is written. Every
record a handler holds came back from a repository (read, or upserted), so its id is there;
`stored_id` says so to the type checker, and fails loudly should that ever be untrue.
"""
from __future__ import annotations

from typing import Protocol


class Record(Protocol):
    @property
    def id(self) -> int | None: ...


class NotStored(RuntimeError):
    """A record without an id where only a stored one can be: a bug, not a refusal."""


def stored_id(record: Record) -> int:
    if record.id is None:
        # The type's name only: the record itself may hold personal data (a phone, a name).
        raise NotStored(f"{type(record).__name__} has no id: it was never stored")
    return record.id
