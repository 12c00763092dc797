"""Media are private: uploads lose their EXIF, and photos open only over short-lived signed links."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import time_machine
from PIL import Image

from tests.web.conftest import Web
from tests.web.test_chat_api import LEADER, RESIDENT, file_report, onboard_and_describe

GPS_IFD = 0x8825


def gps_jpeg(width: int = 160, height: int = 120) -> bytes:
    """A phone photo that tells where it was taken (GPS EXIF), by what camera, and which way up."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6                              # taken sideways: shown turned 90°
    exif[GPS_IFD] = {1: "N", 2: (30.0, 39.0, 15.0), 3: "E", 4: (104.0, 4.0, 27.0)}
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 160, 90)).save(out, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(GPS_IFD)
    return out.getvalue()


def assert_no_exif(image: Image.Image) -> None:
    exif = image.getexif()
    assert not exif and not exif.get_ifd(GPS_IFD) and "exif" not in image.info


async def upload(web: Web, session: str, data: bytes, caption: str = "", message_id: str = "p1"):
    return await web.client.post(f"/api/chat/{session}/photo",
                                 data={"id": message_id, "caption": caption},
                                 files={"file": ("IMG_0001.jpg", data, "image/jpeg")})


async def resolved_with_photo(web: Web, point: tuple[float, float]) -> dict:
    """A resident's order, signed for and resolved by the leader with a GPS-tagged after-photo;
    returns the message that shows the resident that photo."""
    await file_report(web, point)
    code = re.search(r"WG-\d{8}-\d{4}", (await web.last(RESIDENT))["text"]).group()
    new_order = next(m for m in await web.messages(LEADER) if code in m["text"])
    await web.send(LEADER, button=dict(new_order["choices"])["签收"])
    await web.send(LEADER, button=f"resolve:{code}")
    response = await upload(web, LEADER, gps_jpeg(), caption="纸箱已清走", message_id="after")
    assert response.status_code == 200, response.text
    await web.send(LEADER, button=f"finish:{code}")          # 完成办结
    return next(m for m in await web.messages(RESIDENT) if m["photo"])


def stored_photos(web: Web) -> list[Path]:
    return sorted(p for p in web.media_dir.rglob("*") if p.is_file())


async def test_a_photo_with_gps_exif_uploaded_in_the_web_chat_is_stored_without_exif(web: Web):
    await onboard_and_describe(web)
    response = await upload(web, RESIDENT, gps_jpeg())
    assert response.status_code == 200, response.text

    [stored] = stored_photos(web)
    assert re.fullmatch(r"[0-9a-f]{64}\.jpg", stored.name)
    with Image.open(stored) as kept:
        assert_no_exif(kept)
        assert kept.size == (120, 160)               # turned upright before the EXIF went


async def test_a_raw_photo_is_not_reachable_at_the_old_public_url(web: Web):
    await onboard_and_describe(web)
    assert (await upload(web, RESIDENT, gps_jpeg())).status_code == 200
    [stored] = stored_photos(web)

    for url in (f"/media/web/{stored.name}", f"/media/web/{stored.name}?exp=9999999999&sig=0"):
        response = await web.client.get(url)
        assert response.status_code == 403 and response.content == b""
    assert (await web.client.get("/media/web/")).status_code == 404
    assert (await web.client.get("/media/../gridbot.db")).status_code == 404


async def test_a_signed_link_works_for_its_lifetime_and_not_after(web: Web,
                                                                 point_in_leader_grid):
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False) as traveller:
        shown = await resolved_with_photo(web, point_in_leader_grid)
        link = shown["photo"]
        assert link.startswith("/media/web/") and "sig=" in link and "exp=" in link

        response = await web.client.get(link)
        assert response.status_code == 200
        with Image.open(io.BytesIO(response.content)) as seen:
            assert_no_exif(seen)
        assert "private" in response.headers["cache-control"]

        traveller.shift(3590)                         # a minute short of the hour: still good
        assert (await web.client.get(link)).status_code == 200
        traveller.shift(20)                           # past the hour
        expired = await web.client.get(link)
        assert expired.status_code == 403 and expired.content == b""
        # a page reloaded later gets a fresh link
        again = next(m for m in await web.messages(RESIDENT) if m["photo"])["photo"]
        assert again != link and (await web.client.get(again)).status_code == 200


async def test_a_tampered_or_borrowed_signature_is_refused(web: Web, point_in_leader_grid):
    shown = await resolved_with_photo(web, point_in_leader_grid)
    link = shown["photo"]
    path, _, query = link.partition("?")
    params = dict(pair.split("=") for pair in query.split("&"))

    flipped = params["sig"][:-1] + ("0" if params["sig"][-1] != "0" else "1")
    later = str(int(params["exp"]) + 86400)
    # another file's signature: a second photo, kept but never linked
    assert (await upload(web, RESIDENT, gps_jpeg(90, 60), message_id="p9")).status_code == 200
    other = next(p for p in stored_photos(web) if p.name not in path)
    forged = [f"{path}?exp={params['exp']}&sig={flipped}",
              f"{path}?exp={later}&sig={params['sig']}",
              f"{path}?exp={params['exp']}",
              f"/media/web/{other.name}?exp={params['exp']}&sig={params['sig']}",
              f"/media/web/{other.name}?exp={params['exp']}&sig=%C3%A9"]
    for url in forged:
        response = await web.client.get(url)
        assert response.status_code == 403, url
        assert response.content == b""
    assert (await web.client.get(link)).status_code == 200


@pytest.mark.parametrize("side", [10_000, 20_000])    # 100 and 400 megapixels, in a few kB
async def test_a_decompression_bomb_is_refused_and_nothing_is_kept(web: Web, side: int):
    await onboard_and_describe(web)
    bomb = io.BytesIO()
    Image.new("1", (side, side)).save(bomb, "PNG")
    response = await web.client.post(f"/api/chat/{RESIDENT}/photo", data={"id": "bomb"},
                                     files={"file": ("bomb.png", bomb.getvalue(), "image/png")})
    assert response.status_code == 413
    assert "像素" in response.json()["detail"]
    assert stored_photos(web) == []
