"""The web channel's outbox: what a browser session is owed, and a bell that rings on commit.

A browser cannot be pushed to, so it long-polls: it asks for rows newer than the last it saw
and waits on the bell until a commit may have written some. The web channel delivers its own
rows (channel "web", address = the session id) and marks them sent itself.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from storage.records import OutboxMessage
from storage.repositories.chat_log import shown_since
from storage.uow import UnitOfWork

WEB = "web"
PAGE = 100
# A stored photo's path -> a URL to show it (None: not shown), e.g. `MediaLinks.link`.
MediaLink = Callable[[str | None], str | None]


class OutboxBell:
    """Rings after every commit that may have owed messages; pollers wait for the next ring.

    The ring count is read before the database is, so a commit that lands between the read
    and the wait is never missed.
    """

    def __init__(self) -> None:
        self.rings = 0
        self.closed = False
        self._condition: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waking: set[asyncio.Task[None]] = set()   # held so a pending wake is not collected

    def ring(self) -> None:
        """Call after a commit (the chat's `on_committed`); safe from any thread."""
        self.rings += 1
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._start_wake()
        else:
            loop.call_soon_threadsafe(self._start_wake)

    def close(self) -> None:
        """The server is stopping: every waiting poll returns now, and later ones do not wait."""
        self.closed = True
        self.ring()

    async def wait(self, seen: int, timeout: float) -> bool:
        """Wait until the bell has rung past `seen`, at most `timeout` seconds; True if it did."""
        condition = self._bind()
        try:
            async with condition:
                await asyncio.wait_for(
                    condition.wait_for(lambda: self.closed or self.rings != seen), timeout)
        except TimeoutError:
            return False
        return not self.closed

    def _bind(self) -> asyncio.Condition:
        if self._condition is None:
            self._loop = asyncio.get_running_loop()
            self._condition = asyncio.Condition()
        return self._condition

    def _start_wake(self) -> None:
        task = asyncio.get_running_loop().create_task(self._wake())
        self._waking.add(task)
        task.add_done_callback(self._waking.discard)

    async def _wake(self) -> None:
        condition = self._condition
        if condition is None:
            return
        async with condition:
            condition.notify_all()


def chained(first: Callable[[], None] | None, then: Callable[[], None]) -> Callable[[], None]:
    """One `on_committed` that calls an existing hook and then ours."""
    if first is None:
        return then

    def both() -> None:
        first()
        then()
    return both


async def owed_to(uow: UnitOfWork, session_id: str, after: int,
                  link: MediaLink) -> list[dict[str, Any]]:
    """Messages for this session newer than `after`, oldest first; unsent ones are marked sent.

    Rows already sent are returned too, so a reloaded page gets its history back. A photo is
    shown through `link`: a short-lived signed URL, issued to this session's owner only.
    """
    messages = await shown_since(uow.session, WEB, session_id, after, uow.clock.now(), PAGE)
    return [_shown(message, link) for message in messages]


def _shown(row: OutboxMessage, link: MediaLink) -> dict[str, Any]:
    payload = row.payload or {}
    shown = {"id": row.id, "text": payload.get("text", ""),
             "choices": [list(pair) for pair in payload.get("choices") or []],
             "photo": link(payload.get("photo")),
             "at": row.created_at.isoformat() if row.created_at else None}
    shown.update(_evidence(payload, link))
    return shown


def _evidence(payload: dict[str, Any], link: MediaLink) -> dict[str, Any]:
    """A new order's photos and voice note as signed links (only the files still kept), and
    its pin as WGS-84 coordinates with the grid's name: only what the row carries."""
    shown: dict[str, Any] = {}
    photos = [url for url in map(link, payload.get("photos") or []) if url]
    if photos:
        shown["photos"] = photos
    voice = link(payload.get("voice"))
    if voice:
        shown["voice"] = voice
    pin = payload.get("location")
    if pin:
        lat, lng, title = pin
        shown["location"] = {"lat": lat, "lng": lng, "title": title}
    return shown
