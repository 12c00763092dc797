"""`gridbot api-key`: partner systems' Open311 keys (create, list, revoke).

A key is 256 random bits, shown once at creation and stored only as its SHA-256.
"""
from __future__ import annotations

import secrets
from typing import Annotated

import typer

from bot.cli_common import fail as _fail
from bot.cli_common import run as _run
from bot.cli_common import with_services as _with_services
from bot.services import Services
from storage.repositories.api_keys import ApiKey

PREFIX = "o311_"
keys_app = typer.Typer(help="Open311 API keys of partner systems (create, list, revoke).",
                       no_args_is_help=True)
Name = Annotated[str, typer.Argument(help="the partner system's name, e.g. hotline-12345")]


@keys_app.command("create")
def api_key_create(name: Name) -> None:
    """A new key for NAME, printed once: give it to the partner, it cannot be shown again."""
    name = name.strip()
    if not name or len(name) > 100:
        _fail("a name of 1 to 100 characters")
    raw = PREFIX + secrets.token_urlsafe(32)

    async def work(services: Services) -> None:
        async with services.uow() as uow:
            await uow.api_keys.create(name, raw)
            await uow.commit()
    _run(_with_services(work))
    typer.echo(f"api key for {name} (shown once, store it now):")
    typer.echo(raw)


@keys_app.command("list")
def api_key_list() -> None:
    """Every key: id, partner, created, revoked (never the key)."""
    async def work(services: Services) -> list[ApiKey]:
        async with services.uow() as uow:
            return await uow.api_keys.all()
    keys = _run(_with_services(work))
    if not keys:
        typer.echo("no api keys")
    for key in keys:
        revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M} UTC" if key.revoked_at else "live"
        typer.echo(f"{key.id:>4}  {key.name:<24} created {key.created_at:%Y-%m-%d %H:%M} UTC"
                   f"  {revoked}")


@keys_app.command("revoke")
def api_key_revoke(name: Name) -> None:
    """Revoke every live key of NAME at once; its orders stay, still followed in chat."""
    async def work(services: Services) -> int:
        async with services.uow() as uow:
            count = await uow.api_keys.revoke(name)
            await uow.commit()
        return count
    count = _run(_with_services(work))
    if not count:
        _fail(f"no live api key for {name}")
    typer.echo(f"revoked {count} key(s) of {name}")
