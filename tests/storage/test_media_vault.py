"""The media vault: hash names only, photos without metadata, nothing outside its folder."""
from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from storage.media import MediaKind, MediaRefused, MediaVault, Refusal, is_name
from tests.scenarios import phone_photo
from web.media_links import MediaLinks

HASH_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]+")


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_a_photo_is_kept_upright_without_exif_under_its_hash(tmp_path: Path):
    exif = Image.Exif()
    exif[0x0112] = 8                                # taken sideways
    exif[0x8825] = {1: "N", 2: (30.0, 39.0, 15.0), 3: "E", 4: (104.0, 4.0, 27.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "JPEG", exif=exif.tobytes())
    vault = MediaVault(tmp_path / "vault")

    kept = vault.keep(buffer.getvalue(), MediaKind.IMAGE)

    assert HASH_NAME.fullmatch(kept.name) and kept.suffix == ".jpg"
    with Image.open(kept) as image:
        assert image.size == (30, 40) and not image.getexif() and "exif" not in image.info
    assert vault.keep(buffer.getvalue(), MediaKind.IMAGE) == kept    # once, whatever reruns
    assert files_under(tmp_path) == [kept]


def test_a_transparent_png_is_laid_on_white(tmp_path: Path):
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(buffer, "PNG")
    kept = MediaVault(tmp_path).keep(buffer.getvalue(), MediaKind.IMAGE)
    with Image.open(kept) as image:
        assert min(image.getpixel((1, 1))) > 240


@pytest.mark.parametrize(("data", "reason"), [
    (b"", Refusal.EMPTY),
    (b"#!/bin/sh\necho not a photo\n", Refusal.NOT_AN_IMAGE),
    (b"GIF89a" + b"\x00" * 20, Refusal.NOT_AN_IMAGE),
])
def test_what_is_not_a_photo_is_refused_and_nothing_is_written(tmp_path: Path, data, reason):
    with pytest.raises(MediaRefused) as refused:
        MediaVault(tmp_path).keep(data, MediaKind.IMAGE)
    assert refused.value.reason is reason
    assert files_under(tmp_path) == []


def test_a_decompression_bomb_is_refused(tmp_path: Path):
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, "PNG")
    with pytest.raises(MediaRefused) as refused:
        MediaVault(tmp_path).keep(bomb.getvalue(), MediaKind.IMAGE)
    assert refused.value.reason is Refusal.TOO_MANY_PIXELS
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("key", ["../../x", "/etc/passwd", "9" * 5000, "a\x00b", "..", "名字"])
def test_a_platform_key_only_ever_names_a_file_by_its_hash(tmp_path: Path, key: str):
    vault = MediaVault(tmp_path / "vault")
    photo = vault.keep(phone_photo(), MediaKind.IMAGE, key=key)
    voice = vault.keep(b"OggS-voice", MediaKind.AUDIO, key=key, suffix="/../../evil.sh")
    assert photo.parent == voice.parent == tmp_path / "vault"
    assert HASH_NAME.fullmatch(photo.name) and voice.name.endswith(".bin")
    assert voice.read_bytes() == b"OggS-voice"                  # audio is kept as it came
    assert vault.find(key, MediaKind.IMAGE) == photo
    assert files_under(tmp_path) == sorted([photo, voice])


@pytest.mark.parametrize("name", ["../x.jpg", "a" * 64 + ".jpg/../../x", "A" * 64 + ".jpg",
                                  "a" * 64 + ".exe", "a" * 63 + ".jpg", "", ".", "web/" + "a" * 64])
def test_the_vault_opens_only_names_of_its_own_format(tmp_path: Path, name: str):
    (tmp_path / "x.jpg").write_bytes(b"secret")
    assert not is_name(name)
    assert MediaVault(tmp_path / "vault").path_of(name) is None


async def test_the_media_route_answers_404_for_an_unknown_file_even_when_signed(tmp_path: Path):
    links = MediaLinks(b"s" * 32, tmp_path, lifetime=60)
    kept = MediaVault(tmp_path / "web").keep(phone_photo(), MediaKind.IMAGE)
    app = FastAPI()
    app.include_router(links.routes())
    missing = str(tmp_path / "web" / ("0" * 64 + ".jpg"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as client:
        assert (await client.get(links.link(str(kept)))).status_code == 200
        gone = await client.get(links.link(missing))
        assert gone.status_code == 404 and gone.content == b""
        assert (await client.get("/media/web/x.jpg?exp=1&sig=1")).status_code == 404
        assert (await client.get("/media/web/%2E%2E%2Fsecret?exp=1&sig=1")).status_code == 404


def _saved(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


ODD_IMAGES = {
    "cmyk jpeg": _saved(Image.new("CMYK", (20, 10), (0, 200, 200, 0)), "JPEG"),
    "16-bit png": _saved(Image.new("I;16", (20, 10), 3000), "PNG"),
    "grey png": _saved(Image.new("L", (20, 10), 90), "PNG"),
    "webp": _saved(Image.new("RGB", (20, 10), "blue"), "WEBP"),
    "gif": _saved(Image.new("P", (20, 10), 3), "GIF"),
    "bmp": _saved(Image.new("RGB", (20, 10), "red"), "BMP"),
}


@pytest.mark.parametrize("name", list(ODD_IMAGES))
def test_any_common_image_kind_is_kept_as_a_plain_jpeg(tmp_path: Path, name: str):
    kept = MediaVault(tmp_path).keep(ODD_IMAGES[name], MediaKind.IMAGE)
    with Image.open(kept) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (20, 10))


@pytest.mark.parametrize("cut", [20, 200, -10])
def test_a_cut_off_photo_is_refused_or_kept_but_never_raises_anything_else(tmp_path, cut):
    whole = _saved(Image.effect_noise((64, 64), 40).convert("RGB"), "JPEG")
    try:
        kept = MediaVault(tmp_path).keep(whole[:cut], MediaKind.IMAGE)
    except MediaRefused as refused:
        assert refused.reason is Refusal.NOT_AN_IMAGE
        assert files_under(tmp_path) == []
    else:
        assert files_under(tmp_path) == [kept]
