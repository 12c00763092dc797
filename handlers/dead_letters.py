"""Updates that keep failing: counted per platform update, parked after three, retried by hand.

A handler that raises (a bug, not a refusal) or a transaction that cannot commit undoes the
whole turn. The chat tries the update again at once, since a conflict with another worker
passes; each failure is counted in the database by (channel, update id), so attempts made by
other processes or on a platform's redelivery count too. At `LIMIT` failures the update is
parked in `dead_letter` with its payload, recorded as seen (a redelivery changes nothing), the
sender is told it did not work, and one log line without personal data says so.
`gridbot dead-letters` lists, shows, retries and drops parked updates.
"""
from __future__ import annotations

import hashlib
import logging
import traceback
from pathlib import Path

from handlers.messages import Inbound

LIMIT = 3
log = logging.getLogger(__name__)
_PROJECT = Path(__file__).resolve().parent.parent


def signature(error: BaseException) -> str:
    """What failed and where, never the message: messages quote SQL parameters and input."""
    kind = type(error).__name__
    cause = getattr(error, "orig", None)   # a database error's driver exception
    if cause is not None:
        kind += f"({type(cause).__name__})"
    where = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.is_relative_to(_PROJECT) and ".venv" not in path.parts:
            where = f" at {path.relative_to(_PROJECT)}:{frame.lineno} in {frame.name}"
            break
    return kind + where


def fingerprint(channel: str, update_id: str | None) -> str:
    """A stable stand-in for an update id in log lines (a web update id carries a session)."""
    return hashlib.sha256(f"{channel}:{update_id}".encode()).hexdigest()[:12]


def log_parked(inbound: Inbound, letter_id: int | None, error: BaseException) -> None:
    log.error("update parked as dead letter %s after %d failures: channel=%s update=%s kind=%s "
              "error=%s", letter_id, LIMIT, inbound.sender.channel,
              fingerprint(inbound.sender.channel, inbound.update_id), inbound.kind.value,
              signature(error))


def log_retry(inbound: Inbound, attempt: int, error: BaseException) -> None:
    log.debug("update failed (attempt %d): channel=%s update=%s kind=%s error=%s", attempt,
              inbound.sender.channel, fingerprint(inbound.sender.channel, inbound.update_id),
              inbound.kind.value, type(error).__name__)
