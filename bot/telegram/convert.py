"""Pure translation between Telegram objects and gridbot's Inbound/Outbound vocabulary.

python-telegram-bot and aiogram both name their fields after the Bot API (message.photo,
message.location.latitude, query.from_user…), so one translation serves both libraries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.telegram.transport import CallbackDataTooLong
from handlers.messages import Choice, Inbound, Kind, Sender
from storage.media import MediaKind

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
CALLBACK_DATA_LIMIT = 64      # bytes, Bot API
CAPTION_LIMIT = 1024          # characters, Bot API
ONE_ROW_CHOICES = 3           # up to three short choices share a row, like 签收 / 退回 / 上报
SHORT_LABEL = 8


@dataclass(frozen=True)
class Media:
    """A file a message carries that gridbot keeps: the largest photo or a voice note."""

    file_id: str
    unique_id: str        # platform input: only its hash ever names a file
    kind: MediaKind
    suffix: str


def understood(update: Any) -> bool:
    """Whether a parsed update has what the translation reads, in the types Telegram sends.

    The libraries parse leniently (a missing sender, a number where text belongs); such an
    update did not come from Telegram as documented, and is acknowledged and left alone.
    """
    if query := update.callback_query:
        return _person(query.from_user) and (query.data is None or isinstance(query.data, str))
    message = update.message   # the only other kind gridbot asks Telegram for
    if message is None or not _person(message.from_user):
        return False
    if any(not isinstance(value, str | None) for value in (message.text, message.caption)):
        return False
    if loc := message.location:
        return _degrees(loc.latitude, 90) and _degrees(loc.longitude, 180)
    return True


def _person(user: Any) -> bool:
    return (user is not None and type(user.id) is int and abs(user.id) < 2**63
            and isinstance(user.full_name, str))


def _degrees(value: Any, limit: float) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and -limit <= value <= limit)


def sender_of(user: Any) -> Sender:
    return Sender(CHANNEL, str(user.id), user.full_name)


def media_of(message: Any) -> Media | None:
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return Media(largest.file_id, largest.file_unique_id, MediaKind.IMAGE, ".jpg")
    if message.voice:
        return Media(message.voice.file_id, message.voice.file_unique_id, MediaKind.AUDIO, ".ogg")
    return None


def inbound_of(message: Any, update_id: int, stored: Path | None = None) -> Inbound | None:
    """The Inbound for a message; `stored` is where its media was saved. None: not from a person."""
    if message.from_user is None:
        return None
    sender, uid = sender_of(message.from_user), str(update_id)
    if message.photo and stored:
        return Inbound.photo_message(sender, str(stored), message.caption or "", uid)
    if message.location:
        loc = message.location
        return Inbound.location(sender, loc.latitude, loc.longitude, uid)
    if message.contact:
        # Only the sender's own number (the request-contact button); a forwarded contact card
        # arrives without one, so nobody leaves a third party's number as theirs.
        own = message.contact.user_id is not None and message.contact.user_id == message.from_user.id
        return Inbound.contact(sender, message.contact.phone_number if own else "", uid)
    if message.voice and stored:
        # Telegram gives no transcript; Inbound has one media field, so the voice file rides in it.
        return Inbound(sender, Kind.VOICE, uid, "", photo=str(stored))
    if message.text is not None:
        return Inbound.text_message(sender, message.text, uid)
    return Inbound(sender, Kind.UNSUPPORTED, uid)


def pressed(query: Any, update_id: int) -> Inbound:
    return Inbound.pressed(sender_of(query.from_user), query.data or "", str(update_id))


def check_callback_data(data: str) -> str:
    size = len(data.encode())
    if size > CALLBACK_DATA_LIMIT:
        raise CallbackDataTooLong(
            f"choice data {data[:20]!r}… is {size} bytes; Telegram allows {CALLBACK_DATA_LIMIT}")
    return data


def keyboard_rows(choices: tuple[Choice, ...]) -> list[list[Choice]]:
    """Rows of buttons: a few short choices side by side, otherwise one per row."""
    for choice in choices:
        check_callback_data(choice.data)
    if len(choices) <= ONE_ROW_CHOICES and all(len(c.label) <= SHORT_LABEL for c in choices):
        return [list(choices)] if choices else []
    return [[choice] for choice in choices]


def split_caption(text: str) -> tuple[str, str | None]:
    """The photo's caption and the text that must follow as its own message, if too long."""
    return (text, None) if len(text) <= CAPTION_LIMIT else ("", text)


def contact_rows(label: str, choices: tuple[Choice, ...]) -> list[tuple[str, bool]]:
    """A reply keyboard's rows as (label, asks for the contact): "share my number" first, then
    the choices as plain text buttons (a reply keyboard sends its label as text, which the
    phone step reads as that choice)."""
    return [(label, True), *((c.label, False) for c in choices)]


# The voice formats Telegram plays as a voice note; mp3 and m4a go as audio, others as a file.
VOICE_SUFFIXES = frozenset({".ogg", ".oga", ".opus"})
AUDIO_SUFFIXES = frozenset({".mp3", ".m4a"})
ALBUM_LIMIT = 10            # photos in one sendMediaGroup, Bot API


def voice_method(path: Path) -> str:
    suffix = path.suffix.lower()
    return ("sendVoice" if suffix in VOICE_SUFFIXES
            else "sendAudio" if suffix in AUDIO_SUFFIXES else "sendDocument")


def kept_files(paths: tuple[str, ...], media_dir: Path) -> list[Path]:
    """The stored files among `paths`; anything else (a file gone, a stray id) is left out
    rather than failing the whole message."""
    return [found for found in (photo_source(p, media_dir) for p in paths)
            if isinstance(found, Path)]


def photo_source(photo: str, media_dir: Path) -> Path | str:
    """A stored file to upload, or else a URL or Telegram file_id to pass through."""
    for candidate in (Path(photo), Path(media_dir) / photo):
        if candidate.is_file():
            return candidate
    return photo
