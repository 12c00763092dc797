"""The doors of `gridbot run`: what production serves, body limits, the webhook's answers, logs."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from bot.logs import setup_logging
from bot.web_server import DemoServer
from tests.fakes.telegram_api import SECRET_HEADER
from tests.security.conftest import SECRET, WEBHOOK, Production

BOTH = pytest.mark.parametrize("library", ["ptb", "aiogram"])


class Asgi:
    """One raw ASGI request, to see whether the app read the body at all."""

    def __init__(self, app: Any):
        self.app = app
        self.reads = 0
        self.status: int | None = None
        self.headers: dict[bytes, bytes] = {}

    async def call(self, path: str, headers: dict[str, str], chunks: list[bytes]) -> int:
        pending = list(chunks)

        async def receive() -> dict:
            self.reads += 1
            if not pending:
                return {"type": "http.disconnect"}
            body = pending.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(pending)}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.headers = dict(message.get("headers", []))

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000),
                 "server": ("gridbot.test", 80),
                 "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
        await self.app(scope, receive, send)
        assert self.status is not None
        return self.status


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """`gridbot run`'s logging, written to a buffer; the handler is removed afterwards."""
    root, before = logging.getLogger(), list(logging.getLogger().handlers)
    level = root.level
    stream = io.StringIO()
    setup_logging(stream=stream)
    yield stream
    for handler in set(root.handlers) - set(before):
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def served(production: Production, json_logs: io.StringIO) -> AsyncIterator[str]:
    """The production app under uvicorn as `gridbot run` starts it, on a loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)   # connections wait in the backlog until uvicorn accepts them
    server = DemoServer(production.runtime.app, "127.0.0.1", sock.getsockname()[1])
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def access_lines(stream: io.StringIO) -> list[dict]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [line for line in lines if line["logger"] == "uvicorn.access"]


async def test_web_chat_is_not_served_by_gridbot_run(production: Production):
    client = production.client
    assert (await client.post("/api/chat/x/send", json={"text": "hi"})).status_code == 404
    assert (await client.get("/api/chat/x/messages")).status_code == 404
    for page in ("/", "/chat?start=inv_abc", "/api/demo"):
        assert (await client.get(page)).status_code == 404, page
    assert (await client.get("/healthz")).json() == {"ok": True}


async def test_every_response_keeps_its_url_out_of_referers(production: Production):
    for path in ("/healthz", "/echo-wall", "/nowhere"):
        answer = await production.client.get(path)
        assert answer.headers["referrer-policy"] == "no-referrer", path


@BOTH
async def test_wrong_or_missing_webhook_secret_gets_403_without_the_body_being_read(
        production: Production):
    for headers in ({SECRET_HEADER: "wrong"}, {}):
        asgi = Asgi(production.runtime.app)
        status = await asgi.call(WEBHOOK, {"content-type": "application/json", **headers},
                                 [b'{"update_id": 1}'])
        assert (status, asgi.reads) == (403, 0)


async def test_huge_declared_body_gets_413_before_reading(production: Production):
    for path in (WEBHOOK, "/healthz", "/api/chat/x/send"):
        asgi = Asgi(production.runtime.app)
        status = await asgi.call(path, {SECRET_HEADER: SECRET, "content-length": str(10**9)},
                                 [b"{}"])
        assert (status, asgi.reads) == (413, 0), path


async def test_streamed_body_over_the_limit_gets_413(production: Production):
    asgi = Asgi(production.runtime.app)
    chunks = [b'{"update_id": 1, "pad": "' + b"x" * 65536] * 20   # 1.3 MiB, no length given
    status = await asgi.call(WEBHOOK, {SECRET_HEADER: SECRET}, chunks)
    assert status == 413
    assert asgi.reads < len(chunks)   # refused as the limit passed, not after the whole body


@BOTH
async def test_webhook_body_that_is_no_update_is_acknowledged_and_ignored(
        production: Production):
    for body in ([1, 2], {"update_id": "seven"}, {"message": {"text": "no id"}}, "text",
                 {"update_id": 1, "poll": {"id": "x"}}, {"update_id": 2, "message": []},
                 {"update_id": 3, "callback_query": {"id": "q", "chat_instance": "c",
                                                     "data": "consent:yes"}},   # no sender
                 {"update_id": 4, "message": {"message_id": 1, "date": 2**63, "text": "hi",
                                              "chat": {"id": 5, "type": "private"},
                                              "from": {"id": 5, "is_bot": False,
                                                       "first_name": "x"}}},
                 {"update_id": 5, "message": {"message_id": 1, "date": 1, "text": 7,
                                              "chat": {"id": 5, "type": "private"},
                                              "from": {"id": 5, "is_bot": False,
                                                       "first_name": "x"}}}):
        answer = await production.post_update(json.dumps(body).encode())
        assert answer.status_code == 200, body
    assert production.tg.sent == []


@BOTH
async def test_non_json_webhook_gets_400_and_the_same_connection_serves_the_next(
        production: Production, served: str, json_logs: io.StringIO):
    update = production.tg.update(production.tg.user_sends_text(4242, "/start"))
    headers = {SECRET_HEADER: SECRET, "content-type": "application/json"}
    async with httpx.AsyncClient(base_url=served) as client:
        for body in (b"{not json", b'{"update_id": 1, "message": {"text": "trunc'):
            assert (await client.post(WEBHOOK, content=body, headers=headers)).status_code == 400
        answer = await client.post(WEBHOOK, json=update, headers=headers)
        assert answer.status_code == 200
    clients = {line["message"].split(" - ")[0] for line in access_lines(json_logs)}
    assert len(clients) == 1, clients   # one client address and port: one connection


async def test_access_log_has_no_query_string(production: Production, served: str,
                                              json_logs: io.StringIO):
    # Secrets no log line can hold by chance (a timestamp, a port, a duration): uuid4 hex.
    code, signature, nonce, sig, session = (uuid.uuid4().hex for _ in range(5))
    async with httpx.AsyncClient(base_url=served) as client:
        await client.get("/chat", params={"start": f"inv_{code}"})
        await client.post(WEBHOOK, params={"signature": signature, "nonce": nonce},
                          headers={SECRET_HEADER: "wrong"})
        await client.get("/echo-wall", params={"sig": sig, "exp": "1"})
        await client.get(f"/api/chat/{session}/messages", params={"after": "1"})
    lines = access_lines(json_logs)
    assert [line["message"].split('"')[1] for line in lines] == [
        "GET /chat HTTP/1.1", f"POST {WEBHOOK} HTTP/1.1", "GET /echo-wall HTTP/1.1",
        "GET /api/chat/***/messages HTTP/1.1"]
    assert not any("?" in line["message"] for line in lines)
    written = json_logs.getvalue()   # the test client's own request lines included
    for secret in (code, signature, nonce, sig, session):
        assert secret not in written


async def test_huge_declared_body_gets_413_at_once_from_the_running_server(served: str):
    host, port = served.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"POST {WEBHOOK} HTTP/1.1\r\nHost: gridbot\r\n{SECRET_HEADER}: {SECRET}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {10**9}\r\n\r\n{{}}"
                     .encode())
        await writer.drain()
        # The rest of the gigabyte never comes: the answer must not wait for it.
        status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    finally:
        writer.close()
    assert status_line.startswith(b"HTTP/1.1 413")
