"""`gridbot export` as a district's IT staff would run it."""
from __future__ import annotations

import asyncio
import csv
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import openpyxl
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


async def gridbot(*args: str):
    """The command in a thread of its own: it runs its own event loop, as from a shell."""
    return await asyncio.to_thread(runner.invoke, app, list(args))
WEEK = ["--since", "2026-11-23", "--until", "2026-11-29"]


def test_export_has_help():
    result = runner.invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    for option in ("--since", "--until", "--grid", "--format", "--events", "--out"):
        assert option in result.stdout


async def test_export_writes_the_weeks_ledger_without_a_bar_when_not_on_a_terminal(
        books, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", books.settings.database_url)
    out = tmp_path / "ledger.csv"
    result = await gridbot("export", *WEEK, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "4 orders" in result.stdout and "it/s" not in result.stderr
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][0] == "工单号" and len(rows) == 5

    book = tmp_path / "ledger.xlsx"
    result = await gridbot("export", *WEEK, "--grid", "JJ-01-01", "--format", "xlsx", "--events",
                          "--out", str(book))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(book).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"WG-20261123-0001", "WG-20261123-0002", "WG-20261124-0001"}


async def test_export_refuses_what_it_cannot_do(books, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", books.settings.database_url)
    out = str(tmp_path / "x")
    for args, says in ((["--grid", "NO-SUCH"], "no grid with code NO-SUCH"),
                       (["--format", "pdf"], "--format is one of csv, xlsx")):
        result = await gridbot("export", *WEEK, *args, "--out", out)
        assert result.exit_code == 2 and says in result.output
    result = await gridbot("export", "--since", "2026-11-30", "--until", "2026-11-01",
                          "--out", out)
    assert result.exit_code == 2 and "before --since" in result.output


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run gridbot with its stderr on a pseudo-terminal, as from a shell; what it drew there."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))   # 80 wide
    process = subprocess.Popen([sys.executable, "-c", "from bot.cli import main; main()", *args],
                               stdout=subprocess.DEVNULL, stderr=secondary, env=env)
    os.close(secondary)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:        # the terminal closed with the process
            break
        if not chunk:
            break
        drawn += chunk
    assert process.wait(timeout=60) == 0, drawn
    os.close(main)
    return drawn.decode(errors="replace")


async def test_export_draws_a_progress_bar_on_a_terminal(books, tmp_path):
    env = {**os.environ, "GRIDBOT_DATABASE_URL": books.settings.database_url}
    drawn = await asyncio.to_thread(_on_a_terminal, ["export", *WEEK, "--out",
                                                     str(tmp_path / "l.csv")], env)
    assert "100%" in drawn and "4/4" in drawn
