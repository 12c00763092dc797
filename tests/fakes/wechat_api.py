"""A loopback WeChat 公众号 API host: tokens, customer-service and template messages, media, menu.

It keeps WeChat's rules where they matter to gridbot: a customer-service message outside the
48 h after the user's last message, or the 6th in one window, is refused (45015 / 45047).
Tests tell it when a user wrote (`user_wrote`), as the test client does for every callback.
"""
from __future__ import annotations

import asyncio
import itertools
import socket
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

from aiohttp import web

CUSTOM, TEMPLATE = "custom", "template"


@dataclass(frozen=True)
class Sent:
    """One message the app sent through the API, as the host received it."""

    kind: str                     # "custom" or "template"
    touser: str
    msgtype: str                  # text, image, template
    text: str = ""
    media_id: str | None = None
    template_id: str | None = None
    data: dict | None = None
    url: str | None = None


class LoopbackHost:
    """An aiohttp app on 127.0.0.1 at a free port; `url` is its base."""

    def __init__(self) -> None:
        self.url = ""
        self.calls: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self._tokens = itertools.count(1)
        self.valid_tokens: set[str] = set()
        self._failures: deque[int] = deque()

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=20 * 2**20)
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner:
            await self._runner.cleanup()

    def fail_next(self, n: int, errcode: int) -> None:
        """The next `n` sending calls answer `errcode`."""
        self._failures.extend([errcode] * n)

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def issue_token(self) -> web.Response:
        token = f"token-{next(self._tokens)}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    def refusal(self, request: web.Request) -> web.Response | None:
        """The error a sending call gets before it is considered: bad token, injected failure."""
        if request.query.get("access_token") not in self.valid_tokens:
            return error(42001, "access_token expired")
        if self._failures:
            return error(self._failures.popleft(), "injected failure")
        return None


def error(code: int, message: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": message})


def ok(**extra: Any) -> web.Response:
    return web.json_response({"errcode": 0, "errmsg": "ok", **extra})


class WeChatApiFake(LoopbackHost):
    def __init__(self, appid: str = "wx-test-appid", secret: str = "test-secret",
                 now: Callable[[], datetime] | None = None, window_hours: int = 48,
                 per_window: int = 5):
        super().__init__()
        self.appid, self.secret = appid, secret
        self.now = now or datetime.now
        self.window, self.per_window = timedelta(hours=window_hours), per_window
        self.sent: list[Sent] = []
        self.refused: list[tuple[str, int]] = []            # (touser, errcode)
        self.menus: list[dict] = []
        self.media: dict[str, bytes] = {}                   # what users sent, by media_id
        self.uploads: dict[str, bytes] = {}                 # what the app uploaded
        self._last_wrote: dict[str, datetime] = {}
        self._window_used: Counter[str] = Counter()
        self._media_ids = itertools.count(1)
        self.media_gate: asyncio.Event | None = None

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom)
        app.router.add_post("/cgi-bin/message/template/send", self._template)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        app.router.add_get("/pic/{media_id}", self._picture)

    # ---- the users' side ----------------------------------------------------------------
    def user_wrote(self, openid: str) -> None:
        self._last_wrote[openid] = self.now()
        self._window_used[openid] = 0

    def add_media(self, data: bytes, prefix: str = "m") -> str:
        media_id = f"{prefix}{next(self._media_ids)}"
        self.media[media_id] = data
        return media_id

    def pic_url(self, media_id: str) -> str:
        return f"{self.url}/pic/{media_id}"

    def to(self, openid: str) -> list[Sent]:
        return [s for s in self.sent if s.touser == openid]

    # ---- the API --------------------------------------------------------------------------
    async def _token(self, request: web.Request) -> web.Response:
        self.calls["token"] += 1
        q = request.query
        if q.get("appid") != self.appid or q.get("secret") != self.secret:
            return error(40125, "invalid appsecret")
        return self.issue_token()

    async def _custom(self, request: web.Request) -> web.Response:
        self.calls["custom"] += 1
        body = await request.json()
        refused = self.refusal(request)
        if refused is not None:
            return refused
        touser = body["touser"]
        code = self._outside_window(touser)
        if code:
            self.refused.append((touser, code))
            return error(code, "out of window")
        self._window_used[touser] += 1
        msgtype = body["msgtype"]
        self.sent.append(Sent(CUSTOM, touser, msgtype, body.get("text", {}).get("content", ""),
                              (body.get(msgtype) or {}).get("media_id")))
        return ok()

    def _outside_window(self, openid: str) -> int:
        wrote = self._last_wrote.get(openid)
        if wrote is None:
            return 0                      # a user the test never introduced: not policed
        if self.now() - wrote > self.window:
            return 45015
        return 45047 if self._window_used[openid] >= self.per_window else 0

    async def _template(self, request: web.Request) -> web.Response:
        self.calls["template"] += 1
        body = await request.json()
        refused = self.refusal(request)
        if refused is not None:
            return refused
        content = body.get("data", {}).get("content", {}).get("value", "")
        self.sent.append(Sent(TEMPLATE, body["touser"], "template", content,
                              template_id=body.get("template_id"), data=body.get("data"),
                              url=body.get("url")))
        return ok(msgid=len(self.sent))

    async def _media_get(self, request: web.Request) -> web.Response:
        self.calls["media_get"] += 1
        if self.media_gate is not None:       # a slow download, as long as the test wants
            await self.media_gate.wait()
        refused = self.refusal(request)
        if refused is not None:
            return refused
        data = self.media.get(request.query.get("media_id", ""))
        if data is None:
            return error(40007, "invalid media_id")
        return web.Response(body=data, content_type="image/jpeg")

    async def _picture(self, request: web.Request) -> web.Response:
        data = self.media.get(request.match_info["media_id"])
        return web.Response(body=data, content_type="image/jpeg") if data else web.Response(
            status=404)

    async def _upload(self, request: web.Request) -> web.Response:
        self.calls["upload"] += 1
        refused = self.refusal(request)
        if refused is not None:
            return refused
        form = await request.post()
        media_id = f"up{next(self._media_ids)}"
        self.uploads[media_id] = form["media"].file.read()
        return web.json_response({"type": request.query.get("type"), "media_id": media_id,
                                  "created_at": int(self.now().timestamp())})

    async def _menu(self, request: web.Request) -> web.Response:
        self.calls["menu"] += 1
        refused = self.refusal(request)
        if refused is not None:
            return refused
        self.menus.append(await request.json())
        return ok()
