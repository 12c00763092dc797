"""The few 公众号 API calls gridbot makes: customer-service and template messages, media, menu."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from bot.wechat.http import TokenClient
from bot.wechat.window import WindowClosed

OUT_OF_WINDOW = {45015: "response out of time limit", 45047: "out of response count limit"}


class OfficialAccountAPI(TokenClient):
    def __init__(self, http: httpx.AsyncClient, base_url: str, appid: str, secret: str):
        super().__init__(http, base_url, "/cgi-bin/token",
                         {"grant_type": "client_credential", "appid": appid, "secret": secret})

    def check(self, code: int, message: str) -> None:
        if code in OUT_OF_WINDOW:
            raise WindowClosed(f"WeChat says {OUT_OF_WINDOW[code]}")
        super().check(code, message)

    async def send_text(self, openid: str, text: str) -> None:
        await self.call("POST", "/cgi-bin/message/custom/send",
                        json={"touser": openid, "msgtype": "text", "text": {"content": text}})

    async def send_image(self, openid: str, media_id: str) -> None:
        await self.call("POST", "/cgi-bin/message/custom/send",
                        json={"touser": openid, "msgtype": "image",
                              "image": {"media_id": media_id}})

    async def send_template(self, openid: str, template_id: str, data: dict[str, Any],
                            url: str | None = None) -> None:
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        await self.call("POST", "/cgi-bin/message/template/send", json=body)

    async def upload_image(self, path: Path) -> str:
        """A temporary image (3 days) to send by media_id."""
        image = await asyncio.to_thread(path.read_bytes)
        body = await self.call("POST", "/cgi-bin/media/upload", params={"type": "image"},
                               files={"media": (path.name, image, "image/jpeg")})
        media_id: str = body["media_id"]
        return media_id

    async def send_voice(self, openid: str, media_id: str) -> None:
        await self.call("POST", "/cgi-bin/message/custom/send",
                        json={"touser": openid, "msgtype": "voice",
                              "voice": {"media_id": media_id}})

    async def upload_voice(self, path: Path) -> str:
        """A temporary voice note (AMR or MP3, 3 days) to send by media_id."""
        voice = await asyncio.to_thread(path.read_bytes)
        body = await self.call("POST", "/cgi-bin/media/upload", params={"type": "voice"},
                               files={"media": (path.name, voice, "application/octet-stream")})
        media_id: str = body["media_id"]
        return media_id

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("POST", "/cgi-bin/menu/create", json=menu)
