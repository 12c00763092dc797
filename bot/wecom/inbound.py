"""A WeCom callback as gridbot's `Inbound`: staff messages, card clicks and text commands.

A click on a card button arrives as a template_card_event whose EventKey is the choice's data.
Staff may also type the button's word and an order number ("签收 WG-20261123-0001") or the
number of an option offered as text.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from wechatpy.enterprise import parse_message

from bot.wechat.choices import ChoiceMemory, number_in
from bot.wechat.guard import envelope
from bot.wechat.inbound import FetchMedia, audio_suffix, coordinate
from handlers import texts
from handlers.messages import Inbound, Kind, Sender

CHANNEL = "wecom"
CARD_CLICK = "template_card_event"
# A button's word, typed with an order number, presses that button.
# (By catalogue key, read when a message arrives: the words are the catalogue's.)
TYPED_BUTTONS = {"SIGN": "sign", "RETURN": "return", "ESCALATE": "up", "PROGRESS": "progress",
                 "RESOLVE": "resolve", "EXTEND": "extend", "EXTEND_TYPED": "extend"}


def typed_buttons() -> dict[str, str]:
    """A button's word → the button it presses."""
    return {getattr(texts, key): button for key, button in TYPED_BUTTONS.items()}


@functools.cache
def _typed(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\s*(" + "|".join(map(re.escape, words)) + r")\s*(WG-\d{8}-\d{4})\s*")


class WeComMessage:
    """wechatpy's message, plus the plain fields it does not model (template_card_event is
    newer than wechatpy 1.8), read once more from the already checked XML."""

    def __init__(self, xml: str):
        self.fields = envelope(xml)
        self.message = parse_message(xml)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.message, name)


def parse(xml: str) -> WeComMessage:
    return WeComMessage(xml)


def field(message: Any, name: str) -> str:
    """A plain field of the message by its XML name."""
    value: str = message.fields.get(name, "")
    return value


def update_id(message: Any) -> str:
    if field(message, "MsgType") != "event":
        return f"msg:{message.id}"
    return (f"event:{message.source}:{message.time}:{field(message, 'Event')}:"
            f"{field(message, 'TaskId')}:{field(message, 'EventKey')}")


def is_card_click(message: Any) -> bool:
    return field(message, "MsgType") == "event" and field(message, "Event").lower() == CARD_CLICK


async def inbound_of(message: Any, fetch: FetchMedia, choices: ChoiceMemory) -> Inbound | None:
    sender = Sender(CHANNEL, message.source)
    uid = update_id(message)
    kind = field(message, "MsgType").lower()
    if kind == "text":
        content = message.content or ""
        buttons = typed_buttons()
        typed = _typed(tuple(buttons)).fullmatch(content)
        if typed:
            return Inbound.pressed(sender, f"{buttons[typed.group(1)]}:{typed.group(2)}", uid)
        number = number_in(content)
        data = await choices.pressed(message.source, number) if number else None
        if data is not None:
            return Inbound.pressed(sender, data, uid)
        return Inbound.text_message(sender, content, uid)
    if kind == "image":
        return Inbound.photo_message(sender, await fetch(message.media_id or "",
                                                         message.image or "", ".jpg"), "", uid)
    if kind == "location":   # GCJ-02, Location_X the latitude, as on the 公众号
        return Inbound.location(sender, coordinate(message.location_x, 90),
                                coordinate(message.location_y, 180), uid, gcj02=True)
    if kind == "voice":
        path = await fetch(message.media_id or "", "", audio_suffix(message))
        return Inbound(sender, Kind.VOICE, uid, "", photo=path)
    if is_card_click(message):
        return Inbound.pressed(sender, field(message, "EventKey"), uid)
    if kind == "event":
        return None       # enter_agent, subscribe and the like need no answer
    return Inbound(sender, Kind.UNSUPPORTED, uid)
