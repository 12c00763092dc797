"""No secret reaches a log line, at any level: every outbound client posts, every logger at DEBUG.

Each secret is a uuid4 hex, so it cannot appear in a log line by chance (a timestamp, a port).
The log is captured through the very handler and formatter `gridbot run` installs.
"""
from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.logs import redact, setup_logging
from bot.telegram import make_transport
from bot.wechat.api import OfficialAccountAPI
from bot.wecom.api import WeComAPI, post_to_robot
from handlers.messages import Outbound
from tests.fakes.telegram_api import TelegramEmulator
from tests.fakes.wechat_api import WeChatApiFake
from tests.fakes.wecom_api import WeComApiFake


def secret() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """`gridbot run`'s logging into a buffer, with every logger (dependencies' too) at DEBUG."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = {logger: logger.level for logger in loggers}
    stream = io.StringIO()
    setup_logging(logging.DEBUG, stream=stream)
    for logger in [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]:
        levels.setdefault(logger, logger.level)
        logger.setLevel(logging.DEBUG)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    for logger, before in levels.items():
        logger.setLevel(before)


def assert_not_written(log: io.StringIO, *secrets: str) -> None:
    written = log.getvalue()
    assert written, "nothing was logged: the test would prove nothing"
    for value in secrets:
        assert value not in written


async def test_wecom_corpsecret_never_logged(debug_log: io.StringIO):
    corpsecret = secret()
    async with WeComApiFake("ww-corp", corpsecret) as fake, httpx.AsyncClient() as http:
        api = WeComAPI(http, fake.url, "ww-corp", corpsecret, 1000002)
        await api.send("zhangsan", "text", {"content": "您好"})
    assert fake.sent, "the message did not go out"
    assert "corpsecret=***" in debug_log.getvalue()   # the request line was there, masked
    assert_not_written(debug_log, corpsecret)


async def test_group_robot_key_never_logged(debug_log: io.StringIO):
    key = secret()
    async with WeComApiFake() as fake, httpx.AsyncClient() as http:
        await post_to_robot(http, fake.robot_url, key, "**回音壁**")
    assert [post.key for post in fake.robot_posts] == [key]
    assert_not_written(debug_log, key)


async def test_official_account_secret_never_logged(debug_log: io.StringIO):
    app_secret = secret()
    async with WeChatApiFake("wx-app", app_secret) as fake, httpx.AsyncClient() as http:
        fake.user_wrote("o-reader")
        await OfficialAccountAPI(http, fake.url, "wx-app", app_secret).send_text("o-reader", "您好")
    assert fake.sent, "the message did not go out"
    assert_not_written(debug_log, app_secret)


@pytest.mark.parametrize(("library", "options"), [("ptb", {"http": "aiohttp"}), ("ptb", {}),
                                                  ("aiogram", {})])
async def test_telegram_token_never_logged(debug_log: io.StringIO, tmp_path: Path, library: str,
                                           options: dict):
    token = f"7{uuid.uuid4().int % 10**9}:{secret()}"
    async with TelegramEmulator(token) as tg:
        transport = make_transport(library, token, tg.base_url, tmp_path, **options)

        async def receive(_) -> None:
            return None

        await transport.start(receive)
        try:
            await transport.deliver(Outbound("telegram", "4242", "您好"))
        finally:
            await transport.stop()
    assert [call.text for call in tg.sent] == ["您好"]
    assert_not_written(debug_log, token, token.split(":")[1])


def test_secret_query_values_are_masked_by_name():
    values = {name: secret() for name in ("corpsecret", "Secret", "access_token", "key",
                                           "msg_signature", "signature", "robot_key", "apiKey")}
    line = "GET https://api.example/cgi-bin/x?" + "&".join(f"{k}={v}" for k, v in values.items())
    masked = redact(line)
    for name, value in values.items():
        assert value not in masked
        assert f"{name}=***" in masked
    assert "corpid=ww1" in redact("GET /cgi-bin/gettoken?corpid=ww1&corpsecret=s")   # not secret


def test_client_request_lines_are_off_below_warning():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        setup_logging(logging.DEBUG, stream=io.StringIO())
        for name in ("httpx", "httpcore", "aiohttp.client", "hpack"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
            assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
