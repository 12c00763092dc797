"""Telegram through aiogram 3: updates become Inbound, Outbound becomes Bot API calls."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from aiogram import Bot, Dispatcher, Router
from aiogram import exceptions as ag_error
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from pydantic import ValidationError

from bot.delivery import RetryAfter, TransientError, Undeliverable
from bot.telegram import convert
from bot.telegram import media as telegram_media
from bot.telegram.transport import (
    PersonTurns,
    Receive,
    Unreachable,
    secret_matches,
    update_json,
)
from handlers import menus
from handlers.messages import Choice, Inbound, Outbound

_REFUSED = (ag_error.TelegramBadRequest, ag_error.TelegramForbiddenError,
            ag_error.TelegramNotFound, ag_error.TelegramMigrateToChat,
            ag_error.TelegramUnauthorizedError, ag_error.TelegramEntityTooLarge)
_PASSING = (ag_error.TelegramAPIError, ag_error.ClientDecodeError)
log = logging.getLogger(__name__)


class AiogramTransport:
    """An aiogram Bot and Dispatcher that only translate."""

    def __init__(self, token: str, api_url: str, media_dir: Path, *, mode: str = "polling",
                 webhook_secret: str | None = None, webhook_url: str | None = None,
                 concurrency: int = 1, poll_timeout: int = 10):
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self._bot = Bot(token, session=session)
        self._dispatcher = Dispatcher()
        router = Router(name="gridbot")
        router.message()(self._on_message)
        router.callback_query()(self._on_press)
        self._dispatcher.include_router(router)
        self._mode, self._secret, self._webhook_url = mode, webhook_secret, webhook_url
        self._media_dir, self._poll_timeout = Path(media_dir), poll_timeout
        self._concurrency = concurrency
        self._turns = PersonTurns()
        self._receive: Receive | None = None
        self._polling: asyncio.Task[None] | None = None
        self._username: str | None = None

    @property
    def username(self) -> str | None:
        """The bot's username, as getMe gave it at start (for invite deep links)."""
        return self._username

    async def start(self, receive: Receive) -> None:
        """Raises Unreachable when the Bot API cannot be reached; calling again is safe."""
        try:
            await self._start(receive)
        except ag_error.TelegramNetworkError as trouble:
            raise Unreachable(str(trouble)) from None

    async def _start(self, receive: Receive) -> None:
        self._receive = receive
        self._username = (await self._bot.get_me()).username
        # The "/" menu everyone sees; riders and staff get theirs per chat (`Outbound.menu`).
        await self._bot.set_my_commands(_commands(menus.RESIDENT))
        if self._mode == "polling":
            await self._bot.delete_webhook()   # as PTB does: getUpdates fails while one is set
            self._polling = asyncio.create_task(self._dispatcher.start_polling(
                self._bot, polling_timeout=self._poll_timeout, handle_signals=False,
                close_bot_session=False, allowed_updates=convert.ALLOWED_UPDATES,
                handle_as_tasks=self._concurrency > 1,
                tasks_concurrency_limit=self._concurrency if self._concurrency > 1 else None))
        elif self._webhook_url:
            await self._bot.set_webhook(self._webhook_url, secret_token=self._secret,
                                        allowed_updates=convert.ALLOWED_UPDATES)

    async def stop(self) -> None:
        if self._polling:
            try:
                await self._dispatcher.stop_polling()
            except RuntimeError:   # stopped before polling began
                self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        await self._bot.session.close()

    async def handle_webhook(self, body: bytes, secret_header: str | None) -> bool:
        if not secret_matches(self._secret, secret_header):
            return False
        data = update_json(body)
        try:
            update = (Update.model_validate(data, context={"bot": self._bot})
                      if data is not None else None)
        except (ValidationError, ValueError, OverflowError, RecursionError):
            update = None   # JSON, but no update aiogram can read: nothing to act on
        if update is None or not convert.understood(update):
            log.info("telegram webhook: body is no update, ignored")
            return True
        # feed_update lets a failure reach the web route, so Telegram delivers again.
        await self._dispatcher.feed_update(self._bot, update)
        return True

    async def deliver(self, out: Outbound) -> None:
        try:
            if out.menu:
                await self._bot.set_my_commands(
                    _commands(out.menu), scope=BotCommandScopeChat(chat_id=int(out.external_id)))
            if out.attachments:
                await self._send_attachments(out)
            if out.ask_contact:
                await self._bot.send_message(out.external_id, out.text,
                                             reply_markup=_contact_markup(out))
            elif out.photo:
                await self._send_photo(out, _markup(out.choices))
            else:
                await self._bot.send_message(out.external_id, out.text,
                                             reply_markup=_markup(out.choices))
        except ag_error.TelegramRetryAfter as e:
            raise RetryAfter(float(e.retry_after)) from e
        except _REFUSED as e:
            raise Undeliverable(str(e)) from e
        except _PASSING as e:
            raise TransientError(str(e)) from e

    async def _send_photo(self, out: Outbound, markup: InlineKeyboardMarkup | None) -> None:
        source = convert.photo_source(out.photo or "", self._media_dir)
        photo = (BufferedInputFile(source.read_bytes(), source.name)
                 if isinstance(source, Path) else source)
        caption, follow_up = convert.split_caption(out.text)
        await self._bot.send_photo(out.external_id, photo, caption=caption or None,
                                   reply_markup=None if follow_up else markup)
        if follow_up:
            await self._bot.send_message(out.external_id, follow_up, reply_markup=markup)

    async def _send_attachments(self, out: Outbound) -> None:
        """A new order's album (or photo), voice note and pin, ahead of its text and buttons.

        A retry after a failure half way sends them again: a repeat beats a handler who never
        sees the photo."""
        bot, chat = self._bot, out.external_id
        photos = convert.kept_files(out.photos, self._media_dir)[:convert.ALBUM_LIMIT]
        if len(photos) == 1:
            await bot.send_photo(chat, _upload(photos[0]))
        elif photos:
            await bot.send_media_group(chat, [InputMediaPhoto(media=_upload(p)) for p in photos])
        for voice in convert.kept_files((out.voice,) if out.voice else (), self._media_dir):
            method = convert.voice_method(voice)
            if method == "sendVoice":
                await bot.send_voice(chat, _upload(voice))
            elif method == "sendAudio":
                await bot.send_audio(chat, _upload(voice))
            else:
                await bot.send_document(chat, _upload(voice))
        if pin := out.location:
            if pin.title:
                await bot.send_venue(chat, pin.lat, pin.lng, pin.title, pin.title)
            else:
                await bot.send_location(chat, pin.lat, pin.lng)

    async def _on_press(self, query: CallbackQuery, event_update: Update) -> None:
        async with self._turns.turn(str(query.from_user.id)):
            with contextlib.suppress(ag_error.TelegramAPIError):
                await query.answer()  # stops the button's spinner; the dialog answers next
            await self._hand_in(convert.pressed(query, event_update.update_id))

    async def _on_message(self, message: Message, event_update: Update) -> None:
        if message.from_user is None:
            return
        async with self._turns.turn(str(message.from_user.id)):
            media = convert.media_of(message)
            stored = await self._download(media) if media else None
            inbound = convert.inbound_of(message, event_update.update_id, stored)
            if inbound:
                await self._hand_in(inbound)

    async def _hand_in(self, inbound: Inbound) -> None:
        if self._receive is None:
            raise RuntimeError("transport not started")
        await self._receive(inbound)

    async def _download(self, media: convert.Media) -> Path | None:
        async def fetch(file_id: str) -> bytes:
            got = await self._bot.download(file_id)
            return got.read() if got is not None else b""
        return await telegram_media.keep(media, self._media_dir, fetch)


def _commands(menu: str) -> list[BotCommand]:
    return [BotCommand(command=name, description=description)
            for name, description in menus.commands(menu)]


def _markup(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    rows = convert.keyboard_rows(choices)
    if not rows:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=c.label, callback_data=c.data) for c in row] for row in rows])


def _upload(path: Path) -> BufferedInputFile:
    return BufferedInputFile(path.read_bytes(), path.name)


def _contact_markup(out: Outbound) -> ReplyKeyboardMarkup:
    rows = convert.contact_rows(out.ask_contact or "", out.choices)
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=label, request_contact=asks)]
                                         for label, asks in rows],
                               one_time_keyboard=True, resize_keyboard=True)
