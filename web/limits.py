"""Body-size limits per route, enforced before a body is read whole.

One table for every door: a request whose Content-Length passes its route's limit is refused
with 413 before one byte of it is read; a body streamed without a length (or longer than it
said) is refused as soon as it passes the limit.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from web.photos import MAX_BYTES as PHOTO_BYTES

KIB, MIB = 1024, 1024 * 1024
# Room for the multipart envelope and the small form fields around a photo.
MULTIPART_SLACK = 64 * KIB

# (path pattern, most bytes a body may have); the first match wins.
LIMITS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"/telegram/webhook"), 1 * MIB),        # Telegram's updates are small
    (re.compile(r"/(wechat|wecom)/callback"), 64 * KIB),  # WeChat's XML is a few KiB
    (re.compile(r"/api/chat/[^/]+/photo"), PHOTO_BYTES + MULTIPART_SLACK),
    (re.compile(r"/api/chat/[^/]+/send"), 16 * KIB),
)
DEFAULT_LIMIT = 16 * KIB

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def limit_for(path: str) -> int:
    """The most bytes a request body to `path` may carry."""
    for pattern, limit in LIMITS:
        if pattern.fullmatch(path):
            return limit
    return DEFAULT_LIMIT


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes its limit; answered with 413."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body over {limit} bytes")


class BodyLimit:
    """Pure ASGI middleware: 413 for bodies over their route's limit, checked before reading."""

    def __init__(self, app: ASGIApp, limits: Callable[[str], int] = limit_for):
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits(scope["path"])
        declared = _content_length(scope)
        if declared is None:
            await _refuse(send, 400, b"bad Content-Length")
            return
        if declared > limit:
            await _refuse(send, 413, b"request body too large")
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, 413, b"request body too large")


def _content_length(scope: Scope) -> int | None:
    """The declared length (0 when none is given), or None when the header is not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return 0


async def _refuse(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
