"""The neutral vocabulary between transports and dialogs: what came in, what goes out.

A transport turns a platform update into an `Inbound` and an `Outbound` into a platform call;
nothing else about a platform reaches the dialogs. If a dialog needs more, a field is missing here.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.calendar import SHANGHAI


class Kind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    LOCATION = "location"
    VOICE = "voice"
    BUTTON = "button"
    COMMAND = "command"
    CONTACT = "contact"           # the person shared their own phone number (Telegram's button)
    UNSUPPORTED = "unsupported"   # stickers, files, contacts…: the dialog answers with a hint


@dataclass(frozen=True)
class Sender:
    channel: str          # "telegram", "wechat", "wecom", "web"
    external_id: str      # the platform's user id, kept in storage as a ChannelAccount
    display_name: str = ""


@dataclass(frozen=True)
class Inbound:
    sender: Sender
    kind: Kind
    update_id: str | None = None     # the platform's id, for de-duplication of redeliveries
    text: str = ""                   # text, caption, command arguments or voice transcript
    command: str | None = None       # without the slash: "start", "my", "cancel"…
    button: str | None = None        # the data of the pressed choice
    photo: str | None = None         # a stored media path: the photo, or for VOICE the voice note
                                     # (transports download before handing in)
    lat: float | None = None         # WGS-84 unless gcj02
    lng: float | None = None
    gcj02: bool = False              # WeChat's locations are GCJ-02
    phone: str | None = None         # CONTACT: the sender's own number, as the platform gave it

    def as_payload(self) -> dict[str, Any]:
        """The update as JSON, to be handed in again later (a parked dead letter's retry)."""
        values = asdict(self)
        values["kind"] = self.kind.value
        for name in ("lat", "lng"):   # JSON has no NaN or infinity
            if values[name] is not None and not math.isfinite(values[name]):
                values[name] = None
        return values

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Inbound:
        values = dict(payload)
        values["sender"] = Sender(**values["sender"])
        values["kind"] = Kind(values["kind"])
        return cls(**values)

    @classmethod
    def text_message(cls, sender: Sender, text: str, update_id: str | None = None) -> Inbound:
        if text.startswith("/") and len(text) > 1:
            name, _, rest = text[1:].partition(" ")
            return cls(sender, Kind.COMMAND, update_id, rest.strip(),
                       command=name.split("@", 1)[0].lower())
        return cls(sender, Kind.TEXT, update_id, text)

    @classmethod
    def pressed(cls, sender: Sender, data: str, update_id: str | None = None) -> Inbound:
        return cls(sender, Kind.BUTTON, update_id, button=data)

    @classmethod
    def location(cls, sender: Sender, lat: float, lng: float, update_id: str | None = None,
                 gcj02: bool = False) -> Inbound:
        return cls(sender, Kind.LOCATION, update_id, lat=lat, lng=lng, gcj02=gcj02)

    @classmethod
    def photo_message(cls, sender: Sender, path: str, caption: str = "",
                      update_id: str | None = None) -> Inbound:
        return cls(sender, Kind.PHOTO, update_id, caption, photo=path)

    @classmethod
    def contact(cls, sender: Sender, phone: str, update_id: str | None = None) -> Inbound:
        return cls(sender, Kind.CONTACT, update_id, phone=phone)

    @classmethod
    def voice(cls, sender: Sender, transcript: str, update_id: str | None = None) -> Inbound:
        return cls(sender, Kind.VOICE, update_id, transcript)


@dataclass(frozen=True)
class Choice:
    label: str
    data: str


@dataclass(frozen=True)
class Pin:
    """A place to open in a map app: WGS-84, with the grid's name as its title."""

    lat: float
    lng: float
    title: str = ""


@dataclass(frozen=True)
class Outbound:
    """One message owed to one person on one channel.

    `photos`, `voice` and `location` travel with the text (a new order's pictures, voice note
    and pin); each transport sends them as its platform can, before the text and its choices.
    `ask_contact` is the label of a "share my phone number" button where the platform has one.
    `menu` names the command menu this person should see from now on (`handlers.menus`), for
    platforms that keep one per chat (Telegram's setMyCommands).
    `reply`: an answer to the person's own turn, which may go in a short burst; everything else
    (notices, broadcasts) is paced (docs/delivery.md, "Pacing").
    """

    channel: str
    external_id: str
    text: str
    choices: tuple[Choice, ...] = field(default=())
    photo: str | None = None
    photos: tuple[str, ...] = field(default=())
    voice: str | None = None
    location: Pin | None = None
    ask_contact: str | None = None
    menu: str | None = None
    reply: bool = False

    def as_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text,
                                   "choices": [[c.label, c.data] for c in self.choices],
                                   "photo": self.photo}
        # Only what is there: older rows (and most messages) carry none of these.
        if self.photos:
            payload["photos"] = list(self.photos)
        if self.voice:
            payload["voice"] = self.voice
        if self.location:
            payload["location"] = [self.location.lat, self.location.lng, self.location.title]
        if self.ask_contact:
            payload["ask_contact"] = self.ask_contact
        if self.menu:
            payload["menu"] = self.menu
        if self.reply:
            payload["reply"] = True
        return payload

    @classmethod
    def from_payload(cls, channel: str, external_id: str, payload: dict[str, Any]) -> Outbound:
        pin = payload.get("location")
        return cls(channel, external_id, payload["text"],
                   tuple(Choice(label, data) for label, data in payload.get("choices", [])),
                   payload.get("photo"), tuple(payload.get("photos") or ()),
                   payload.get("voice"), Pin(*pin) if pin else None,
                   payload.get("ask_contact"), payload.get("menu"), bool(payload.get("reply")))

    @property
    def attachments(self) -> bool:
        """Whether anything but the text (and its one photo) goes with this message."""
        return bool(self.photos or self.voice or self.location)


def work_time(when: datetime | None) -> str:
    """A deadline as staff and residents read it: Shanghai time, month to minute."""
    return when.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if when else "—"
