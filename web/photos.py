"""Photos uploaded from a browser: only real JPEG or PNG images, kept EXIF-free in the vault."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from handlers import texts
from storage.media import MAX_PIXELS, MediaKind, MediaRefused, MediaVault, Refusal

MAX_BYTES = 5 * 1024 * 1024
ACCEPTED = ("JPEG", "PNG")
FOLDER = "web"


class PhotoRefused(ValueError):
    """Why an upload is not stored, in words the person can act on."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.status = status


def check_photo(data: bytes) -> str:
    """The format of a JPEG or PNG image; refuses anything else, whatever it claims to be."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused(texts.PHOTO_TOO_LARGE.format(mb=MAX_BYTES // (1024 * 1024)), 413)
    if not data:
        raise PhotoRefused(texts.PHOTO_EMPTY)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED) as image:
                kind = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refusal_text(MediaRefused(Refusal.TOO_MANY_PIXELS)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRefused(texts.PHOTO_NOT_AN_IMAGE) from None
    if kind not in ACCEPTED:
        raise PhotoRefused(texts.PHOTO_WRONG_FORMAT.format(kind=kind))
    return str(kind)


def refusal_text(refused: MediaRefused) -> PhotoRefused:
    """The vault's reason, told to the person."""
    if refused.reason is Refusal.TOO_MANY_PIXELS:
        return PhotoRefused(texts.PHOTO_TOO_MANY_PIXELS.format(megapixels=MAX_PIXELS // 10**6),
                            413)
    if refused.reason is Refusal.TOO_LARGE:
        return PhotoRefused(texts.PHOTO_TOO_LARGE.format(mb=MAX_BYTES // (1024 * 1024)), 413)
    if refused.reason is Refusal.EMPTY:
        return PhotoRefused(texts.PHOTO_EMPTY)
    return PhotoRefused(texts.PHOTO_NOT_AN_IMAGE)


def store_photo(data: bytes, media_dir: Path) -> Path:
    """Check and keep an upload, re-encoded without EXIF, under the hash of what is kept."""
    check_photo(data)
    try:
        return MediaVault(media_dir / FOLDER).keep(data, MediaKind.IMAGE)
    except MediaRefused as refused:
        raise refusal_text(refused) from None
