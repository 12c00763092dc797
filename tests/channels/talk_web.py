"""Drives the scenario suite through the web chat's HTTP API, as the demo page does."""
from __future__ import annotations

import io
import itertools

from PIL import Image

from handlers.messages import Choice, Outbound


def tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


class WebTalk:
    def __init__(self, client):
        self.client = client
        self.received: dict[str, list[Outbound]] = {}
        self.cursor: dict[str, int] = {}
        self._ids = itertools.count(1)

    async def _collect(self) -> None:
        for user in list(self.cursor):
            answer = await self.client.get(f"/api/chat/{user}/messages",
                                           params={"after": self.cursor[user], "wait": 0})
            assert answer.status_code == 200, answer.text
            for row in answer.json()["messages"]:
                self.cursor[user] = max(self.cursor[user], row["id"])
                self.received.setdefault(user, []).append(Outbound(
                    "web", user, row["text"], tuple(Choice(l, d) for l, d in row["choices"]),
                    row.get("photo")))

    async def _do(self, user: str, sent) -> list[Outbound]:
        self.cursor.setdefault(user, 0)
        before = len(self.inbox(user))
        answer = await sent
        assert answer.status_code == 200, answer.text
        await self._collect()
        return self.inbox(user)[before:]

    def _body(self, update_id, **said):
        return {"id": update_id or f"m{next(self._ids)}", "name": "测试", **said}

    async def text(self, user, text, update_id=None):
        return await self._do(user, self.client.post(f"/api/chat/{user}/send",
                                                     json=self._body(update_id, text=text)))

    async def press(self, user, data, update_id=None):
        return await self._do(user, self.client.post(f"/api/chat/{user}/send",
                                                     json=self._body(update_id, button=data)))

    async def location(self, user, lat, lng, update_id=None):
        return await self._do(user, self.client.post(f"/api/chat/{user}/send",
                                                     json=self._body(update_id, lat=lat, lng=lng)))

    async def photo(self, user, content: bytes, caption="", update_id=None):
        files = {"file": ("photo.jpg", tiny_jpeg(), "image/jpeg")}
        data = {"caption": caption, "id": update_id or f"m{next(self._ids)}"}
        return await self._do(user, self.client.post(f"/api/chat/{user}/photo", files=files,
                                                     data=data))

    def inbox(self, user) -> list[Outbound]:
        return self.received.get(user, [])
