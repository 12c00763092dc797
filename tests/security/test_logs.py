"""Log lines carry no people and no secrets: what an operator reading the logs would see."""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import JsonLines, Redact
from handlers.messages import Sender

PRIVATE = ("张小明", "O'Brien", "5550001", "424242", "oAbCdEfGhIjKlMnOpQrStUvWxYz1", "13812345678", "inv_Q7xYz-12",
           "s3cr3tsig", "n0nce", "ech0", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef", "sess-77")


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    handler.addFilter(Redact())
    logger = logging.getLogger("tests.security.logs")
    logger.addHandler(handler)
    logger.propagate, logger.level = False, logging.INFO
    yield logger, stream
    logger.removeHandler(handler)


def test_log_lines_mask_people_and_secrets(written):
    log, stream = written
    sender = "Sender(channel='telegram', external_id='424242', name='张小明')"
    log.warning("turn of %s (chat_id=%d) failed; phone 13812345678", sender, 424242,
                extra={"display_name": "张小明", "external_id": "424242",
                       "order": "WG-20261123-0001"})
    log.info("GET /wechat/callback?signature=s3cr3tsig&nonce=n0nce&echostr=ech0"
             "&openid=oAbCdEfGhIjKlMnOpQrStUvWxYz1")
    log.info("opened /chat?start=inv_Q7xYz-12 and /api/chat/sess-77/send")
    log.error("delivery to %r failed", Sender("telegram", "5550001", "O'Brien \"Bob\""))
    log.info("POST https://api.telegram.org/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef/sendMessage")
    try:
        raise ValueError("sender Sender(channel='telegram', external_id='424242', name='张小明')")
    except ValueError:
        log.exception("handling failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 6
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert lines[0]["order"] == "WG-20261123-0001"   # order codes are not secret
    assert "traceback" in lines[-1]
    for secret in PRIVATE:
        assert secret not in stream.getvalue(), secret


def test_the_database_driver_never_logs_statement_parameters():
    """aiosqlite writes each statement with its parameters (people's words) at DEBUG."""
    import logging

    from bot.logs import setup_logging
    root, driver = logging.getLogger(), logging.getLogger("aiosqlite")
    before = (root.level, list(root.handlers), driver.level)
    try:
        setup_logging(logging.DEBUG)
        assert root.isEnabledFor(logging.DEBUG)
        assert not driver.isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(before[0])
        root.handlers[:] = before[1]
        driver.setLevel(before[2])
