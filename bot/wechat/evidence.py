"""A new order's photos, voice note and pin as WeChat and WeCom can carry them.

Neither has a location message a bot may send, so the pin becomes a map link in the text, in
GCJ-02 (the coordinates Chinese map apps expect); a voice note goes as voice only in the formats
the platform plays (AMR, and MP3 on the 公众号), else the text says one was left.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

from bot.wechat.media import local_file
from domain.geo import wgs84_to_gcj02
from handlers import texts
from handlers.messages import Outbound, Pin

# Amap's marker page opens the Amap app where installed, a map in the browser otherwise.
MAP_URL = "https://uri.amap.com/marker?position={lng:.6f},{lat:.6f}&name={name}&coordinate=gaode"


@dataclass(frozen=True)
class Evidence:
    photos: list[Path]
    voice: Path | None


def files_of(out: Outbound, media_dir: Path) -> Evidence:
    """The stored files among the message's photos and voice (a file gone is left out)."""
    photos = [p for p in (local_file(photo, media_dir) for photo in out.photos) if p]
    return Evidence(photos, local_file(out.voice, media_dir) if out.voice else None)


def map_link(pin: Pin) -> str:
    lat, lng = wgs84_to_gcj02(pin.lat, pin.lng)
    return MAP_URL.format(lat=lat, lng=lng, name=quote(pin.title or ""))


def lines(out: Outbound, voice_sent: bool) -> list[str]:
    """The map link, and a word on a voice note that could not be sent."""
    found = []
    if out.location:
        found.append(texts.MAP_LINK.format(title=out.location.title or texts.MAP_PLACE,
                                           url=map_link(out.location)))
    if out.voice and not voice_sent:
        found.append(texts.VOICE_NOT_SENT)
    return found


def with_lines(out: Outbound, voice_sent: bool) -> Outbound:
    """The message with its map link (and a word on a voice note not sent) below the text."""
    below = lines(out, voice_sent)
    return replace(out, text="\n".join([out.text, *below])) if below else out
