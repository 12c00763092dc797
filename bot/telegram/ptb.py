"""Telegram through python-telegram-bot: updates become Inbound, Outbound becomes Bot API calls."""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import warnings
from pathlib import Path

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram import error as tg_error
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.delivery import RetryAfter, TransientError, Undeliverable
from bot.telegram import convert
from bot.telegram import media as telegram_media
from bot.telegram.ptb_request import AiohttpRequest
from bot.telegram.transport import (
    PersonTurns,
    Receive,
    Unreachable,
    secret_matches,
    update_json,
)
from handlers import menus
from handlers.messages import Choice, Outbound

log = logging.getLogger(__name__)
_REFUSED = (tg_error.BadRequest, tg_error.Forbidden, tg_error.ChatMigrated,
            tg_error.InvalidToken, tg_error.EndPointNotFound)


class PtbTransport:
    """A python-telegram-bot Application that only translates."""

    def __init__(self, token: str, api_url: str, media_dir: Path, *, mode: str = "polling",
                 webhook_secret: str | None = None, webhook_url: str | None = None,
                 concurrency: int = 1, pool_size: int | None = None, poll_timeout: int = 10,
                 http: str = "httpx"):
        api = api_url.rstrip("/")
        builder = (Application.builder().token(token)
                   .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
                   .concurrent_updates(concurrency if concurrency > 1 else False))
        if http == "aiohttp":
            builder = builder.request(AiohttpRequest(pool_size or 100))
        elif pool_size:
            builder = builder.connection_pool_size(pool_size).pool_timeout(30)
        if mode == "webhook":
            builder = builder.updater(None)
        self._app = builder.build()
        self._app.add_handler(TypeHandler(Update, self._on_update))
        self._app.add_error_handler(self._on_error)
        self._mode, self._secret, self._webhook_url = mode, webhook_secret, webhook_url
        self._media_dir, self._poll_timeout = Path(media_dir), poll_timeout
        self._turns = PersonTurns()
        self._receive: Receive | None = None

    @property
    def username(self) -> str | None:
        """The bot's username, as getMe gave it at start (for invite deep links)."""
        try:
            return self._app.bot.username
        except RuntimeError:   # not started: getMe not asked yet
            return None

    async def start(self, receive: Receive) -> None:
        """Raises Unreachable when the Bot API cannot be reached; calling again is safe."""
        try:
            await self._start(receive)
        except tg_error.BadRequest:   # PTB's BadRequest is a NetworkError: the API answered
            raise
        except tg_error.NetworkError as trouble:   # TimedOut included
            raise Unreachable(str(trouble)) from None

    async def _start(self, receive: Receive) -> None:
        self._receive = receive
        await self._app.initialize()   # calls getMe
        # The "/" menu everyone sees; riders and staff get theirs per chat (`Outbound.menu`).
        await self._app.bot.set_my_commands(_commands(menus.RESIDENT))
        if self._mode == "polling":
            assert self._app.updater is not None   # only webhook mode is built without one
            await self._app.updater.start_polling(
                timeout=dt.timedelta(seconds=self._poll_timeout),
                allowed_updates=convert.ALLOWED_UPDATES, drop_pending_updates=False)
        elif self._webhook_url:
            await self._app.bot.set_webhook(self._webhook_url, secret_token=self._secret,
                                            allowed_updates=convert.ALLOWED_UPDATES)
        await self._app.start()

    async def stop(self) -> None:
        if self._app.updater and self._app.updater.running:
            await self._app.updater.stop()
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()

    async def handle_webhook(self, body: bytes, secret_header: str | None) -> bool:
        if not secret_matches(self._secret, secret_header):
            return False
        data = update_json(body)
        try:
            update = Update.de_json(data, self._app.bot) if data is not None else None
        except Exception:   # noqa: BLE001 — PTB's parser fails in many ways on odd input
            update = None   # JSON, but no update PTB can read: nothing to act on
        if update is None or not convert.understood(update):
            log.info("telegram webhook: body is no update, ignored")
            return True
        # Straight to the translation, not through the Application, so a failure reaches the
        # web route, which answers 500 and Telegram delivers the update again.
        await self._translate(update)
        return True

    async def deliver(self, out: Outbound) -> None:
        try:
            if out.menu:
                await self._app.bot.set_my_commands(
                    _commands(out.menu), scope=BotCommandScopeChat(int(out.external_id)))
            if out.attachments:
                await self._send_attachments(out)
            if out.ask_contact:
                await self._app.bot.send_message(out.external_id, out.text,
                                                 reply_markup=_contact_markup(out))
            elif out.photo:
                await self._send_photo(out, _markup(out.choices))
            else:
                await self._app.bot.send_message(out.external_id, out.text,
                                                 reply_markup=_markup(out.choices))
        except tg_error.RetryAfter as e:
            raise RetryAfter(_seconds(e)) from e
        except _REFUSED as e:
            raise Undeliverable(str(e)) from e
        except tg_error.TelegramError as e:
            raise TransientError(str(e)) from e

    async def _send_photo(self, out: Outbound, markup: InlineKeyboardMarkup | None) -> None:
        source = convert.photo_source(out.photo or "", self._media_dir)
        photo = source.read_bytes() if isinstance(source, Path) else source
        caption, follow_up = convert.split_caption(out.text)
        await self._app.bot.send_photo(out.external_id, photo, caption=caption or None,
                                       reply_markup=None if follow_up else markup)
        if follow_up:
            await self._app.bot.send_message(out.external_id, follow_up, reply_markup=markup)

    async def _send_attachments(self, out: Outbound) -> None:
        """A new order's album (or photo), voice note and pin, ahead of its text and buttons.

        A retry after a failure half way sends them again: a repeat beats a handler who never
        sees the photo."""
        bot, chat = self._app.bot, out.external_id
        photos = convert.kept_files(out.photos, self._media_dir)[:convert.ALBUM_LIMIT]
        if len(photos) == 1:
            await bot.send_photo(chat, photos[0].read_bytes())
        elif photos:
            await bot.send_media_group(chat, [InputMediaPhoto(p.read_bytes()) for p in photos])
        for voice in convert.kept_files((out.voice,) if out.voice else (), self._media_dir):
            method = convert.voice_method(voice)
            if method == "sendVoice":
                await bot.send_voice(chat, voice.read_bytes())
            elif method == "sendAudio":
                await bot.send_audio(chat, voice.read_bytes(), filename=voice.name)
            else:
                await bot.send_document(chat, voice.read_bytes(), filename=voice.name)
        if pin := out.location:
            if pin.title:
                await bot.send_venue(chat, pin.lat, pin.lng, pin.title, pin.title)
            else:
                await bot.send_location(chat, pin.lat, pin.lng)

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await self._translate(update)

    async def _translate(self, update: Update) -> None:
        if self._receive is None:
            raise RuntimeError("transport not started")
        if query := update.callback_query:
            async with self._turns.turn(str(query.from_user.id)):
                with contextlib.suppress(tg_error.TelegramError):
                    await query.answer()  # stops the button's spinner; the dialog answers next
                await self._receive(convert.pressed(query, update.update_id))
            return
        message = update.message
        if message is None or message.from_user is None:
            return
        async with self._turns.turn(str(message.from_user.id)):
            media = convert.media_of(message)
            stored = await self._download(media) if media else None
            inbound = convert.inbound_of(message, update.update_id, stored)
            if inbound:
                await self._receive(inbound)

    async def _download(self, media: convert.Media) -> Path | None:
        async def fetch(file_id: str) -> bytes:
            file = await self._app.bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        return await telegram_media.keep(media, self._media_dir, fetch)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update %s not handled", getattr(update, "update_id", "?"),
                  exc_info=context.error)


def _commands(menu: str) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in menus.commands(menu)]


def _markup(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    rows = convert.keyboard_rows(choices)
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.data) for c in row] for row in rows])


def _contact_markup(out: Outbound) -> ReplyKeyboardMarkup:
    rows = convert.contact_rows(out.ask_contact or "", out.choices)
    return ReplyKeyboardMarkup([[KeyboardButton(label, request_contact=asks)]
                                for label, asks in rows],
                               one_time_keyboard=True, resize_keyboard=True)


def _seconds(error: tg_error.RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
