"""Where downloaded media lands: media_dir/<channel>/<sha256 of the media id><suffix>."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from storage.media import MediaKind, MediaVault

Download = Callable[[str, str], Awaitable[bytes]]


class MediaStore:
    """Downloads a platform's temporary media once and keeps it; a retried callback reuses it.

    Kept in the vault: a photo re-encoded without EXIF, a voice note as it came, each named by
    the hash of the media id (the suffix, platform input too, only picks a known audio type).
    A photo that is not one raises `storage.media.MediaRefused`.

    One download per media id: a retry that comes while the first download is still running
    joins it (this process's map of downloads in flight); once written, the file on disk is
    the record every process sees.
    """

    def __init__(self, media_dir: Path, channel: str, download: Download):
        self.folder = Path(media_dir) / channel
        self.vault = MediaVault(self.folder)
        self._download = download
        self._fetching: dict[str, asyncio.Future[str]] = {}

    def path_for(self, media_id: str, url: str, suffix: str) -> Path:
        return self.folder / self.vault.name_for(_key(media_id, url), _kind(suffix), suffix)

    async def fetch(self, media_id: str, url: str, suffix: str) -> str:
        """The stored file's path, downloading it unless it is stored or on its way."""
        kind, key = _kind(suffix), _key(media_id, url)
        path = self.vault.find(key, kind, suffix)
        if path is not None:
            return str(path)
        running = self._fetching.get(key)
        if running is None:
            running = asyncio.ensure_future(self._store(media_id, url, suffix))
            self._fetching[key] = running
            running.add_done_callback(lambda _: self._fetching.pop(key, None))
        # A waiter given up on (a callback past its budget) must not cancel the download.
        return await asyncio.shield(running)

    async def _store(self, media_id: str, url: str, suffix: str) -> str:
        kind, key = _kind(suffix), _key(media_id, url)
        path = self.vault.find(key, kind, suffix)
        if path is None:
            data = await self._download(media_id, url)
            path = await asyncio.to_thread(self.vault.keep, data, kind, key=key, suffix=suffix)
        return str(path)


def _key(media_id: str, url: str) -> str:
    return f"{media_id}|{url}"


def _kind(suffix: str) -> MediaKind:
    """Callbacks ask for ".jpg" for a picture and the voice format's suffix otherwise."""
    return MediaKind.IMAGE if suffix.lower() == ".jpg" else MediaKind.AUDIO


def local_file(photo: str, media_dir: Path) -> Path | None:
    """An outbound photo as a file to upload, or None when it is not one (a URL, say)."""
    for candidate in (Path(photo), Path(media_dir) / photo):
        if candidate.is_file():
            return candidate
    return None
