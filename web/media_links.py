"""Private media over short-lived signed links: GET /media/<shelf>/<name>?exp=<unix>&sig=<hmac>.

A link is issued only where an authorised person is shown a photo (the web chat's messages);
it names one vault file and an expiry, signed with HMAC-SHA256 under the settings' secret key.
Expired or forged links answer 403, unknown files 404, both with an empty body.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from storage.media import MediaVault, is_name

log = logging.getLogger(__name__)
SHELF = re.compile(r"[a-z][a-z0-9_]{0,31}")    # a vault folder under media_dir: web, telegram…
EXPIRES = re.compile(r"[0-9]{1,12}")
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff"}


class MediaLinks:
    """Signs and checks links to the vault files under one media folder."""

    def __init__(self, secret: bytes, media_dir: Path, lifetime: int = 3600,
                 now: Callable[[], float] = time.time):
        if len(secret) < 16:
            raise ValueError("a media-link secret needs at least 16 bytes")
        self.secret, self.media_dir, self.lifetime, self.now = secret, media_dir, lifetime, now

    def link(self, path: str | None) -> str | None:
        """A signed URL for a stored file, or None for anything that is not a vault file."""
        located = self.locate(path)
        if located is None:
            return None
        shelf, name = located
        expires = int(self.now()) + self.lifetime
        return f"/media/{shelf}/{name}?exp={expires}&sig={self.signature(shelf, name, expires)}"

    def locate(self, path: str | None) -> tuple[str, str] | None:
        """(shelf, name) of a vault file directly inside a shelf of the media folder."""
        if not path:
            return None
        try:
            relative = Path(path).resolve().relative_to(self.media_dir.resolve())
        except (ValueError, OSError):
            return None
        parts = relative.parts
        if len(parts) != 2 or not SHELF.fullmatch(parts[0]) or not is_name(parts[1]):
            return None
        return parts[0], parts[1]

    def signature(self, shelf: str, name: str, expires: int) -> str:
        message = f"{shelf}/{name}|{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def valid(self, shelf: str, name: str, expires: str, signature: str) -> bool:
        """True for an unexpired link this server signed, for exactly this file."""
        if not EXPIRES.fullmatch(expires) or int(expires) < self.now():
            return False
        expected = self.signature(shelf, name, int(expires))
        return hmac.compare_digest(expected, signature.encode("ascii", "replace").decode())

    def routes(self) -> APIRouter:
        router = APIRouter()

        @router.get("/media/{shelf}/{name}", include_in_schema=False)
        async def media(shelf: str, name: str, exp: str = "", sig: str = "") -> Response:
            if not SHELF.fullmatch(shelf) or not is_name(name):
                return Response(status_code=404, headers=PRIVATE)
            if not self.valid(shelf, name, exp, sig):
                return Response(status_code=403, headers=PRIVATE)
            path = MediaVault(self.media_dir / shelf).path_of(name)
            if path is None:
                return Response(status_code=404, headers=PRIVATE)
            return FileResponse(path, headers=PRIVATE)

        return router


def media_links(settings: Any, media_dir: Path) -> MediaLinks:
    """Links signed with the settings' secret key; without one (a demo, a test), a key made
    now: links then work only in this process, which is all a single demo process needs."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    if key is None:
        log.warning("no GRIDBOT_SECRET_KEY: media links are signed with a key made for this "
                    "process only")
    secret = key.encode() if key else secrets.token_bytes(32)
    return MediaLinks(secret, media_dir, settings.media_link_seconds)
