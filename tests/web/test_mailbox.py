"""The bell that wakes long-polls, and where stored photos are shown."""
from __future__ import annotations

import asyncio
from pathlib import Path

from web.mailbox import OutboxBell, media_url


async def test_a_commit_between_reading_and_waiting_is_not_missed():
    bell = OutboxBell()
    seen = bell.rings
    bell.ring()
    assert await asyncio.wait_for(bell.wait(seen, timeout=20), timeout=1) is True


async def test_a_ring_wakes_a_waiting_poll():
    bell = OutboxBell()
    waiting = asyncio.create_task(bell.wait(bell.rings, timeout=20))
    await asyncio.sleep(0)   # a yield, not a wait: the poll reaches its condition
    bell.ring()
    assert await asyncio.wait_for(waiting, timeout=1) is True


async def test_closing_releases_waiting_polls_and_later_ones_at_once():
    bell = OutboxBell()
    waiting = asyncio.create_task(bell.wait(bell.rings, timeout=20))
    await asyncio.sleep(0)
    bell.close()
    assert await asyncio.wait_for(waiting, timeout=1) is False
    assert await asyncio.wait_for(bell.wait(bell.rings, timeout=20), timeout=1) is False


def test_only_photos_in_the_media_folder_get_a_url(tmp_path: Path):
    media = tmp_path / "media"
    assert media_url(str(media / "web" / "a.jpg"), media) == "/media/web/a.jpg"
    assert media_url(str(media / ".." / "secret.db"), media) is None
    assert media_url("/etc/passwd", media) is None
    assert media_url(None, media) is None
