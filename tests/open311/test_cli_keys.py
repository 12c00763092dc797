"""`gridbot api-key create|list|revoke` as a district's IT staff would use it."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'keys.db'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path / "keys.db"


def test_a_key_is_shown_once_stored_only_as_its_hash_listed_and_revoked(database):
    made = runner.invoke(app, ["api-key", "create", "hotline-12345"])
    assert made.exit_code == 0, made.output
    raw = made.stdout.strip().splitlines()[-1]
    assert raw.startswith("o311_") and len(raw) >= 40          # 256 random bits, url-safe

    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT key_hash FROM api_key").fetchall()
        kind = db.execute("SELECT kind FROM person WHERE name = 'hotline-12345'").fetchall()
    assert stored == [(hashlib.sha256(raw.encode()).hexdigest(),)]
    assert raw not in database.read_bytes().decode("latin-1")
    assert kind == [("external_system",)]

    listed = runner.invoke(app, ["api-key", "list"])
    assert "hotline-12345" in listed.stdout and "live" in listed.stdout
    assert raw not in listed.stdout

    assert runner.invoke(app, ["api-key", "revoke", "hotline-12345"]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["api-key", "list"]).stdout
    again = runner.invoke(app, ["api-key", "revoke", "hotline-12345"])
    assert again.exit_code == 2 and "no live api key" in again.output


def test_a_new_key_under_the_same_name_is_the_same_partner(database):
    runner.invoke(app, ["api-key", "create", "hotline-12345"])
    runner.invoke(app, ["api-key", "revoke", "hotline-12345"])
    runner.invoke(app, ["api-key", "create", "hotline-12345"])
    with sqlite3.connect(database) as db:
        partners = db.execute("SELECT DISTINCT person_id FROM api_key").fetchall()
    assert len(partners) == 1          # its earlier orders stay its own


def test_every_api_key_command_has_help():
    for command in (["api-key"], ["api-key", "create"], ["api-key", "list"],
                    ["api-key", "revoke"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout
