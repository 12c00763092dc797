"""Delivery errors are every channel's: nothing outside bot/telegram takes them from there."""
from __future__ import annotations

import ast
from pathlib import Path

import bot.delivery

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {name for name, value in vars(bot.delivery).items()
          if isinstance(value, type) and issubclass(value, Exception)}
CODE = ("bot", "handlers", "scheduler", "storage", "web", "domain", "tests", "bench")


def _imports_of_errors_from_telegram(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.telegram"):
            found += [f"{path.relative_to(ROOT)}: {alias.name}" for alias in node.names
                      if alias.name in ERRORS]
    return found


def test_no_module_outside_telegram_takes_a_delivery_error_from_telegram():
    telegram = ROOT / "bot" / "telegram"
    files = [path for folder in CODE for path in (ROOT / folder).rglob("*.py")
             if telegram not in path.parents]
    assert len(files) > 100   # the walk found the code
    assert [hit for path in files for hit in _imports_of_errors_from_telegram(path)] == []


def test_every_transport_raises_the_errors_the_sender_reads():
    from bot.telegram import transport as telegram
    from bot.wechat import http as wechat
    from bot.wechat.window import WindowClosed
    from bot.wecom import api as wecom

    assert telegram.Unreachable.__mro__[1] is bot.delivery.TransientError
    assert issubclass(wechat.ApiError, bot.delivery.Undeliverable)
    assert wecom.RetryAfter is bot.delivery.RetryAfter
    assert issubclass(WindowClosed, bot.delivery.NotNow)
