"""The bell that wakes long-polls, and which stored photos get a link."""
from __future__ import annotations

import asyncio
from pathlib import Path

from web.mailbox import OutboxBell
from web.media_links import MediaLinks


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


def test_only_vault_files_in_the_media_folder_get_a_signed_link(tmp_path: Path):
    media = tmp_path / "media"
    links = MediaLinks(b"k" * 32, media, lifetime=60, now=lambda: 1_000)
    name = "a" * 64 + ".jpg"
    link = links.link(str(media / "web" / name))
    assert link is not None and link.startswith(f"/media/web/{name}?exp=1060&sig=")
    assert links.link(str(media / "web" / "a.jpg")) is None            # not a vault name
    assert links.link(str(media / ".." / "secret.db")) is None
    assert links.link(str(media / "web" / ".." / ".." / name)) is None
    assert links.link("/etc/passwd") is None
    assert links.link(None) is None
