"""`gridbot dead-letters`: updates parked after failing three times (list, show, retry, drop)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from bot.cli_common import fail as _fail
from bot.cli_common import run as _run
from bot.cli_common import with_services as _with_services
from bot.services import Services
from storage.repositories.dead_letters import DeadLetter

letters_app = typer.Typer(help="Updates parked after failing three times (list, show, retry, "
                               "drop).", no_args_is_help=True)


@letters_app.command("list")
def dead_letters_list() -> None:
    """Parked updates, oldest first: id, when, channel, kind, attempts and the failure."""
    async def work(services: Services) -> list[DeadLetter]:
        async with services.uow() as uow:
            return await uow.dead_letters.parked(limit=1000)
    letters = _run(_with_services(work))
    if not letters:
        typer.echo("no dead letters")
    for letter in letters:
        typer.echo(f"{letter.id:>6}  {letter.parked_at:%Y-%m-%d %H:%M} UTC  {letter.channel:<8} "
                   f"{letter.kind:<8} {letter.attempts}×  {letter.error}")


def _letter_or_fail(letter_id: int) -> tuple[DeadLetter, datetime]:
    """The parked letter, and when it was parked."""
    async def work(services: Services) -> DeadLetter | None:
        async with services.uow() as uow:
            return await uow.dead_letters.get(letter_id)
    letter = _run(_with_services(work))
    if letter is None or letter.parked_at is None:
        _fail(f"no dead letter {letter_id}")
    return letter, letter.parked_at


@letters_app.command("show")
def dead_letters_show(letter_id: Annotated[int, typer.Argument(help="the letter's id")]) -> None:
    """One parked update with its payload (personal data: the sender's account and message)."""
    letter, parked_at = _letter_or_fail(letter_id)
    typer.echo(json.dumps({
        "id": letter.id, "channel": letter.channel, "update_id": letter.update_id,
        "kind": letter.kind, "attempts": letter.attempts, "error": letter.error,
        "first_at": letter.first_at.isoformat(), "last_at": letter.last_at.isoformat(),
        "parked_at": parked_at.isoformat(), "payload": letter.payload,
    }, ensure_ascii=False, indent=2))


@letters_app.command("retry")
def dead_letters_retry(letter_id: Annotated[int, typer.Argument(help="the letter's id")]) -> None:
    """Hand a parked update to the chat again; its letter is removed when it goes through."""
    from bot.services import build_chat
    _letter_or_fail(letter_id)

    async def work(services: Services) -> bool | None:
        return await (await build_chat(services)).retry_parked(letter_id)
    if not _run(_with_services(work)):
        _fail(f"dead letter {letter_id} failed again; it stays parked", code=1)
    typer.echo(f"dead letter {letter_id} handled and removed")


@letters_app.command("drop")
def dead_letters_drop(letter_id: Annotated[int, typer.Argument(help="the letter's id")]) -> None:
    """Delete a parked update and its payload without handling it."""
    _letter_or_fail(letter_id)

    async def work(services: Services) -> bool:
        async with services.uow() as uow:
            dropped = await uow.dead_letters.drop(letter_id)
            await uow.commit()
        return dropped
    _run(_with_services(work))
    typer.echo(f"dead letter {letter_id} dropped")
