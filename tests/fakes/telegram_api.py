"""A loopback Telegram Bot API: the real libraries talk HTTP to it while a test plays the users."""
from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import math
import socket
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

import aiohttp
from aiohttp import web

SENDING = ("sendMessage", "sendPhoto", "editMessageText", "sendMediaGroup", "sendVoice",
           "sendAudio", "sendDocument", "sendLocation", "sendVenue")
HARMLESS = {"setmycommands", "deletemycommands", "setmydescription", "setmyshortdescription",
            "setmyname", "setchatmenubutton", "sendchataction", "logout", "close"}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class SentCall:
    """One message the bot sent or edited, as the emulator received it."""

    method: str
    chat_id: int
    text: str | None
    reply_markup: dict | None
    photo: bytes | str | None
    message_id: int
    at: float                      # time.monotonic() on arrival
    media: tuple = ()              # an album's photos, or the voice, audio or document sent
    location: tuple | None = None  # (latitude, longitude, title) of sendLocation / sendVenue

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]


@dataclass
class _Pending:
    update: dict
    redelivery: bool = False
    handed_out: bool = False

    @property
    def update_id(self) -> int:
        return self.update["update_id"]


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    methods: tuple[str, ...] | None


# Telegram's Bots FAQ: "avoid sending more than one message per second" in a chat, "we may
# allow short bursts that go over this limit, but eventually you'll begin receiving 429 errors";
# at most 20 messages a minute to one group; about 30 messages a second in all. The FAQ gives no
# burst size: CHAT_BURST is this emulator's, and the sender's must fit within it.
CHAT_BURST = 6
JITTER = 0.05   # seconds: "about" one a second; a send paced at 1/s may arrive a hair early


@dataclass
class RateLimits:
    per_chat_per_s: float | None
    global_per_s: float | None
    chat_burst: int = CHAT_BURST
    group_per_min: int | None = 20
    chats: dict[int, tuple[float, float]] = field(default_factory=dict)   # tokens, as of when
    groups: dict[int, deque[float]] = field(default_factory=dict)
    recent: deque[float] = field(default_factory=deque)
    broken: Counter[str] = field(default_factory=Counter)   # 429s by the limit broken

    def retry_after(self, chat_id: int, now: float) -> int | None:
        """Seconds to wait if a send to `chat_id` now breaks a limit; else counts the send."""
        waits = {"": 0.0}
        tokens = float(self.chat_burst)
        if self.per_chat_per_s:
            held, since = self.chats.get(chat_id, (tokens, now))
            tokens = min(tokens, held + (now - since) * self.per_chat_per_s)
            if tokens < 1 - JITTER * self.per_chat_per_s:
                waits["chat"] = (1 - tokens) / self.per_chat_per_s
        group = self.groups.setdefault(chat_id, deque()) if chat_id < 0 else deque()
        while group and now - group[0] >= 60:
            group.popleft()
        if self.group_per_min and chat_id < 0 and len(group) >= self.group_per_min:
            waits["group"] = 60 - (now - group[0])
        while self.recent and now - self.recent[0] >= 1:
            self.recent.popleft()
        if self.global_per_s and len(self.recent) >= self.global_per_s:
            waits["overall"] = 1 - (now - self.recent[0])
        if (broken := max(waits, key=waits.__getitem__)) != "":
            self.broken[broken] += 1
            return max(1, math.ceil(waits[broken]))
        if self.per_chat_per_s:
            self.chats[chat_id] = (tokens - 1, now)
        group.append(now)
        self.recent.append(now)
        return None


class TelegramEmulator:
    """`async with TelegramEmulator() as tg:` then point a library at `tg.base_url`."""

    def __init__(self, token: str = "123456:TEST-emulator-token", username: str = "gridbot_test_bot"):
        self.token, self.base_url = token, ""
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Gridbot",
                         "username": username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.sent: list[SentCall] = []
        self.sent_to: dict[int, list[SentCall]] = {}    # the same, by chat
        self.answered: list[str] = []                   # callback_query ids answered
        self.calls: Counter[str] = Counter()            # every Bot API method called
        self.too_many = 0                               # 429s answered
        self.webhook_replies: list[tuple[int, int]] = []   # (update_id, HTTP status)
        self.injected_at: dict[int, float] = {}         # update_id -> time.monotonic()
        self._pending: list[_Pending] = []
        self._updates: dict[int, dict] = {}
        self._files: dict[str, tuple[str, str, bytes]] = {}   # file_id -> unique id, path, bytes
        self._paths: dict[str, bytes] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._update_ids, self._file_ids, self._query_ids = (itertools.count(10_001),
                                                            itertools.count(1), itertools.count(1))
        self._message_ids: Counter[int] = Counter()
        self._arrived = asyncio.Event()
        self._changed = asyncio.Condition()
        self._limit: RateLimits | None = None
        self._failures: deque[_Failure] = deque()
        self._webhook: tuple[str, str | None] | None = None
        self._pusher: asyncio.Task | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.commands: dict[str, list[dict]] = {}
        self._methods = {name.lower(): getattr(self, f"_{name}") for name in (
            "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo", "sendMessage",
            "sendPhoto", "editMessageText", "answerCallbackQuery", "getFile", "getMyCommands",
            "sendMediaGroup", "sendVoice", "sendAudio", "sendDocument", "sendLocation",
            "sendVenue", "setMyCommands")}

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=50 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        self._closing = True
        self._wake()
        if self._pusher:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        if self._runner:
            await self._runner.cleanup()

    # ---- the users' side -------------------------------------------------------------------
    def user_sends_text(self, user_id: int, text: str, chat_id: int | None = None) -> int:
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            extra["entities"] = [{"type": "bot_command", "offset": 0,
                                  "length": len(text.split(" ", 1)[0])}]
        return self._push({"message": self._user_message(user_id, chat_id, **extra)})

    def user_sends_photo(self, user_id: int, jpeg: bytes, caption: str = "",
                         chat_id: int | None = None, unique_id: str | None = None) -> int:
        """`unique_id` forces the full size's file_unique_id (as a crafted client could)."""
        extra: dict[str, Any] = {"photo": self._photo_sizes(jpeg, unique_id)}
        if caption:
            extra["caption"] = caption
        return self._push({"message": self._user_message(user_id, chat_id, **extra)})

    def user_sends_location(self, user_id: int, lat: float, lng: float) -> int:
        location = {"latitude": lat, "longitude": lng}
        return self._push({"message": self._user_message(user_id, None, location=location)})

    def user_shares_contact(self, user_id: int, phone: str, owner: int | None = None) -> int:
        """The request-contact button (`owner` None: the user's own), or a forwarded card."""
        contact = {"phone_number": phone, "first_name": f"user{user_id}",
                   "user_id": user_id if owner is None else owner}
        return self._push({"message": self._user_message(user_id, None, contact=contact)})

    def user_sends_voice(self, user_id: int, ogg: bytes, duration: int = 3) -> int:
        voice = {**self._store("voice", ".ogg", ogg), "duration": duration,
                 "mime_type": "audio/ogg"}
        return self._push({"message": self._user_message(user_id, None, voice=voice)})

    def user_sends_sticker(self, user_id: int) -> int:
        sticker = {**self._store("sticker", ".webp", b"RIFF-sticker"), "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False,
                   "emoji": "👍"}
        return self._push({"message": self._user_message(user_id, None, sticker=sticker)})

    def user_presses(self, user_id: int, callback_data: str, message_id: int,
                     chat_id: int | None = None) -> int:
        chat = chat_id or user_id
        message = self._messages.get((chat, message_id)) or {
            "message_id": message_id, "date": int(time.time()), "chat": self._chat(chat, user_id),
            "from": self.bot_user, "text": "…"}
        query = {"id": str(next(self._query_ids)), "from": self._user(user_id),
                 "chat_instance": f"ci{chat}", "data": callback_data, "message": message}
        return self._push({"callback_query": query})

    def deliver_again(self, update_id: int) -> int:
        """Telegram hands the same update out again (the bot's confirmation got lost)."""
        self._pending.append(_Pending(self._updates[update_id], redelivery=True))
        self._wake()
        return update_id

    # ---- what the test controls and observes ---------------------------------------------
    def rate_limit(self, per_chat_per_s: float | None = 1, global_per_s: float | None = 30,
                   enabled: bool = True, chat_burst: int = CHAT_BURST,
                   group_per_min: int | None = 20) -> None:
        """Answer sends with 429 and retry_after when the bot breaks Telegram's limits: per chat
        `per_chat_per_s` in the long run after a burst of `chat_burst`, `group_per_min` in any
        minute to one group, `global_per_s` in any second overall."""
        self._limit = (RateLimits(per_chat_per_s, global_per_s, chat_burst, group_per_min)
                       if enabled else None)

    @property
    def too_many_by_limit(self) -> Counter[str]:
        """The 429s `rate_limit` answered, by the limit broken: chat, group, overall."""
        return Counter(self._limit.broken) if self._limit else Counter()

    def fail_next(self, n: int, status: int = 502, retry_after: int | None = None,
                  methods: tuple[str, ...] | None = SENDING) -> None:
        """The next `n` calls of `methods` (None: any method) fail with `status`."""
        self._failures.extend(_Failure(status, retry_after, methods) for _ in range(n))

    async def wait_for_sent(self, count: int, timeout: float = 5) -> list[SentCall]:
        await self._wait_until(lambda: len(self.sent) >= count, timeout,
                               lambda: f"{count} sent messages, got {self.sent}")
        return list(self.sent)

    async def wait_for_answer(self, chat_id: int, since: float, timeout: float = 5) -> SentCall:
        """The first message to `chat_id` that arrived at or after `since` (time.monotonic())."""
        def first() -> SentCall | None:
            return next((s for s in self.sent_to.get(chat_id, ()) if s.at >= since), None)
        await self._wait_until(lambda: first() is not None, timeout,
                               lambda: f"a message to {chat_id}")
        answer = first()
        assert answer is not None
        return answer

    async def wait_for_webhook_replies(self, count: int, timeout: float = 5) -> list:
        await self._wait_until(lambda: len(self.webhook_replies) >= count, timeout,
                               lambda: f"{count} webhook replies, got {self.webhook_replies}")
        return list(self.webhook_replies)

    def update(self, update_id: int) -> dict:
        """The JSON of an update, as Telegram would post it to a webhook."""
        return self._updates[update_id]

    # ---- the Bot API ------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        self.calls[method] += 1
        params, files = await _params(request)
        if self._failures and (self._failures[0].methods is None
                               or method in self._failures[0].methods):
            failure = self._failures.popleft()
            return self._refuse(failure.status, failure.retry_after)
        handler = self._methods.get(method.lower())
        if handler is None:
            return _ok(True) if method.lower() in HARMLESS else _error(404, "Not Found")
        return await handler(params, files)

    async def _getMe(self, p: dict, files: dict) -> web.Response:
        return _ok(self.bot_user)

    async def _getMyCommands(self, p: dict, files: dict) -> web.Response:
        return _ok(self.commands.get(_scope(p), []))

    async def _setMyCommands(self, p: dict, files: dict) -> web.Response:
        """Each scope's command menu: "default", or "chat:<id>" for one chat."""
        commands = p.get("commands") or []
        self.commands[_scope(p)] = json.loads(commands) if isinstance(commands, str) else commands
        return _ok(True)

    async def _getUpdates(self, p: dict, files: dict) -> web.Response:
        if self._webhook:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit = _int(p.get("offset")), _int(p.get("limit")) or 100
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(p.get("timeout") or 0)
        while True:
            if offset is not None:
                self._pending = [u for u in self._pending if u.update_id >= offset
                                 or (u.redelivery and not u.handed_out)]
            batch = self._pending[:limit]
            if batch or self._closing or loop.time() >= deadline:
                for item in batch:
                    item.handed_out = True
                return _ok([item.update for item in batch])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())

    async def _setWebhook(self, p: dict, files: dict) -> web.Response:
        if not p.get("url"):
            return await self._deleteWebhook(p, files)
        self._webhook = (p["url"], p.get("secret_token"))
        if _flag(p.get("drop_pending_updates")):
            self._pending.clear()
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.create_task(self._push_to_webhook())
        return _ok(True)

    async def _deleteWebhook(self, p: dict, files: dict) -> web.Response:
        self._webhook = None
        if _flag(p.get("drop_pending_updates")):
            self._pending.clear()
        self._wake()
        return _ok(True)

    async def _getWebhookInfo(self, p: dict, files: dict) -> web.Response:
        return _ok({"url": self._webhook[0] if self._webhook else "",
                    "has_custom_certificate": False, "pending_update_count": len(self._pending)})

    async def _sendMessage(self, p: dict, files: dict) -> web.Response:
        if not p.get("text"):
            return _error(400, "Bad Request: message text is empty")
        return await self._send("sendMessage", p, text=p["text"])

    async def _sendPhoto(self, p: dict, files: dict) -> web.Response:
        photo = p.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = files.get(photo.removeprefix("attach://"))
        photo = files.get("photo", photo)
        if not photo:
            return _error(400, "Bad Request: there is no photo in the request")
        sizes = self._photo_sizes(photo) if isinstance(photo, bytes) else [
            {"file_id": photo, "file_unique_id": f"u{photo}", "width": 1280, "height": 960}]
        extra = {"photo": sizes, **({"caption": p["caption"]} if p.get("caption") else {})}
        return await self._send("sendPhoto", p, text=p.get("caption"), upload=photo, **extra)

    async def _sendMediaGroup(self, p: dict, files: dict) -> web.Response:
        items = p.get("media") or []
        if not 2 <= len(items) <= 10:
            return _error(400, "Bad Request: wrong number of media in the album")
        uploads = tuple(files.get(str(i.get("media", "")).removeprefix("attach://"), i.get("media"))
                        for i in items)
        chat_id = _int(p.get("chat_id"))
        if chat_id is None:
            return _error(400, "Bad Request: chat_id is empty")
        sent = []
        for upload in uploads:
            message = self._message(chat_id, self.bot_user, self._chat(chat_id, chat_id),
                                    photo=self._photo_sizes(upload) if isinstance(upload, bytes)
                                    else [])
            sent.append(message)
        await self._record("sendMediaGroup", sent[0], None, None, media=uploads)
        return _ok(sent)

    async def _sendVoice(self, p: dict, files: dict) -> web.Response:
        return await self._send_file("sendVoice", "voice", p, files)

    async def _sendAudio(self, p: dict, files: dict) -> web.Response:
        return await self._send_file("sendAudio", "audio", p, files)

    async def _sendDocument(self, p: dict, files: dict) -> web.Response:
        return await self._send_file("sendDocument", "document", p, files)

    async def _send_file(self, method: str, field: str, p: dict, files: dict) -> web.Response:
        upload = files.get(field, p.get(field))
        if not upload:
            return _error(400, f"Bad Request: there is no {field} in the request")
        stored = self._store(field, ".bin", upload if isinstance(upload, bytes) else b"")
        return await self._send(method, p, text=None, media=(upload,),
                                **{field: {**stored, "duration": 1}})

    async def _sendLocation(self, p: dict, files: dict) -> web.Response:
        return await self._send_place("sendLocation", p)

    async def _sendVenue(self, p: dict, files: dict) -> web.Response:
        if not p.get("title") or not p.get("address"):
            return _error(400, "Bad Request: venue title and address are required")
        return await self._send_place("sendVenue", p)

    async def _send_place(self, method: str, p: dict) -> web.Response:
        try:
            lat, lng = float(p["latitude"]), float(p["longitude"])
        except (KeyError, TypeError, ValueError):
            return _error(400, "Bad Request: wrong latitude or longitude")
        location = {"latitude": lat, "longitude": lng}
        extra: dict[str, Any] = {"location": location}
        if method == "sendVenue":
            extra["venue"] = {"location": location, "title": p["title"], "address": p["address"]}
        return await self._send(method, p, text=None, place=(lat, lng, p.get("title")), **extra)

    async def _editMessageText(self, p: dict, files: dict) -> web.Response:
        key = (_int(p.get("chat_id")), _int(p.get("message_id")))
        message = self._messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        message.update(text=p.get("text", ""), edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        await self._record("editMessageText", message, p.get("reply_markup"), None)
        return _ok(message)

    async def _answerCallbackQuery(self, p: dict, files: dict) -> web.Response:
        self.answered.append(str(p.get("callback_query_id")))
        return _ok(True)

    async def _getFile(self, p: dict, files: dict) -> web.Response:
        if p.get("file_id") not in self._files:
            return _error(400, "Bad Request: invalid file_id")
        unique, path, data = self._files[p["file_id"]]
        return _ok({"file_id": p["file_id"], "file_unique_id": unique, "file_size": len(data),
                    "file_path": path})

    async def _download(self, request: web.Request) -> web.Response:
        data = self._paths.get(request.match_info["path"])
        if request.match_info["token"] != self.token or data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")

    # ---- the emulator's own machinery --------------------------------------------------------
    async def _send(self, method: str, p: dict, text: str | None, upload: Any = None,
                    media: tuple = (), place: tuple | None = None,
                    **content: Any) -> web.Response:
        chat_id = _int(p.get("chat_id"))
        if chat_id is None:
            return _error(400, "Bad Request: chat_id is empty")
        if self._limit and (wait := self._limit.retry_after(chat_id, time.monotonic())):
            return self._refuse(429, wait)
        if text is not None and method == "sendMessage":
            content["text"] = text
        markup = p.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            # As Telegram: a message carries only an inline keyboard; a reply keyboard (the
            # request-contact button) shows under the input field and is not returned.
            content["reply_markup"] = markup
        message = self._message(chat_id, self.bot_user, self._chat(chat_id, chat_id), **content)
        await self._record(method, message, p.get("reply_markup"), upload, media, place)
        return _ok(message)

    async def _record(self, method: str, message: dict, markup: dict | None, photo: Any,
                      media: tuple = (), place: tuple | None = None) -> None:
        text = message.get("text", message.get("caption"))
        sent = SentCall(method, message["chat"]["id"], text, markup, photo, message["message_id"],
                        time.monotonic(), media, place)
        self.sent.append(sent)
        self.sent_to.setdefault(sent.chat_id, []).append(sent)
        async with self._changed:
            self._changed.notify_all()

    def _refuse(self, status: int, retry_after: int | None) -> web.Response:
        if status == 429:
            self.too_many += 1
            wait = retry_after or 1
            return _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        return _error(status, HTTPStatus(status).phrase)

    async def _push_to_webhook(self) -> None:
        async with aiohttp.ClientSession() as http:
            while self._webhook and not self._closing:
                if not self._pending:
                    await self._arrived.wait()
                    continue
                item, (url, secret) = self._pending.pop(0), self._webhook
                headers = {SECRET_HEADER: secret} if secret else {}
                try:
                    async with http.post(url, json=item.update, headers=headers) as reply:
                        status = reply.status
                except aiohttp.ClientError:
                    status = 0
                self.webhook_replies.append((item.update_id, status))
                async with self._changed:
                    self._changed.notify_all()

    async def _wait_until(self, ready: Any, timeout: float, describe: Any) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(ready), timeout)
            except TimeoutError:
                raise TimeoutError(f"waited {timeout}s for {describe()}") from None

    def _push(self, body: dict) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **body}
        self._updates[update_id] = update
        self._pending.append(_Pending(update))
        self.injected_at[update_id] = time.monotonic()
        self._wake()
        return update_id

    def _wake(self) -> None:
        # A fresh Event per wake-up: every waiter of the old one runs, later waiters wait anew.
        arrived, self._arrived = self._arrived, asyncio.Event()
        arrived.set()

    def _user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"user{user_id}",
                "language_code": "zh-hans"}

    def _chat(self, chat_id: int, user_id: int) -> dict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"user{user_id}"}
        return {"id": chat_id, "type": "group", "title": f"group{-chat_id}"}

    def _user_message(self, user_id: int, chat_id: int | None, **content: Any) -> dict:
        chat = chat_id or user_id
        return self._message(chat, self._user(user_id), self._chat(chat, user_id), **content)

    def _message(self, chat_id: int, sender: dict, chat: dict, **content: Any) -> dict:
        self._message_ids[chat_id] += 1
        message = {"message_id": self._message_ids[chat_id], "date": int(time.time()),
                   "chat": chat, "from": sender, **content}
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _store(self, kind: str, suffix: str, data: bytes, unique_id: str | None = None) -> dict:
        n = next(self._file_ids)
        file_id, path = f"{kind}-{n}", f"{kind}s/file_{n}{suffix}"
        unique = unique_id if unique_id is not None else f"u{kind}{n}"
        self._files[file_id], self._paths[path] = (unique, path, data), data
        return {"file_id": file_id, "file_unique_id": unique, "file_size": len(data)}

    def _photo_sizes(self, jpeg: bytes, unique_id: str | None = None) -> list[dict]:
        """Telegram offers several sizes, smallest first; the last is what the user sent."""
        width, height = _image_size(jpeg)
        thumb = self._store("photo", ".jpg", b"thumbnail:" + jpeg[:64])
        return [{**thumb, "width": 90, "height": max(1, 90 * height // width)},
                {**self._store("photo", ".jpg", jpeg, unique_id), "width": width,
                 "height": height}]


async def _params(request: web.Request) -> tuple[dict, dict[str, bytes]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    params[key] = value
    return {key: _decoded(value) for key, value in params.items()}, files


def _decoded(value: Any) -> Any:
    """Form fields carry JSON for objects and arrays (reply_markup, allowed_updates)."""
    if isinstance(value, str) and value[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _flag(value: Any) -> bool:
    return value in (True, "true", "True", "1", 1)


def _image_size(data: bytes) -> tuple[int, int]:
    with contextlib.suppress(Exception):
        from PIL import Image
        return Image.open(io.BytesIO(data)).size
    return 1280, 960


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _scope(params: dict) -> str:
    scope = params.get("scope") or {}
    scope = json.loads(scope) if isinstance(scope, str) else scope
    return f"chat:{scope['chat_id']}" if scope.get("type") == "chat" else "default"
