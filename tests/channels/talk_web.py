"""Drives the scenario suite through the web chat's HTTP API, as the demo page does."""
from __future__ import annotations

import io
import itertools

from PIL import Image

from handlers.messages import Choice, Outbound, Pin


def tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


class WebTalk:
    def __init__(self, client, services=None):
        self.client, self.services = client, services
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
                pin = row.get("location")
                self.received.setdefault(user, []).append(Outbound(
                    "web", user, row["text"], tuple(Choice(l, d) for l, d in row["choices"]),
                    row.get("photo"),
                    photos=tuple(row.get("photos") or ()), voice=row.get("voice"),
                    location=Pin(pin["lat"], pin["lng"], pin["title"]) if pin else None))

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

    async def contact(self, user, phone: str, update_id=None):
        """The web chat has no share button: the number is typed."""
        return await self.text(user, phone, update_id)

    async def press_unoffered(self, user, data, update_id=None):
        return await self.press(user, data, update_id)

    def inbox(self, user) -> list[Outbound]:
        return self.received.get(user, [])

    def uow(self):
        return self.services.uow()

    def account(self, user: str) -> tuple[str, str]:
        return "web", user

    def pin_expected(self, point: tuple[float, float]) -> tuple[float, float]:
        return point
