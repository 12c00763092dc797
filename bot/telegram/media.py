"""Media a Telegram message carries, kept in the vault: named by file_unique_id's hash, EXIF-free."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.telegram.convert import Media
from storage.media import MediaRefused, MediaVault

log = logging.getLogger(__name__)
Download = Callable[[str], Awaitable[bytes]]   # file_id -> the file's bytes


async def keep(media: Media, media_dir: Path, download: Download) -> Path | None:
    """Where the file is kept, downloading it once; None when it is refused (not a photo, a
    decompression bomb…): the message then arrives as one gridbot does not support."""
    vault = MediaVault(media_dir)
    # Telegram's file_unique_id is the same for one file on every delivery: the name comes
    # from its hash, so a redelivered update reuses the file and no id reaches a path.
    kept = vault.find(media.unique_id, media.kind, media.suffix)
    if kept is not None:
        return kept
    data = await download(media.file_id)
    try:
        return await asyncio.to_thread(vault.keep, data, media.kind, key=media.unique_id,
                                       suffix=media.suffix)
    except MediaRefused as refused:
        log.info("telegram %s not kept: %s", media.kind.value, refused.reason.value)
        return None
