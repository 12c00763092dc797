"""Where downloaded media lands: media_dir/<channel>/<hash of the media id><suffix>."""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

Download = Callable[[str, str], Awaitable[bytes]]


class MediaStore:
    """Downloads a platform's temporary media once and keeps it; a retried callback reuses it.

    One download per media id: a retry that comes while the first download is still running
    joins it (this process's map of downloads in flight); once written, the file on disk is
    the record every process sees.
    """

    def __init__(self, media_dir: Path, channel: str, download: Download):
        self.folder = Path(media_dir) / channel
        self._download = download
        self._fetching: dict[Path, asyncio.Future[str]] = {}

    def path_for(self, media_id: str, url: str, suffix: str) -> Path:
        digest = hashlib.sha256(f"{media_id}|{url}".encode()).hexdigest()[:24]
        return self.folder / f"{digest}{suffix}"

    async def fetch(self, media_id: str, url: str, suffix: str) -> str:
        """The stored file's path, downloading it unless it is stored or on its way."""
        path = self.path_for(media_id, url, suffix)
        if path.exists():
            return str(path)
        running = self._fetching.get(path)
        if running is None:
            running = asyncio.ensure_future(self._store(media_id, url, suffix))
            self._fetching[path] = running
            running.add_done_callback(lambda _: self._fetching.pop(path, None))
        # A waiter given up on (a callback past its budget) must not cancel the download.
        return await asyncio.shield(running)

    async def _store(self, media_id: str, url: str, suffix: str) -> str:
        path = self.path_for(media_id, url, suffix)
        if not path.exists():
            data = await self._download(media_id, url)
            await asyncio.to_thread(_write, path, data)
        return str(path)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(path)


def local_file(photo: str, media_dir: Path) -> Path | None:
    """An outbound photo as a file to upload, or None when it is not one (a URL, say)."""
    for candidate in (Path(photo), Path(media_dir) / photo):
        if candidate.is_file():
            return candidate
    return None
