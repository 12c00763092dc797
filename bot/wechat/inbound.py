"""Pure-ish translation of a 公众号 callback into gridbot's `Inbound` (media fetched by the caller).

WeChat's Location_X is the latitude, in GCJ-02. Temporary media expire in 3 days, so a photo is
downloaded before the dialog sees it. Menu keys become the commands they stand for.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.wechat.choices import ChoiceMemory, number_in
from handlers.messages import Inbound, Kind, Sender

CHANNEL = "wechat"
MENU_REPORT, MENU_MY, MENU_WALL = "REPORT", "MY", "WALL"
MENU_COMMANDS = {MENU_REPORT: "/report", MENU_MY: "/my"}
SCENE = "qrscene_"             # a parametric QR code scanned to subscribe: "qrscene_inv_…"

# (media_id, picture URL or "", file suffix) -> stored path
FetchMedia = Callable[[str, str, str], Awaitable[str]]


def update_id(message: Any) -> str:
    """Messages carry MsgId; events are told apart by sender, time and kind."""
    if message.type != "event":
        return f"msg:{message.id}"
    return f"event:{message.source}:{message.time}:{message.event}:{event_key(message)}"


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
        return Inbound.location(sender, float(message.location_x), float(message.location_y),
                                uid, gcj02=True)
    if kind == "voice":
        if message.recognition:
            return Inbound.voice(sender, message.recognition, uid)
        path = await fetch(message.media_id or "", "", f".{message.format or 'amr'}")
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
