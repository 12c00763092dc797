"""The WeCom calls gridbot makes: application messages, media, and group-robot posts."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from bot.delivery import RetryAfter, TransientError, Undeliverable
from bot.wechat.http import BUSY, FREQUENCY_PAUSE_S, TOO_FAST, ApiError, TokenClient


class WeComAPI(TokenClient):
    def __init__(self, http: httpx.AsyncClient, base_url: str, corpid: str, secret: str,
                 agentid: int):
        super().__init__(http, base_url, "/cgi-bin/gettoken",
                         {"corpid": corpid, "corpsecret": secret})
        self.agentid = agentid

    async def send(self, userid: str, msgtype: str, content: dict[str, Any]) -> None:
        """One application message to one member."""
        body = await self.call("POST", "/cgi-bin/message/send",
                               json={"touser": userid, "msgtype": msgtype,
                                     "agentid": self.agentid, msgtype: content})
        if body.get("invaliduser"):
            raise Undeliverable(f"WeCom does not know member {body['invaliduser']!r}")

    async def upload_image(self, path: Path) -> str:
        image = await asyncio.to_thread(path.read_bytes)
        body = await self.call("POST", "/cgi-bin/media/upload", params={"type": "image"},
                               files={"media": (path.name, image, "image/jpeg")})
        media_id: str = body["media_id"]
        return media_id

    async def upload_file(self, path: Path, kind: str) -> str:
        """A temporary "voice" (AMR) or "file" (anything) to send by media_id."""
        data = await asyncio.to_thread(path.read_bytes)
        body = await self.call("POST", "/cgi-bin/media/upload", params={"type": kind},
                               files={"media": (path.name, data, "application/octet-stream")})
        media_id: str = body["media_id"]
        return media_id


async def post_to_robot(http: httpx.AsyncClient, url: str, key: str, markdown: str) -> None:
    """One markdown post by a group robot's webhook."""
    try:
        body = {"msgtype": "markdown", "markdown": {"content": markdown}}
        response = await http.post(url, params={"key": key},
                                   content=json.dumps(body, ensure_ascii=False).encode(),
                                   headers={"Content-Type": "application/json; charset=utf-8"})
    except httpx.HTTPError as trouble:
        raise TransientError(f"robot webhook: {trouble!r}") from trouble
    if response.status_code >= 500:
        raise TransientError(f"robot webhook: HTTP {response.status_code}")
    code = int(response.json().get("errcode") or 0)
    if code in TOO_FAST:
        raise RetryAfter(FREQUENCY_PAUSE_S)
    if code in BUSY:
        raise TransientError(f"robot webhook: errcode {code}")
    if code:
        raise ApiError(code, response.json().get("errmsg", ""))
