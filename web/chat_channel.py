"""The web chat channel: a browser session talks to the same chat core as Telegram does.

Inbound: a message, a pressed choice, a map pin or a photo becomes an `Inbound` whose update id
the page made up, so a double click or a retry is handled once. Outbound: the page long-polls
for the outbox rows owed to its session (see `web.mailbox`).
"""
from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel, Field

from handlers import texts
from handlers.chat import Chat
from handlers.messages import Inbound, Sender
from storage.uow import UnitOfWork
from web.mailbox import WEB, MediaLink, OutboxBell, owed_to
from web.photos import MAX_BYTES, PhotoRefused, store_photo

SESSION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LONGEST_WAIT = 25.0
KNOWN_NAMES = 10_000


class Said(BaseModel):
    """One thing a person did in the page: typed, pressed a choice, or dropped a pin."""

    id: str | None = Field(default=None, max_length=80)
    text: str | None = Field(default=None, max_length=4000)
    button: str | None = Field(default=None, max_length=64)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    name: str | None = Field(default=None, max_length=40)


class WebChannel:
    """Turns page requests into inbound messages and hands each session its outbox rows."""

    def __init__(self, chat: Chat, uow: Callable[[], UnitOfWork], media_dir: Path,
                 bell: OutboxBell, link: MediaLink):
        self.chat, self.uow, self.media_dir, self.bell = chat, uow, media_dir, bell
        self.link = link
        self.names: dict[str, str] = {}

    def sender(self, session_id: str, name: str | None) -> Sender:
        """The page passes a display name once; it is remembered for the session's later turns."""
        if name and (session_id in self.names or len(self.names) < KNOWN_NAMES):
            self.names[session_id] = name.strip()
        return Sender(WEB, session_id, self.names.get(session_id, ""))

    async def receive(self, session_id: str, said: Said) -> bool:
        """Hand the message to the chat; False when nothing answered it (the same message id
        was handled before: a button pressed again after the page was reloaded)."""
        sender = self.sender(session_id, said.name)
        update_id = f"{session_id}:{said.id or uuid.uuid4().hex}"
        if said.button:
            inbound = Inbound.pressed(sender, said.button, update_id)
        elif said.lat is not None and said.lng is not None:
            inbound = Inbound.location(sender, said.lat, said.lng, update_id)
        elif said.text and said.text.strip():
            inbound = Inbound.text_message(sender, said.text.strip(), update_id)
        else:
            raise HTTPException(400, texts.WEB_UNSUPPORTED)
        return bool(await self.chat.receive(inbound))

    async def receive_photo(self, session_id: str, data: bytes, caption: str,
                            message_id: str | None, name: str | None) -> None:
        try:
            path = await asyncio.to_thread(store_photo, data, self.media_dir)
        except PhotoRefused as refusal:
            raise HTTPException(refusal.status, str(refusal)) from None
        sender = self.sender(session_id, name)
        update_id = f"{session_id}:{message_id or uuid.uuid4().hex}"
        await self.chat.receive(Inbound.photo_message(sender, str(path), caption.strip(),
                                                      update_id))

    async def messages(self, session_id: str, after: int, wait: float) -> list[dict[str, Any]]:
        """Rows newer than `after`; with none yet, wait for commits up to `wait` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(wait, 0.0), LONGEST_WAIT)
        while True:
            rang = self.bell.rings
            async with self.uow() as uow:
                found = await owed_to(uow, session_id, after, self.link)
                await uow.commit()
            remaining = deadline - loop.time()
            if found or remaining <= 0 or not await self.bell.wait(rang, remaining):
                return found


def checked(session_id: str) -> str:
    if not SESSION.match(session_id):
        raise HTTPException(400, texts.WEB_BAD_SESSION)
    return session_id


def chat_routes(channel: WebChannel) -> APIRouter:
    routes = APIRouter(prefix="/api/chat")

    @routes.post("/{session_id}/send")
    async def send(session_id: str, said: Said) -> dict[str, bool]:
        answered = await channel.receive(checked(session_id), said)
        return {"ok": True, "answered": answered}

    @routes.post("/{session_id}/photo")
    async def photo(session_id: str, request: Request, file: Annotated[UploadFile, File()],
                    caption: Annotated[str, Form()] = "",
                    message_id: Annotated[str | None, Form(alias="id", max_length=80)] = None,
                    name: Annotated[str | None, Form(max_length=40)] = None) -> dict[str, bool]:
        checked(session_id)
        if int(request.headers.get("content-length") or 0) > MAX_BYTES + 64 * 1024:
            raise HTTPException(413, texts.PHOTO_TOO_LARGE.format(mb=MAX_BYTES // 2**20))
        data = await file.read(MAX_BYTES + 1)
        await channel.receive_photo(session_id, data, caption[:500], message_id, name)
        return {"ok": True}

    @routes.get("/{session_id}/messages")
    async def messages(session_id: str, after: Annotated[int, Query(ge=0)] = 0,
                       wait: Annotated[float, Query(ge=0, le=LONGEST_WAIT)] = 20.0,
                       ) -> dict[str, Any]:
        found = await channel.messages(checked(session_id), after, wait)
        return {"messages": found, "last": found[-1]["id"] if found else after}

    return routes
