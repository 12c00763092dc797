"""A small async client for Tencent's token-guarded JSON APIs (公众号 and WeCom alike).

wechatpy's own client is synchronous; these few calls go through httpx so that nothing blocks
the event loop. Errors become the sender's neutral delivery errors.
"""
from __future__ import annotations

import asyncio
import json as jsonlib
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.delivery import RetryAfter, TransientError, Undeliverable

STALE_TOKEN = {40001, 40014, 42001}        # invalid, malformed or expired access_token
BUSY = {-1}                                # 系统繁忙
TOO_FAST = {45009, 45011, 45033}           # API call frequency limits
TOKEN_MARGIN_S = 300                       # refresh a little before the token expires
FREQUENCY_PAUSE_S = 60.0


class ApiError(Undeliverable):
    """The API refused a call for good; `code` is Tencent's errcode."""

    def __init__(self, code: int, message: str):
        super().__init__(f"errcode {code}: {message}")
        self.code = code


class TokenClient:
    """Calls `base_url` with a cached access_token, fetched by `fetch_token` and renewed when stale."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token_path: str,
                 token_params: dict[str, str], monotonic: Callable[[], float] = time.monotonic):
        self.http, self.base_url = http, base_url.rstrip("/")
        self._token_path, self._token_params = token_path, token_params
        self._token: str | None = None
        self._expires = 0.0
        self._monotonic = monotonic
        self._lock = asyncio.Lock()

    async def token(self, renew: bool = False) -> str:
        async with self._lock:
            if renew or self._token is None or self._monotonic() >= self._expires:
                body = await self._request("GET", self._token_path, params=self._token_params)
                if body.get("errcode") or "access_token" not in body:
                    # A wrong secret is fixed in configuration; the messages wait, never drop.
                    raise TransientError(f"no access token: {body}")
                self._token = body["access_token"]
                self._expires = self._monotonic() + int(body.get("expires_in", 7200)) - TOKEN_MARGIN_S
            return self._token

    async def call(self, method: str, path: str, *, json: Any = None,
                   params: dict[str, str] | None = None, files: Any = None) -> dict[str, Any]:
        """One API call; a stale token is renewed once. Raises the delivery errors."""
        extra: dict[str, Any] = {"files": files} if files is not None else {}
        if json is not None:
            # Tencent shows \uXXXX escapes literally: send the characters themselves.
            extra["content"] = jsonlib.dumps(json, ensure_ascii=False).encode()
            extra["headers"] = {"Content-Type": "application/json; charset=utf-8"}
        for attempt in range(2):
            query = {**(params or {}), "access_token": await self.token(renew=attempt > 0)}
            body = await self._request(method, path, params=query, **extra)
            code = int(body.get("errcode") or 0)
            if code in STALE_TOKEN and attempt == 0:
                continue
            self.check(code, body.get("errmsg", ""))
            return body
        raise TransientError("access token refused twice")

    async def raw(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """A download: the bytes, or a JSON error body."""
        query = {**(params or {}), "access_token": await self.token()}
        try:
            response = await self.http.get(self.base_url + path, params=query)
        except httpx.HTTPError as trouble:
            raise TransientError(f"{path}: {trouble!r}") from trouble
        if response.status_code >= 500:
            raise TransientError(f"{path}: HTTP {response.status_code}")
        if response.headers.get("content-type", "").startswith(("application/json", "text/plain")):
            body = response.json()
            self.check(int(body.get("errcode") or 0), body.get("errmsg", ""))
        return response

    async def download(self, media_id: str, fallback_url: str = "") -> bytes:
        """A temporary media file's bytes; the picture URL when the media API cannot serve it."""
        if media_id:
            try:
                response: httpx.Response | None = await self.raw("/cgi-bin/media/get",
                                                                 {"media_id": media_id})
            except ApiError:
                response = None      # expired or unknown: the picture URL may still serve it
            if response is not None and not response.headers.get(
                    "content-type", "").startswith("application/json"):
                return response.content
        if not fallback_url:
            raise FileNotFoundError(f"media {media_id!r} has no bytes and no picture URL")
        response = await self.http.get(fallback_url)
        response.raise_for_status()
        return response.content

    def check(self, code: int, message: str) -> None:
        """Turn an errcode into the sender's errors; subclasses add their platform's codes."""
        if code == 0:
            return
        if code in BUSY:
            raise TransientError(f"errcode {code}: {message}")
        if code in TOO_FAST:
            raise RetryAfter(FREQUENCY_PAUSE_S)
        raise ApiError(code, message)

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.http.request(method, self.base_url + path, **kwargs)
        except httpx.HTTPError as trouble:
            raise TransientError(f"{path}: {trouble!r}") from trouble
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(f"{path}: HTTP {response.status_code}")
        try:
            body: dict[str, Any] = response.json()
        except ValueError as garbled:
            raise TransientError(f"{path}: not JSON ({response.status_code})") from garbled
        return body
