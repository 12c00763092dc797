"""Photos uploaded from a browser: only real JPEG or PNG images, stored under a random name."""
from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png"}
FOLDER = "web"


class PhotoRefused(ValueError):
    """Why an upload is not stored, in words the person can act on."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.status = status


def check_photo(data: bytes) -> str:
    """The file suffix of a JPEG or PNG image; refuses anything else, whatever it claims to be."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused(f"照片太大：请上传不超过 {MAX_BYTES // (1024 * 1024)} MB 的图片。", 413)
    if not data:
        raise PhotoRefused("没有收到照片内容，请重新选择图片。")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRefused("只能上传 JPEG 或 PNG 格式的照片，这个文件不是可识别的图片。") from None
    if kind not in SUFFIXES:
        raise PhotoRefused(f"只能上传 JPEG 或 PNG 格式的照片，这个文件是 {kind}。")
    return SUFFIXES[kind]


def store_photo(data: bytes, media_dir: Path) -> Path:
    """Check and keep an upload; the name is random so nobody can guess another's photo."""
    suffix = check_photo(data)
    folder = media_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_urlsafe(16)}{suffix}"
    path.write_bytes(data)
    return path
