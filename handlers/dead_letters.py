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

from handlers import texts
from handlers.deps import Deps
from handlers.messages import Inbound, Outbound
from storage.records import OutboxMessage

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


async def count(deps: Deps, inbound: Inbound, error: BaseException) -> int:
    """One more failure of this update, counted in the database (its own transaction)."""
    async with deps.uow() as uow:
        attempts = await uow.dead_letters.failed(inbound.sender.channel, str(inbound.update_id),
                                                 inbound.kind.value, signature(error))
        await uow.commit()
    return attempts


async def park(deps: Deps, inbound: Inbound, error: BaseException) -> list[OutboxMessage]:
    """Give up on an update: kept for `gridbot dead-letters`, acknowledged, the sender told.

    The answer goes to the account that wrote, not to a person: the failed turns may have been
    the ones that would have created that person. Returns the outbox rows written.
    """
    sender, letter_id = inbound.sender, None
    async with deps.uow() as uow:
        if inbound.update_id is not None:
            if await uow.inbound.seen(sender.channel, inbound.update_id):
                await uow.dead_letters.forget(sender.channel, inbound.update_id)
                await uow.commit()
                return []                       # handled elsewhere meanwhile
            letter_id = await uow.dead_letters.park(sender.channel, inbound.update_id,
                                                    inbound.as_payload())
        sorry = Outbound(sender.channel, sender.external_id, texts.TURN_FAILED)
        written = [OutboxMessage(sender.channel, sender.external_id, sorry.as_payload())]
        await uow.outbox.add_all(written)
        await uow.commit()
    log_parked(inbound, letter_id, error)
    return written
