"""Drives the scenario suite through a real Telegram library talking HTTP to the emulator.

Updates go in through the emulator and the transport (polling); replies leave through the
outbox sender and are read back from what the emulator recorded — the whole real path.
"""
from __future__ import annotations

import asyncio
import itertools

from bot.sender import OutboxSender
from bot.telegram import make_transport
from handlers.messages import Choice, Outbound, Pin


class TelegramTalk:
    def __init__(self, tg, chat, uow, library: str, media_dir):
        self.tg, self.chat = tg, chat
        self.transport = make_transport(library, tg.token, tg.base_url, media_dir, poll_timeout=1)
        self.sender = OutboxSender(uow, "telegram", self.transport)
        self.ids: dict[str, int] = {}
        self.done: dict[str, asyncio.Event] = {}
        self.updates: dict[str, int] = {}          # the scenario's update ids → Telegram's
        self._next_user = itertools.count(7001)

    async def start(self) -> None:
        async def receive(inbound) -> None:
            try:
                await self.chat.receive(inbound)
            finally:
                self.done.setdefault(inbound.update_id, asyncio.Event()).set()
        await self.transport.start(receive)

    async def stop(self) -> None:
        await self.transport.stop()

    def _id(self, user: str) -> int:
        if user not in self.ids:
            self.ids[user] = next(self._next_user)
        return self.ids[user]

    async def _after(self, user: str, update_id: int) -> list[Outbound]:
        before = len(self.inbox(user))
        event = self.done.setdefault(str(update_id), asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout=10)
        event.clear()
        while await self.sender.drain_once():
            pass
        return self.inbox(user)[before:]

    def _deliver(self, user: str, update_id: str | None, send) -> int:
        if update_id is not None and update_id in self.updates:
            return self.tg.deliver_again(self.updates[update_id])
        real = send(self._id(user))
        if update_id is not None:
            self.updates[update_id] = real
        return real

    async def text(self, user, text, update_id=None):
        return await self._after(user, self._deliver(
            user, update_id, lambda uid: self.tg.user_sends_text(uid, text)))

    async def press(self, user, data, update_id=None):
        message_id = next((m.message_id for m in reversed(self.tg.sent)
                           if m.chat_id == self._id(user)
                           and any(d == data for row in m.buttons for _, d in row)),
                          self._last_message_id(user))
        return await self._after(user, self._deliver(
            user, update_id, lambda uid: self.tg.user_presses(uid, data, message_id)))

    async def location(self, user, lat, lng, update_id=None):
        return await self._after(user, self._deliver(
            user, update_id, lambda uid: self.tg.user_sends_location(uid, lat, lng)))

    async def photo(self, user, content: bytes, caption="", update_id=None):
        return await self._after(user, self._deliver(
            user, update_id, lambda uid: self.tg.user_sends_photo(uid, content, caption)))

    async def voice(self, user, content: bytes, update_id=None):
        return await self._after(user, self._deliver(
            user, update_id, lambda uid: self.tg.user_sends_voice(uid, content)))

    async def contact(self, user, phone: str, update_id=None):
        """The reply keyboard's request-contact button: Telegram sends the user's own number."""
        return await self._after(user, self._deliver(
            user, update_id, lambda uid: self.tg.user_shares_contact(uid, phone)))

    async def press_unoffered(self, user, data, update_id=None):
        return await self.press(user, data, update_id)

    def uow(self):
        return self.chat.deps.uow()

    def account(self, user: str) -> tuple[str, str]:
        return "telegram", str(self._id(user))

    def pin_expected(self, point: tuple[float, float]) -> tuple[float, float]:
        return point              # Telegram's pins are WGS-84

    def _last_message_id(self, user: str) -> int:
        mine = [m.message_id for m in self.tg.sent if m.chat_id == self._id(user)]
        return mine[-1] if mine else 1

    def inbox(self, user) -> list[Outbound]:
        """What `user` read, one Outbound per text; the photos, voice and pin sent just before a
        text are folded into it (as the method that carried each), as the sender sent them."""
        if user not in self.ids:
            return []
        found: list[Outbound] = []
        photos: list[str] = []
        voice: str | None = None
        pin: Pin | None = None
        for m in self.tg.sent:
            if m.chat_id != self.ids[user] or m.method == "editMessageText":
                continue
            if m.method == "sendMediaGroup" or (m.method == "sendPhoto" and not m.text):
                photos += [m.method] * max(1, len(m.media))
            elif m.method in ("sendVoice", "sendAudio", "sendDocument"):
                voice = m.method
            elif m.method in ("sendLocation", "sendVenue"):
                pin = Pin(m.location[0], m.location[1], m.location[2] or "")
            else:
                found.append(Outbound("telegram", str(m.chat_id), m.text or "", tuple(
                    Choice(label, data) for row in m.buttons for label, data in row),
                    "sent" if m.method == "sendPhoto" else None,
                    photos=tuple(photos), voice=voice, location=pin))
                photos, voice, pin = [], None, None
        return found
