"""The `gridbot` command as a district's IT staff would use it."""
import json

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE
from data.generate import park_point

runner = CliRunner()


@pytest.fixture
def district(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["import-grids", str(SAMPLE_DISTRICT)]).exit_code == 0
    assert runner.invoke(app, ["import-people", str(SAMPLE_PEOPLE)]).exit_code == 0
    return tmp_path


def route(*args):
    result = runner.invoke(app, ["route", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_every_command_has_help():
    for command in (["db", "upgrade"], ["import-grids"], ["import-people"], ["route"], ["invite"],
                    ["demo"], ["run"], ["wechat", "menu"], ["digest"], ["doctor"],
                    ["dead-letters", "list"], ["dead-letters", "show"], ["dead-letters", "retry"],
                    ["dead-letters", "drop"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_address_variants_route_to_the_same_building_and_its_leader(district):
    answers = [route("--address", text) for text in ("锦江畔3号楼", "锦江畔小区三栋", "锦江畔 3栋")]
    assert {code for code, _ in answers} == {0}
    assert {out["grid"] for _, out in answers} == {"JJ-01-01-03"}
    first = answers[0][1]
    assert first["chain"] == ["JJ-01-01-03", "JJ-01-01", "JJ-01", "JJ"]
    assert first["leader"]["name"] and first["fallback"] is None
    assert first["candidates"][0] == {"code": "JJ-01-01-03", "name": "锦江畔3号楼", "score": 100.0}


def test_a_point_in_the_park_goes_to_a_queue_with_exit_1(district):
    lat, lng = park_point()
    code, out = route("--lat", str(lat), "--lng", str(lng))
    assert code == 1 and out["grid"] is None and out["fallback"].startswith("queue:")


def test_a_gcj02_point_lands_where_its_wgs84_twin_does(district):
    from domain.geo import wgs84_to_gcj02
    from domain.grids import Level
    from domain.routing import grids_from_geojson
    building = next(g for g in grids_from_geojson(json.loads(SAMPLE_DISTRICT.read_text()))
                    if g.level is Level.MICRO_GRID)
    inside = building.geometry.representative_point()
    glat, glng = wgs84_to_gcj02(inside.y, inside.x)
    assert route("--lat", str(inside.y), "--lng", str(inside.x))[1]["grid"] == building.code
    assert route("--lat", str(glat), "--lng", str(glng), "--gcj02")[1]["grid"] == building.code


def test_bad_geojson_is_refused_and_changes_nothing(district):
    bad = district / "bad.geojson"
    features = json.loads(SAMPLE_DISTRICT.read_text())
    features["features"][0]["properties"]["name"] = "改名了"
    features["features"][-1]["properties"]["level"] = "village"
    bad.write_text(json.dumps(features, ensure_ascii=False))
    result = runner.invoke(app, ["import-grids", str(bad)])
    assert result.exit_code == 2
    assert "level" in result.stderr and "nothing was imported" in result.stderr
    assert route("--address", "锦江街道")[1]["chain"][-1] == "JJ"
    # the valid rename in the same file was not applied either
    result = runner.invoke(app, ["route", "--address", "改名了", "--json"])
    assert json.loads(result.stdout)["grid"] is None


def test_invite_makes_an_expiring_code_stored_only_as_a_hash(district, monkeypatch):
    monkeypatch.delenv("GRIDBOT_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["invite", "--grid", "JJ-01-01", "--role", "leader", "--json"])
    assert result.exit_code == 0
    made = json.loads(result.stdout)
    assert made["deep_link"].endswith(f"start=inv_{made['code']}") and made["expires_at"]
    assert made["code"].encode() not in (district / "cli.db").read_bytes()
    assert "only `gridbot demo` accepts it" in result.stderr   # no GRIDBOT_SECRET_KEY here


def test_invite_hash_is_keyed_with_gridbot_secret_key(district, monkeypatch):
    """A stolen database holds codes hashed under a key it does not hold."""
    import hashlib
    import hmac
    import sqlite3
    key = "a-production-secret-key-of-40-characters"
    monkeypatch.setenv("GRIDBOT_SECRET_KEY", key)
    result = runner.invoke(app, ["invite", "--grid", "JJ-01-01", "--json"])
    made = json.loads(result.stdout)
    assert "demo" not in result.stderr
    with sqlite3.connect(district / "cli.db") as db:
        (stored,), = db.execute("SELECT code_hash FROM invite").fetchall()
    assert stored == hmac.new(key.encode(), made["code"].encode(), hashlib.sha256).hexdigest()
    assert stored != hashlib.sha256(made["code"].encode()).hexdigest()


def test_invite_for_an_unknown_grid_is_refused(district):
    result = runner.invoke(app, ["invite", "--grid", "NOPE"])
    assert result.exit_code == 2 and "no grid with code NOPE" in result.stderr


def test_demo_loads_the_sample_district_and_prints_the_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--tree-only"])
    assert result.exit_code == 0
    assert "锦江街道 (街道)" in result.stdout and "锦江畔3号楼 (微网格)" in result.stdout


def test_digest_preview_writes_text_and_a_chart_per_audience(district):
    import asyncio

    from bot.config import load_settings
    from bot.services import open_services

    async def bring_staff_online():   # digests go to people gridbot can reach
        services = await open_services(load_settings())
        async with services.uow() as uow:
            for n, code in enumerate(("P0001", "P0002", "P0005"), 1):
                person = await uow.people.by_staff_code(code)
                await uow.people.link(person.id, "telegram", str(n))
            await uow.commit()
        await services.close()
    asyncio.run(bring_staff_online())
    result = runner.invoke(app, ["digest", "--preview", "--out", str(district / "preview"),
                                 "--at", "2026-11-30T09:00+08:00"])
    assert result.exit_code == 0, result.output
    written = sorted((district / "preview").iterdir())
    texts = [p for p in written if p.suffix == ".txt"]
    assert texts and any(p.suffix == ".png" for p in written)
    assert any("锦江" in p.read_text() for p in texts)


@pytest.mark.parametrize("key", [None, "too-short"])
def test_run_refuses_to_start_without_a_strong_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.chdir(tmp_path)                       # no .env to read a key from
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    if key is None:
        monkeypatch.delenv("GRIDBOT_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("GRIDBOT_SECRET_KEY", key)
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2 and "GRIDBOT_SECRET_KEY" in result.stderr
    assert not (tmp_path / "never.db").exists()


@pytest.mark.parametrize("secret", [None, "x", "s" * 31])
def test_short_webhook_secret_refused(monkeypatch, tmp_path, secret):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    monkeypatch.setenv("GRIDBOT_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("GRIDBOT_TELEGRAM_TOKEN", "123456:never-asked")
    monkeypatch.setenv("GRIDBOT_TELEGRAM_MODE", "webhook")
    if secret is None:
        monkeypatch.delenv("GRIDBOT_TELEGRAM_WEBHOOK_SECRET", raising=False)
    else:
        monkeypatch.setenv("GRIDBOT_TELEGRAM_WEBHOOK_SECRET", secret)
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "GRIDBOT_TELEGRAM_WEBHOOK_SECRET" in result.stderr and "32" in result.stderr
    assert not (tmp_path / "never.db").exists()


def test_run_refuses_the_demo_s_public_key(monkeypatch, tmp_path):
    from bot.config import DEMO_SECRET_KEY
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    monkeypatch.setenv("GRIDBOT_SECRET_KEY", DEMO_SECRET_KEY)
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2 and "GRIDBOT_SECRET_KEY" in result.stderr


def test_a_fresh_demo_starts_without_the_last_demo_s_uploads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old_upload = tmp_path / ".demo" / "media" / "web" / "earlier.jpg"
    old_upload.parent.mkdir(parents=True)
    old_upload.write_bytes(b"a photo from yesterday's demo")
    assert runner.invoke(app, ["demo", "--tree-only", "--no-fresh"]).exit_code == 0
    assert old_upload.exists()
    assert runner.invoke(app, ["demo", "--tree-only"]).exit_code == 0
    assert not old_upload.exists()


def test_the_demo_listens_on_gridbot_web_port(tmp_path):
    """`make demo` with GRIDBOT_WEB_PORT (or PORT=) serves there, not on 8080."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "GRIDBOT_WEB_PORT": str(port)}
    demo = subprocess.Popen([sys.executable, "-m", "bot.cli", "demo"], cwd=tmp_path,
                            env={**environment, "PYTHONPATH": os.pathsep.join(sys.path)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:   # polls a starting process: no clock of ours to move
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert demo.poll() is None and time.monotonic() < deadline, "demo did not start"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json() == {"ok": True}
    finally:
        demo.terminate()
        demo.wait(timeout=20)


def park(update_id: str) -> None:
    """An update the chat gives up on, as `gridbot run` would have parked it."""
    import asyncio

    from bot.config import load_settings
    from bot.services import build_chat, open_services
    from handlers.messages import Inbound, Sender

    async def work():
        services = await open_services(load_settings())
        try:
            chat = await build_chat(services)
            await chat.receive(Inbound.pressed(Sender("telegram", "4242", "王小明"), "detail:x",
                                               update_id))
        finally:
            await services.close()
    asyncio.run(work())


def test_dead_letters_are_listed_shown_retried_and_dropped(district, monkeypatch):
    from handlers import actions
    from handlers.chat import ROUTES
    works = {"now": False}

    async def boom(turn, action):
        if not works["now"]:
            raise RuntimeError("a bug")
        turn.say("ok")
    monkeypatch.setitem(ROUTES.buttons, actions.Detail, boom)
    assert "no dead letters" in runner.invoke(app, ["dead-letters", "list"]).stdout
    park("701")
    park("702")
    listed = runner.invoke(app, ["dead-letters", "list"])
    assert listed.exit_code == 0
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 2 and all("telegram" in line and "RuntimeError" in line for line in lines)
    assert "王小明" not in listed.stdout and "4242" not in listed.stdout   # no personal data
    first, second = (int(line.split()[0]) for line in lines)

    shown = runner.invoke(app, ["dead-letters", "show", str(first)])
    assert shown.exit_code == 0
    letter = json.loads(shown.stdout)
    assert letter["update_id"] == "701" and letter["attempts"] == 3
    assert letter["payload"]["button"] == "detail:x"

    failed = runner.invoke(app, ["dead-letters", "retry", str(first)])
    assert failed.exit_code == 1 and "failed again" in failed.stderr
    works["now"] = True
    retried = runner.invoke(app, ["dead-letters", "retry", str(first)])
    assert retried.exit_code == 0, retried.stderr
    dropped = runner.invoke(app, ["dead-letters", "drop", str(second)])
    assert dropped.exit_code == 0
    assert "no dead letters" in runner.invoke(app, ["dead-letters", "list"]).stdout
    for command in ("show", "retry", "drop"):
        missing = runner.invoke(app, ["dead-letters", command, str(second)])
        assert missing.exit_code == 2 and "no dead letter" in missing.stderr


def doctor():
    result = runner.invoke(app, ["doctor", "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_doctor_on_the_sample_district_finds_every_chain_held(district):
    code, out = doctor()
    assert code == 0 and out["ok"] is True
    assert out["unheld_chains"] == [] and out["unheld_orders"] == []
    # The street has a dispatcher and no 网格长: listed, yet its chains end at a person.
    assert [g["code"] for g in out["leaderless_grids"]] == ["JJ"]
    text = runner.invoke(app, ["doctor"])
    assert text.exit_code == 0 and "every chain ends at a person" in text.stdout


def _square(x: float, y: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01],
                                                [x, y + 0.01], [x, y]]]}


def _leaderless_district(tmp_path) -> None:
    """桃李街道: 东区 has a leader on 东苑 (not on 东苑1号楼); 西苑 and all above it have no one."""
    grids = [("TL", "桃李街道", "street", None, 0.0), ("TL-01", "桃李社区", "community", "TL", 0.0),
             ("TL-01-01", "东苑", "grid", "TL-01", 0.0), ("TL-01-01-01", "东苑1号楼",
                                                          "micro_grid", "TL-01-01", 0.0),
             ("TL-01-02", "西苑", "grid", "TL-01", 0.02),
             ("TL-01-02-01", "西苑1号楼", "micro_grid", "TL-01-02", 0.02)]
    features = [{"type": "Feature", "geometry": _square(120.0 + dx, 30.0),
                 "properties": {"code": c, "name": n, "level": lv, "parent": p, "aliases": []}}
                for c, n, lv, p, dx in grids]
    (tmp_path / "tl.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    (tmp_path / "tl.csv").write_text("code,name,role,grid,phone,duty\n"
                                     "T001,周一,leader,TL-01-01,13900000101,网格长\n")
    assert runner.invoke(app, ["import-grids", str(tmp_path / "tl.geojson")]).exit_code == 0
    assert runner.invoke(app, ["import-people", str(tmp_path / "tl.csv")]).exit_code == 0


def test_doctor_lists_leaderless_grids_and_unheld_chains_with_exit_1(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'tl.db'}")
    monkeypatch.chdir(tmp_path)
    _leaderless_district(tmp_path)
    code, out = doctor()
    assert code == 1 and out["ok"] is False
    assert [g["code"] for g in out["leaderless_grids"]] == [
        "TL", "TL-01", "TL-01-01-01", "TL-01-02", "TL-01-02-01"]
    assert out["unheld_chains"] == [{"code": "TL-01-02-01", "name": "西苑1号楼"}]
    assert out["operator"] == {"configured": False, "found": False}
    text = runner.invoke(app, ["doctor"])
    assert text.exit_code == 1 and "西苑1号楼" in text.stdout and "周一" not in text.stdout

    monkeypatch.setenv("GRIDBOT_OPERATOR", "T404")                  # not in the roster
    code, out = doctor()
    assert code == 1 and out["operator"] == {"configured": True, "found": False}
    monkeypatch.setenv("GRIDBOT_OPERATOR", "T001")                  # the operator holds it all
    code, out = doctor()
    assert code == 0 and out["ok"] is True and out["operator"]["found"] is True


def test_invite_links_name_the_bot_telegram_reports(district, monkeypatch):
    """No username configured: the invite's deep link names the bot as getMe does."""
    import asyncio
    import threading

    from tests.fakes.telegram_api import TelegramEmulator

    started, finished = threading.Event(), threading.Event()
    place: dict = {}

    async def serve() -> None:
        async with TelegramEmulator(username="jinjiang_grid_bot") as tg:
            place.update(token=tg.token, url=tg.base_url)
            started.set()
            while not finished.is_set():
                await asyncio.sleep(0.05)   # the emulator's own loop, in its own thread
    thread = threading.Thread(target=asyncio.run, args=(serve(),))
    thread.start()
    try:
        assert started.wait(10)
        monkeypatch.setenv("GRIDBOT_TELEGRAM_TOKEN", place["token"])
        monkeypatch.setenv("GRIDBOT_TELEGRAM_API_URL", place["url"])
        monkeypatch.delenv("GRIDBOT_TELEGRAM_BOT_USERNAME", raising=False)
        result = runner.invoke(app, ["invite", "--grid", "JJ-01-01", "--json"])
    finally:
        finished.set()
        thread.join(10)
    made = json.loads(result.stdout)
    assert made["deep_link"] == f"https://t.me/jinjiang_grid_bot?start=inv_{made['code']}"
