"""The media vault: received photos and voice notes, kept under names made from a hash.

A photo is re-encoded from its pixels alone (turned upright first), so EXIF — GPS, camera,
time — never reaches the disk; a voice note is kept as it came. A file's name is the sha256 of
its content, or of a key the caller gives (a platform's media id), never platform input itself,
and the vault opens only names of its own format: no path can lead outside its folder.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024       # the most any platform hands a bot (Telegram: 20 MB)
MAX_PIXELS = 50_000_000            # a 50-megapixel photo; more is a decompression bomb
LONGEST_SIDE = 4096                # kept photos are scaled down to this, plenty to see a problem
QUALITY = 88
# Formats a phone or a platform sends; Pillow's rarer decoders (FITS, PSD…) are never tried.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")   # JPEG covers multi-picture (MPO)
AUDIO_SUFFIXES = frozenset({".ogg", ".oga", ".opus", ".amr", ".speex", ".silk", ".mp3", ".m4a",
                            ".aac", ".wav"})
OTHER_AUDIO = ".bin"
IMAGE_SUFFIX = ".jpg"
NAME = re.compile(r"[0-9a-f]{64}\.(?:jpg|bin|" + "|".join(
    sorted(s[1:] for s in AUDIO_SUFFIXES)) + ")")


class MediaKind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"


class Refusal(StrEnum):
    """Why a file is not kept."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    TOO_MANY_PIXELS = "too_many_pixels"


class MediaRefused(ValueError):
    """A file the vault will not keep; `reason` says why, for the channel to tell the person."""

    def __init__(self, reason: Refusal, detail: str = ""):
        super().__init__(f"{reason.value}{': ' + detail if detail else ''}")
        self.reason = reason


def is_name(name: str) -> bool:
    """True for a name the vault gives: 64 hex digits and a known suffix, nothing else."""
    return NAME.fullmatch(name) is not None


def clean_image(data: bytes, longest: int = LONGEST_SIDE) -> bytes:
    """The photo as a fresh JPEG: upright, at most `longest` pixels a side, no metadata."""
    if not data:
        raise MediaRefused(Refusal.EMPTY)
    if len(data) > MAX_BYTES:
        raise MediaRefused(Refusal.TOO_LARGE, f"{len(data)} bytes")
    Image.init()   # registers WEBP's decoder; a no-op after the first call
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; any bomb is refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise MediaRefused(Refusal.TOO_MANY_PIXELS, f"{width}x{height}")
                image.draft("RGB", (longest, longest))   # JPEG: decode at a smaller scale
                upright = ImageOps.exif_transpose(image)
                pixels = _flattened(upright)
    except MediaRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRefused(Refusal.TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise MediaRefused(Refusal.NOT_AN_IMAGE) from None
    pixels.thumbnail((longest, longest))
    # A new image from the raw pixels carries no `info`: no EXIF, XMP, comments or thumbnails.
    bare = Image.frombytes("RGB", pixels.size, pixels.tobytes())
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels; transparent parts laid on white rather than turning black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def audio_suffix(suffix: str) -> str:
    """A known audio suffix as given, anything else as `.bin`: the suffix is platform input."""
    suffix = suffix.lower()
    return suffix if suffix in AUDIO_SUFFIXES else OTHER_AUDIO


class MediaVault:
    """One folder of kept media, named by hash."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def name_for(self, key: str, kind: MediaKind, suffix: str = "") -> str:
        """The name a file kept under `key` has (whether or not it is kept yet)."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return digest + (IMAGE_SUFFIX if kind is MediaKind.IMAGE else audio_suffix(suffix))

    def find(self, key: str, kind: MediaKind, suffix: str = "") -> Path | None:
        """The file kept under `key`, if it is."""
        return self.path_of(self.name_for(key, kind, suffix))

    def keep(self, data: bytes, kind: MediaKind, *, key: str | None = None, suffix: str = "",
             longest: int = LONGEST_SIDE) -> Path:
        """Clean (a photo) and store; named by `key`'s hash, or else by the content's."""
        if kind is MediaKind.IMAGE:
            data = clean_image(data, longest)
        elif not data:
            raise MediaRefused(Refusal.EMPTY)
        elif len(data) > MAX_BYTES:
            raise MediaRefused(Refusal.TOO_LARGE, f"{len(data)} bytes")
        name = (self.name_for(key, kind, suffix) if key is not None else
                hashlib.sha256(data).hexdigest()
                + (IMAGE_SUFFIX if kind is MediaKind.IMAGE else audio_suffix(suffix)))
        path = self.folder / name
        if not path.is_file():
            _write_atomically(path, data)
        return path

    def forget(self, kept: str) -> bool:
        """Delete a kept file, given by its name or by a path ending in it (as events and
        messages hold it); False when it was not the vault's or is gone already."""
        path = self.path_of(Path(kept).name)
        if path is None:
            return False
        path.unlink(missing_ok=True)
        return True

    def path_of(self, name: str) -> Path | None:
        """The kept file called `name`; None for a name not of the vault's format or not kept."""
        if not is_name(name):
            return None
        path = self.folder / name
        return path if path.is_file() else None


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the whole file or none; two writers of one name both end with it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
