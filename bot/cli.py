"""The `gridbot` command: database, imports, routing, invites and the demo."""
from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from pydantic import SecretStr

from bot.cli_api_keys import keys_app
from bot.cli_common import SECRET_MIN, strong_secret, strong_webhook_secret
from bot.cli_common import fail as _fail
from bot.cli_common import run as _run
from bot.cli_common import with_services as _with_services
from bot.cli_dead_letters import letters_app
from bot.cli_export import export_command
from bot.config import DEMO_SECRET_KEY, SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings, load_settings
from bot.services import Services
from domain import invites
from domain.grids import Grid, GridTree
from domain.routing import Route, Router
from handlers import texts
from storage.import_report import ImportFailed, ImportReport
from storage.importer import import_grids, import_people
from storage.migrate import upgrade
from storage.process_lock import LockHeld
from storage.records import Person, Role
from storage.uow import UnitOfWork

app = typer.Typer(help="gridbot: report, route, handle and close grid work orders by chat.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
wechat_app = typer.Typer(help="The WeChat Official Account.", no_args_is_help=True)
app.add_typer(wechat_app, name="wechat")
app.add_typer(letters_app, name="dead-letters")
app.add_typer(keys_app, name="api-key")
app.command("export")(export_command)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to the newest migration."""
    settings = load_settings()
    _run(upgrade(settings.database_url))
    typer.echo(f"database is up to date: {settings.database_url}")


@wechat_app.command("menu")
def wechat_menu() -> None:
    """Set the Official Account's menu: 我要报事 / 我的工单 / 回音壁."""
    from bot.wechat.menu import set_menu
    settings = load_settings()
    if not settings.wechat_appid:
        _fail("GRIDBOT_WECHAT_APPID and GRIDBOT_WECHAT_SECRET are not set")
    answer = _run(set_menu(settings))
    typer.echo(f"menu set: {json.dumps(answer, ensure_ascii=False)}")


@app.command()
def digest(
    preview: Annotated[bool, typer.Option("--preview", help="write the digests to files, "
                                                             "send nothing")] = False,
    out: Annotated[Path, typer.Option(help="folder for the previews")] = Path("digest-preview"),
    at: Annotated[str | None, typer.Option(help="as of this moment (ISO 8601), default now")]
    = None,
) -> None:
    """The weekly digest: each audience's text and chart (use --preview to look before sending)."""
    from bot.charts import preview_digests
    if not preview:
        _fail("digests are sent by the scheduler (gridbot run); use --preview to look at them")
    moment = datetime.fromisoformat(at) if at else None
    if moment is not None and moment.tzinfo is None:
        _fail("--at needs a time zone, e.g. 2026-11-30T09:00+08:00")

    async def work(services: Services) -> list[Path]:
        return await preview_digests(services, out, moment)
    written = _run(_with_services(work))
    typer.echo(f"{len(written)} files written to {out}/")


class _Importer(Protocol):
    def __call__(self, uow: UnitOfWork, file: Path, /, *,
                 progress: bool) -> Awaitable[ImportReport]: ...


def _import(what: str, importer: _Importer, file: Path, progress: bool) -> None:
    """One import in one transaction: a bad row or feature leaves the database as it was."""
    async def work(services: Services) -> ImportReport:
        async with services.uow() as uow:
            report = await importer(uow, file, progress=progress)
            await uow.commit()
        return report
    try:
        report = _run(_with_services(work))
    except (ImportFailed, OSError) as error:
        _fail(f"{file}: {error} — nothing was imported")
    typer.echo(f"{what}: {report.created} created, {report.updated} updated, "
               f"{report.total} in file")


@app.command("import-grids")
def import_grids_command(
    file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection of grids")],
    progress: Annotated[bool, typer.Option(help="show a progress bar on large files")] = True,
) -> None:
    """Create or update grids from GeoJSON (code, name, level, parent, aliases); all or nothing."""
    _import("grids", import_grids, file, progress)


@app.command("import-people")
def import_people_command(
    file: Annotated[Path, typer.Argument(help="CSV: code,name,role,grid,phone,duty[,party]")],
    progress: Annotated[bool, typer.Option(help="show a progress bar on large files")] = True,
) -> None:
    """Create or update staff and their roles from CSV; all or nothing."""
    _import("people", import_people, file, progress)


@app.command()
def route(
    lat: Annotated[float | None, typer.Option(help="latitude")] = None,
    lng: Annotated[float | None, typer.Option(help="longitude")] = None,
    gcj02: Annotated[bool, typer.Option("--gcj02", help="the point is GCJ-02 (WeChat)")] = False,
    address: Annotated[str | None, typer.Option(help="address text, e.g. a building's name")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Which grid and leader a point or an address goes to; exit 1 when it falls to a queue."""
    if address is None and (lat is None or lng is None):
        _fail("give --lat and --lng, or --address")

    async def work(services: Services) -> tuple[Router, Route, Person | None]:
        router = await services.router()
        if address is not None:
            found = router.route_address(address)
        else:
            assert lat is not None and lng is not None   # refused above
            found = router.route_point(lat, lng, gcj02=gcj02)
        async with services.uow() as uow:
            leader = await uow.people.get(found.leader_id) if found.leader_id else None
        return router, found, leader
    router, found, leader = _run(_with_services(work))
    if as_json:
        typer.echo(json.dumps(_route_json(found, leader), ensure_ascii=False))
    else:
        _print_route(router, found, leader)
    raise typer.Exit(1 if found.fallback else 0)


def _route_json(found: Route, leader: Person | None) -> dict[str, Any]:
    return {
        "grid": found.grid.code if found.grid and not found.fallback else None,
        "chain": found.chain,
        "candidates": [{"code": c.code, "name": c.name, "score": round(c.score, 1)}
                       for c in found.candidates],
        "leader": ({"id": leader.id, "name": leader.name, "duty": leader.duty,
                    "phone": leader.phone} if leader else None),
        "fallback": found.fallback,
    }


def _print_route(router: Router, found: Route, leader: Person | None) -> None:
    for code in found.chain:
        grid = router.tree.get(code)
        typer.echo(f"{grid.code:<16} {grid.name} ({texts.LEVEL_LABELS[grid.level]})")
    if found.candidates:
        typer.echo("candidates: " + ", ".join(f"{c.name} {c.code} {c.score:.0f}"
                                              for c in found.candidates))
    if found.fallback:
        typer.echo(f"no grid fits: goes to the dispatcher's queue {found.fallback}")
    if leader:
        typer.echo(f"responsible: {leader.name} {leader.duty or ''} {leader.phone or ''}".rstrip())


@app.command()
def invite(
    grid: Annotated[str, typer.Option(help="the grid's code")],
    role: Annotated[Role, typer.Option(help="the role the invite gives")] = Role.LEADER,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Make a one-time, expiring invite code that binds a staff member to a grid."""
    async def work(services: Services) -> tuple[str, datetime, Settings] | None:
        now = services.clock.now()
        async with services.uow() as uow:
            if await uow.grids.get(grid) is None:
                return None
            code = invites.new_code()
            expires = now + timedelta(hours=services.settings.invite_ttl_hours)
            uow.invites.add(invites.Invite(invites.hash_code(code, services.settings.invite_key),
                                            grid, role.value, now, expires))
            await uow.commit()
        return code, expires, services.settings
    made = _run(_with_services(work))
    if made is None:
        _fail(f"no grid with code {grid}")
    code, expires, settings = made
    if settings.secret_key is None:   # `gridbot run` hashes under its own key: it would refuse
        typer.echo("note: GRIDBOT_SECRET_KEY is not set, so this code is hashed under the demo's "
                   "key: only `gridbot demo` accepts it", err=True)
    link = deep_link(settings, code)
    if as_json:
        typer.echo(json.dumps({"code": code, "deep_link": link, "expires_at": expires.isoformat()}))
    else:
        typer.echo(f"invite code {code} for {role.value} of {grid}, valid until {expires:%Y-%m-%d %H:%M} UTC")
        typer.echo(f"deep link: {link}")


def deep_link(settings: Settings, code: str) -> str:
    """A Telegram deep link when the bot is on Telegram (its username configured, or asked of
    Telegram by getMe), else the demo web chat's page."""
    username = settings.telegram_bot_username
    if username is None and settings.telegram_token:
        from bot.telegram.identity import bot_username
        username = _run(bot_username(settings.telegram_token, settings.telegram_api_url))
    if username:
        return f"https://t.me/{username}?start=inv_{code}"
    return f"{settings.public_base_url}/chat?start=inv_{code}"


@app.command()
def demo(
    fresh: Annotated[bool, typer.Option(help="start from an empty demo database")] = True,
    host: Annotated[str | None, typer.Option(
        help="address to listen on (default: GRIDBOT_WEB_HOST, else 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(
        help="port of the web chat (default: GRIDBOT_WEB_PORT, else 8080)")] = None,
    tree_only: Annotated[bool, typer.Option("--tree-only",
                                            help="load the district, print its tree, exit")] = False,
    speed: Annotated[float, typer.Option(help="run the clock N times faster, to see reminders, "
                                              "escalation and the digest within minutes")] = 1.0,
) -> None:
    """Run gridbot on the embedded defaults: SQLite, the sample district, the web chat."""
    path, media = Path(".demo/gridbot.db"), Path(".demo/media")
    path.parent.mkdir(exist_ok=True)
    if fresh:   # from nothing: the database and every photo the last demo received
        for stale in path.parent.glob("gridbot.db*"):
            stale.unlink()
        shutil.rmtree(media, ignore_errors=True)
    configured = load_settings()
    host = host or configured.web_host
    port = port or configured.web_port
    settings = load_settings(database_url=f"sqlite:///{path}", media_dir=media,
                             public_base_url=f"http://{host}:{port}", web_host=host,
                             web_port=port)
    if settings.secret_key is None:
        # The same key in every process, so `gridbot invite` run beside the demo makes codes
        # the demo accepts; a public key, fit only for sample data on a laptop.
        settings.secret_key = SecretStr(DEMO_SECRET_KEY)
    if tree_only:
        _print_district(settings, path)
        return
    from bot.logs import setup_demo_logging
    from bot.runner import run as run_all
    from bot.web_server import DEMO_LOG_FILE
    from web.demo_seed import DEMO_OPERATOR
    # The street's dispatcher holds what no chain does: the demo's data needs no warning.
    settings.operator = settings.operator or DEMO_OPERATOR
    from domain.calendar import SHANGHAI
    setup_demo_logging(DEMO_LOG_FILE, SHANGHAI)   # the start, orders, warnings; the rest there
    with contextlib.suppress(KeyboardInterrupt):
        _run(run_all(settings, demo=True, speed=speed))


@app.command()
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Grids with no leader, chains with no holder, orders held by nobody; exit 1 if any is unheld."""
    from handlers.holders import HolderCheck, check_holders

    async def work(services: Services) -> HolderCheck:
        tree = await services.load_tree()
        async with services.uow() as uow:
            return await check_holders(uow, tree, services.settings.operator)
    found = _run(_with_services(work))
    if as_json:
        typer.echo(json.dumps(found.as_json(), ensure_ascii=False))
        raise typer.Exit(0 if found.every_chain_held else 1)
    typer.echo(f"grids without a leader: {len(found.leaderless)}")
    for code, name, level in found.leaderless:
        typer.echo(f"  {code:<16} {name} ({level})")
    operator = ("not set (GRIDBOT_OPERATOR)" if found.operator is None else
                "set" if found.operator_found else f"{found.operator} is not in the roster")
    typer.echo(f"chains without a leader or dispatcher up to the street: "
               f"{len(found.unheld_chains)}; operator: {operator}")
    for code, name in found.unheld_chains:
        typer.echo(f"  {code:<16} {name}")
    typer.echo(f"open orders held by nobody: {len(found.unheld_orders)}")
    for code, unit in found.unheld_orders:
        typer.echo(f"  {code} ({unit or '-'})")
    typer.echo("every chain ends at a person" if found.every_chain_held
               else "some orders would be held by nobody")
    raise typer.Exit(0 if found.every_chain_held else 1)


@app.command("run")
def run_command() -> None:
    """Run gridbot with every channel the settings switch on (web always; Telegram with a token)."""
    from bot.logs import setup_logging
    from bot.runner import run as run_all
    setup_logging()
    settings = load_settings()
    if not strong_secret(settings):
        # Links signed by one worker must open on every worker: a key made at start would not.
        _fail(f"GRIDBOT_SECRET_KEY is not set, shorter than {SECRET_MIN} characters or the "
              "demo's public key; it signs "
              "media links and must be the same for every worker. Make one with: "
              "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if not strong_webhook_secret(settings):
        _fail(f"GRIDBOT_TELEGRAM_WEBHOOK_SECRET is not set or shorter than {SECRET_MIN} "
              "characters; Telegram sends it with every update, and it alone keeps strangers from "
              "posting updates. Make one with: "
              "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    typer.echo(f"gridbot: web on http://{settings.web_host}:{settings.web_port}"
               + (f", telegram via {settings.telegram_library} ({settings.telegram_mode})"
                  if settings.telegram_token else ", telegram off (no GRIDBOT_TELEGRAM_TOKEN)"))
    try:
        _run(run_all(settings))
    except KeyboardInterrupt:
        pass
    except LockHeld as error:   # a second polling process for the same bot
        _fail(str(error), code=3)


def _print_district(settings: Settings, path: Path) -> None:
    async def work(services: Services) -> tuple[ImportReport, ImportReport, GridTree]:
        async with services.uow() as uow:
            grids = await import_grids(uow, SAMPLE_DISTRICT, progress=False)
            people = await import_people(uow, SAMPLE_PEOPLE, progress=False)
            await uow.commit()
        return grids, people, await services.load_tree()
    grids, people, tree = _run(_with_services(work, settings))
    typer.echo(f"sample district loaded into {path}: {grids.total} grids, {people.total} people")
    for root in sorted(tree.roots(), key=lambda g: g.code):
        _print_tree(tree, root, 0)


def _print_tree(tree: GridTree, grid: Grid, depth: int) -> None:
    leader = " ★" if grid.leader_id else ""
    typer.echo(f"{'  ' * depth}{grid.code} {grid.name} ({texts.LEVEL_LABELS[grid.level]}){leader}")
    for child in sorted(tree.children(grid.code), key=lambda g: g.code):
        _print_tree(tree, child, depth + 1)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
