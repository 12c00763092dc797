"""python-telegram-bot's HTTP calls over aiohttp instead of httpx.

With many updates handled at once, httpx's connection pool makes every request slower (see
bench/README.md); aiohttp's stays flat, so a concurrent PTB bot uses this request class. Calls
without files go as one JSON body (the Bot API takes both): PTB's own classes send a form whose
every field is JSON first and then percent-encoded, and a Chinese text with a keyboard is
mostly percent signs.
"""
from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session with a pool of `pool_size` connections."""

    def __init__(self, pool_size: int = 100, read_timeout: float = DEFAULT_TIMEOUT):
        self._pool_size, self._read_timeout = pool_size, read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        # aiohttp has no write timeout; a slow upload is bounded by the read timeout after it.
        connect = (_given(pool_timeout, 1.0) or 0) + (_given(connect_timeout) or 0)
        timeout = aiohttp.ClientTimeout(total=None, connect=connect or None,
                                        sock_read=_given(read_timeout, self._read_timeout))
        body, headers = _body(request_data, files)
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


def _given(value: object, default: float | None = DEFAULT_TIMEOUT) -> float | None:
    """The timeout a call asked for, or ours when it left PTB's default marker."""
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):
        return default
    return value  # type: ignore[return-value]


_JSON = {"Content-Type": "application/json"}


def _body(request_data: RequestData | None, files: dict[str, Any] | None
          ) -> tuple[object, dict[str, str] | None]:
    if request_data is None:
        return None, None
    if not files:
        return json.dumps(request_data.parameters, ensure_ascii=False,
                          separators=(",", ":")).encode(), _JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, *mime = part
        form.add_field(name, content, filename=filename,
                       content_type=mime[0] if mime else "application/octet-stream")
    return form, None
