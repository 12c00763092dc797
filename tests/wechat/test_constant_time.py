"""Every door decides a signature in constant time: a forged one is refused by
`hmac.compare_digest`, never by `!=`, whose early exit tells a forger how much was right."""
from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from bot.telegram.transport import secret_matches
from tests.fakes.wechat_client import sign
from tests.wechat.conftest import TOKEN
from tests.wechat.test_callback_safety import plain_query, post, sealed, text_xml
from web.media_links import MediaLinks

FORGED = "0" * 40   # the length of a real SHA-1 signature: only its content is wrong


@pytest.fixture
def compared(monkeypatch) -> list[tuple[bytes | str, bytes | str]]:
    """Every pair `hmac.compare_digest` was asked about."""
    calls: list[tuple[bytes | str, bytes | str]] = []
    real = hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return real(a, b)
    monkeypatch.setattr(hmac, "compare_digest", recording)
    return calls


def decided(calls: list, forged: str) -> bool:
    as_text = [x.decode() if isinstance(x, bytes) else x for pair in calls for x in pair]
    return forged in as_text


async def test_signatures_compared_in_constant_time(plain, rig, compared):
    client, _ = plain
    t = rig.unix_now()
    doors = {
        "公众号 URL check": lambda: client.http.get(
            "/wechat/callback", params=plain_query(t, "9101") | {"signature": FORGED,
                                                                 "echostr": "e"}),
        "公众号 plain POST": lambda: post(client.http, "/wechat/callback",
                                        plain_query(t, "9102") | {"signature": FORGED},
                                        text_xml("o-forger", "/start", 9_102, t)),
        "公众号 safe-mode POST": lambda: post(
            rig.http, "/wechat/callback",
            sealed(text_xml("o-forger", "/start", 9_103, t), t, "9103")[0]
            | {"msg_signature": FORGED}, sealed("<xml/>", t, "9103")[1]),
        "WeCom URL check": lambda: rig.http.get(
            "/wecom/callback", params={"msg_signature": FORGED, "timestamp": str(t),
                                       "nonce": "9104", "echostr": "ZWNobw=="}),
        "WeCom POST": lambda: post(rig.http, "/wecom/callback",
                                   sealed("<xml/>", t, "9105", wecom=True)[0]
                                   | {"msg_signature": FORGED},
                                   sealed("<xml/>", t, "9105", wecom=True)[1]),
    }
    for door, request in doors.items():
        compared.clear()
        answer = await request()
        assert answer.status_code == 403, door
        assert decided(compared, FORGED), f"{door}: not compared in constant time"
    # The genuine article still passes through the same comparison.
    compared.clear()
    good = await client.http.get("/wechat/callback",
                                 params=plain_query(t, "9106") | {"echostr": "fine"})
    assert good.text == "fine" and decided(compared, sign(TOKEN, str(t), "9106"))


def test_telegram_secret_and_media_links_compared_in_constant_time(compared, tmp_path: Path):
    assert not secret_matches("s" * 32, FORGED)
    assert decided(compared, FORGED)
    compared.clear()
    links = MediaLinks(b"k" * 32, tmp_path)
    assert not links.valid("photos", "a.jpg", "9999999999", FORGED)
    assert decided(compared, FORGED)
