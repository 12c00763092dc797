"""The console's session cookie and its forms' CSRF token, both HMAC-SHA256 under the secret key.

The cookie holds a random session token and its signature; the database keeps the token's
digest with the session's end (storage/repositories/console_links.py), so signing out ends the
session everywhere at once. The CSRF token is the session token signed for another purpose:
a page of this session can carry it, another site cannot read or make it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from fastapi import Request, Response

COOKIE = "gridbot_console"
PATH = "/console"


class ConsoleSessions:
    """Signs and reads session cookies and CSRF tokens with one secret."""

    def __init__(self, secret: bytes, lifetime: timedelta, secure: bool = False):
        if len(secret) < 16:
            raise ValueError("a console secret needs at least 16 bytes")
        self.secret, self.lifetime, self.secure = secret, lifetime, secure

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.secret, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def token_of(self, request: Request) -> str | None:
        """The session token of a cookie this server signed, else None."""
        raw = request.cookies.get(COOKIE, "")
        token, _, signature = raw.rpartition(".")
        if not token or len(raw) > 200:
            return None
        if not hmac.compare_digest(self._sign("session", token), signature):
            return None
        return token

    def csrf(self, token: str) -> str:
        return self._sign("csrf", token)

    def csrf_ok(self, token: str, given: Any) -> bool:
        return isinstance(given, str) and hmac.compare_digest(self.csrf(token), given)

    def open(self, response: Response, token: str) -> None:
        response.set_cookie(COOKIE, f"{token}.{self._sign('session', token)}",
                            max_age=int(self.lifetime.total_seconds()), path=PATH,
                            httponly=True, samesite="strict", secure=self.secure)

    def close(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict",
                               secure=self.secure)


def console_sessions(settings: Any, fallback: bytes) -> ConsoleSessions:
    """Sessions signed with the settings' secret key; without one (a demo, a test), the key
    the media links were made with for this process."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    return ConsoleSessions(key.encode() if key else fallback,
                           timedelta(hours=settings.console_session_hours),
                           secure=str(settings.public_base_url).startswith("https:"))
