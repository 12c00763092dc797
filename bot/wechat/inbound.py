"""Pure-ish translation of a 公众号 callback into gridbot's `Inbound` (media fetched by the caller).

WeChat's Location_X is the latitude, in GCJ-02. Temporary media expire in 3 days, so a photo is
downloaded before the dialog sees it. Menu keys become the commands they stand for.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from wechatpy import parse_message

from bot.delivery import Undeliverable
from bot.wechat.choices import ChoiceMemory, number_in
from bot.wechat.guard import Unreadable
from handlers.messages import Inbound, Kind, Sender

CHANNEL = "wechat"
MENU_REPORT, MENU_MY, MENU_WALL = "REPORT", "MY", "WALL"
MENU_COMMANDS = {MENU_REPORT: "/report", MENU_MY: "/my"}
SCENE = "qrscene_"             # a parametric QR code scanned to subscribe: "qrscene_inv_…"

# (media_id, picture URL or "", file suffix) -> stored path
FetchMedia = Callable[[str, str, str], Awaitable[str]]
ACCOUNT_ID = re.compile(r"[\w\-@.]{1,128}")   # openids, WeCom userids: letters, digits, - _ @ .
AUDIO_FORMAT = re.compile(r"[a-z0-9]{1,8}")
# What a payload's own field conversions raise on garbage (int("x"), "x".startswith on a dict…).
GARBLED = (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError)


class MediaGone(Exception):
    """The platform no longer has a photo or voice note (or never had it): nothing to retry."""


def readable(xml: str, parse: Callable[[str], Any] = parse_message) -> Any:
    """A checked message's wechatpy object, or Unreadable. Its sender is an account id."""
    try:
        message = parse(xml)
        source = message.source
    except GARBLED as garbled:
        raise Unreadable("wechatpy cannot read the message") from garbled
    if not isinstance(source, str) or not ACCOUNT_ID.fullmatch(source):
        raise Unreadable("the sender is not an account id")
    return message


async def translated(message: Any, fetch: FetchMedia, choices: ChoiceMemory,
                     translate: Callable[..., Awaitable[Inbound | None]] | None = None
                     ) -> Inbound | None:
    """`inbound_of` (or `translate`), with garbled fields as Unreadable and lost media as
    MediaGone. Network trouble fetching media stays as it is: WeChat should retry."""
    try:
        return await (translate or inbound_of)(message, gone_or_fetched(fetch), choices)
    except GARBLED as garbled:
        raise Unreadable("a field of the message is garbled") from garbled


def gone_or_fetched(fetch: FetchMedia) -> FetchMedia:
    async def fetched(media_id: str, url: str, suffix: str) -> str:
        try:
            return await fetch(media_id, url, suffix)
        except (Undeliverable, FileNotFoundError) as gone:
            raise MediaGone("the platform has no such media") from gone
        except (httpx.HTTPError, httpx.InvalidURL) as failed:
            # Only the picture URL raises these (the media API's trouble is a TransientError,
            # worth WeChat's retry): the media API had already said the media id is gone.
            raise MediaGone("the picture URL has no such media") from failed
    return fetched


def coordinate(value: Any, limit: float) -> float:
    """A latitude or longitude; a number no map has is garbled."""
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError("not a coordinate")
    return number


def audio_suffix(message: Any) -> str:
    """The voice note's file suffix, only ever letters and digits (it names a file)."""
    given = str(message.format or "amr").lower()
    return f".{given}" if AUDIO_FORMAT.fullmatch(given) else ".amr"


def update_id(message: Any) -> str:
    """Messages carry MsgId; events are told apart by sender, time, kind and key, kept only as
    a digest: the de-duplication record (and a parked update's id) must hold neither the
    openid nor a QR scan's raw invite code, and the same event still gives the same id."""
    if message.type != "event":
        return f"msg:{message.id}"
    told = f"{message.source}:{message.time}:{message.event}:{event_key(message)}"
    return "event:" + hashlib.sha256(told.encode("utf-8", "surrogatepass")).hexdigest()


def event_key(message: Any) -> str:
    """A menu key or a QR scene (wechatpy names it differently per event)."""
    key = getattr(message, "scene_id", None) or getattr(message, "key", None) or ""
    return str(key).removeprefix(SCENE)


async def inbound_of(message: Any, fetch: FetchMedia, choices: ChoiceMemory) -> Inbound | None:
    """The Inbound for a parsed callback; None for what gridbot ignores (unsubscribe, VIEW…)."""
    sender = Sender(CHANNEL, message.source)
    uid = update_id(message)
    kind = message.type
    if kind == "text":
        number = number_in(message.content or "")
        data = await choices.pressed(message.source, number) if number else None
        if data is not None:
            return Inbound.pressed(sender, data, uid)
        return Inbound.text_message(sender, message.content or "", uid)
    if kind == "image":
        path = await fetch(message.media_id or "", message.image or "", ".jpg")
        return Inbound.photo_message(sender, path, "", uid)
    if kind == "location":
        return Inbound.location(sender, coordinate(message.location_x, 90),
                                coordinate(message.location_y, 180), uid, gcj02=True)
    if kind == "voice":
        if message.recognition:
            return Inbound.voice(sender, message.recognition, uid)
        path = await fetch(message.media_id or "", "", audio_suffix(message))
        return Inbound(sender, Kind.VOICE, uid, "", photo=path)
    if kind == "event":
        return _event(message, sender, uid)
    return Inbound(sender, Kind.UNSUPPORTED, uid)


def _event(message: Any, sender: Sender, uid: str) -> Inbound | None:
    event, key = (message.event or "").lower(), event_key(message)
    if event in ("subscribe", "subscribe_scan", "scan"):
        return Inbound.text_message(sender, f"/start {key}".strip(), uid)
    if event == "click" and key in MENU_COMMANDS:
        return Inbound.text_message(sender, MENU_COMMANDS[key], uid)
    # LOCATION reports arrive on every visit when enabled; keeping them would be a track, which
    # the privacy rules forbid (only report points are stored), so they never reach a dialog.
    return None
