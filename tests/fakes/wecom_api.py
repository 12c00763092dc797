"""A loopback WeCom API host: gettoken, application messages (text, template_card, image),
media, and group robots' webhook. Like WeCom, it silently drops a member's messages beyond 30 a
minute; tests read `dropped` to prove gridbot never goes over."""
from __future__ import annotations

import itertools
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from tests.fakes.wechat_api import LoopbackHost, error, ok


@dataclass(frozen=True)
class AppMessage:
    touser: str
    msgtype: str                  # text, template_card, image
    body: dict                    # the msgtype's object: {"content": …}, the card, {"media_id": …}
    at: float

    @property
    def text(self) -> str:
        return self.body.get("content", "")


@dataclass(frozen=True)
class RobotPost:
    key: str
    markdown: str


class WeComApiFake(LoopbackHost):
    def __init__(self, corpid: str = "ww-test-corp", secret: str = "wecom-secret",
                 agentid: int = 1000002, monotonic: Callable[[], float] = time.monotonic,
                 per_minute: int = 30, members: set[str] | None = None):
        super().__init__()
        self.corpid, self.secret, self.agentid = corpid, secret, agentid
        self.monotonic, self.per_minute = monotonic, per_minute
        self.members = members              # None: every userid exists
        self.sent: list[AppMessage] = []
        self.dropped: list[AppMessage] = []
        self.robot_posts: list[RobotPost] = []
        self.media: dict[str, bytes] = {}
        self.uploads: dict[str, bytes] = {}
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._media_ids = itertools.count(1)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/cgi-bin/gettoken", self._token)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_post("/cgi-bin/webhook/send", self._robot)

    def add_media(self, data: bytes) -> str:
        media_id = f"wm{next(self._media_ids)}"
        self.media[media_id] = data
        return media_id

    def to(self, userid: str) -> list[AppMessage]:
        return [m for m in self.sent if m.touser == userid]

    @property
    def robot_url(self) -> str:
        return f"{self.url}/cgi-bin/webhook/send"

    async def _token(self, request: web.Request) -> web.Response:
        self.calls["gettoken"] += 1
        q = request.query
        if q.get("corpid") != self.corpid or q.get("corpsecret") != self.secret:
            return error(40001, "invalid credential")
        return self.issue_token()

    async def _send(self, request: web.Request) -> web.Response:
        self.calls["send"] += 1
        body = await request.json()
        refused = self.refusal(request)
        if refused is not None:
            return refused
        if body.get("agentid") != self.agentid:
            return error(40056, "invalid agentid")
        touser, msgtype = body["touser"], body["msgtype"]
        if self.members is not None and touser not in self.members:
            return ok(invaliduser=touser)
        message = AppMessage(touser, msgtype, body[msgtype], self.monotonic())
        if self._over_limit(touser, message.at):
            self.dropped.append(message)       # WeCom answers ok and never shows it
        else:
            self.sent.append(message)
        return ok(msgid=f"msg{len(self.sent)}")

    def _over_limit(self, touser: str, now: float) -> bool:
        recent = self._recent[touser]
        while recent and now - recent[0] >= 60:
            recent.popleft()
        if len(recent) >= self.per_minute:
            return True
        recent.append(now)
        return False

    async def _media_get(self, request: web.Request) -> web.Response:
        refused = self.refusal(request)
        if refused is not None:
            return refused
        data = self.media.get(request.query.get("media_id", ""))
        if data is None:
            return error(40007, "invalid media_id")
        return web.Response(body=data, content_type="image/jpeg")

    async def _upload(self, request: web.Request) -> web.Response:
        refused = self.refusal(request)
        if refused is not None:
            return refused
        form = await request.post()
        media_id = f"wup{next(self._media_ids)}"
        self.uploads[media_id] = form["media"].file.read()
        return web.json_response({"errcode": 0, "type": "image", "media_id": media_id})

    async def _robot(self, request: web.Request) -> web.Response:
        self.calls["robot"] += 1
        body = await request.json()
        if self._failures:
            return error(self._failures.popleft(), "injected failure")
        if body.get("msgtype") != "markdown":
            return error(40008, "invalid message type")
        self.robot_posts.append(RobotPost(request.query.get("key", ""),
                                          body["markdown"]["content"]))
        return ok()
