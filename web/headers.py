"""Headers every response carries, whatever route answered it."""
from __future__ import annotations

from web.limits import ASGIApp, Message, Receive, Scope, Send

# Pages may be opened with an invite code or a signed link in the URL; no-referrer keeps that
# URL out of the Referer header sent to any other site (map tiles, scripts, links followed).
SECURITY_HEADERS = ((b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"))


class NoReferrer:
    """Pure ASGI middleware: adds `SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
