"""`gridbot export`: the ledger (台账) of a period as a CSV or XLSX file.

Dates are the district's (Asia/Shanghai): `--since 2026-11-01 --until 2026-11-30` holds the
orders filed from the first of November to the end of the thirtieth. A progress bar shows on a
terminal, none when the output is piped or logged.
"""
from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from bot.cli_common import fail as _fail
from bot.cli_common import run as _run
from bot.cli_common import with_services as _with_services
from bot.services import Services
from domain.calendar import SHANGHAI
from handlers.ledger import Books
from handlers.ledger_files import FORMATS, Format, export
from storage.order_filter import OrderFilter, subtree
from storage.repositories.ledger import count


def _day(text: str, option: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        _fail(f"{option} wants a date like 2026-11-30, not {text!r}")
        raise
    return datetime.combine(day, time(), SHANGHAI)


def export_command(
    since: Annotated[str, typer.Option(help="first day filed, YYYY-MM-DD (Shanghai)")],
    until: Annotated[str, typer.Option(help="last day filed, YYYY-MM-DD, included")],
    out: Annotated[Path, typer.Option(help="the file to write")],
    form: Annotated[str, typer.Option("--format", help="csv (UTF-8 with BOM) or xlsx")] = "csv",
    grid: Annotated[str | None, typer.Option(help="only this grid's subtree, by code")] = None,
    events: Annotated[bool, typer.Option("--events", help="one row per event instead of "
                                                          "one per order")] = False,
) -> None:
    """Write the ledger of the orders filed in a period (scrubbed: no reporter, no address)."""
    if form not in FORMATS:
        _fail(f"--format is one of {', '.join(FORMATS)}")
    start, end = _day(since, "--since"), _day(until, "--until") + timedelta(days=1)
    if end <= start:
        _fail("--until is before --since")
    bar = sys.stderr.isatty()

    async def work(services: Services) -> int | None:
        async with services.uow() as uow:
            grids = await subtree(uow.session, grid) if grid else None
        if grid and grids is None:
            return None
        wanted = OrderFilter(since=start, until=end, grids=grids)
        books = Books(services.uow, await services.load_tree(), services.taxonomy)
        now = services.clock.now()
        total = await count(services.uow, wanted, now)
        unit = "orders" if not events else "events"
        with tqdm(total=None if events else total, unit=unit, disable=not bar,
                  file=sys.stderr) as progress, out.open("wb") as stream:
            await export(books, wanted, stream, _format(form), events, now, progress.update)
        return total
    total = _run(_with_services(work))
    if total is None:
        _fail(f"no grid with code {grid}")
    typer.echo(f"{total} orders filed {since} to {until} written to {out}"
               + (" (their events)" if events else ""))


def _format(form: str) -> Format:
    return "xlsx" if form == "xlsx" else "csv"
