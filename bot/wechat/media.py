"""Where downloaded media lands: media_dir/<channel>/<hash of the media id><suffix>."""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

Download = Callable[[str, str], Awaitable[bytes]]


class MediaStore:
    """Downloads a platform's temporary media once and keeps it; a retried callback reuses it."""

    def __init__(self, media_dir: Path, channel: str, download: Download):
        self.folder = Path(media_dir) / channel
        self._download = download

    def path_for(self, media_id: str, url: str, suffix: str) -> Path:
        digest = hashlib.sha256(f"{media_id}|{url}".encode()).hexdigest()[:24]
        return self.folder / f"{digest}{suffix}"

    async def fetch(self, media_id: str, url: str, suffix: str) -> str:
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
