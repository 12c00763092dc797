"""Our callback crypto against Tencent's published 消息加解密 samples, and the test client too.

公众号 sample: token "spamtest", EncodingAESKey "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
appid "wx2c2769f8efd9abc2". WeCom sample (企业微信 回调加解密): token "QDG6eK", EncodingAESKey
"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", corpid "wx5823bf96d3bd56c7".
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from wechatpy.crypto import PrpCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WorkPrpCrypto

from bot.wechat.crypto import CallbackQuery, OfficialAccountCrypto, Refused
from bot.wecom.crypto import WeComCrypto
from storage.clock import FixedClock
from tests.fakes.wechat_client import decrypt, encrypt, from_xml, sign

MP = {"token": "spamtest", "aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
      "appid": "wx2c2769f8efd9abc2", "timestamp": "1409735669", "nonce": "1320562132",
      "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
      "encrypt": "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbe"
                 "UgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41Iz"
                 "DWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA91"
                 "2xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpX"
                 "gCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSg"
                 "M9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="}
WORK = {"token": "QDG6eK", "aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        "corpid": "wx5823bf96d3bd56c7", "timestamp": "1409659813", "nonce": "1372623149",
        "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
        "encrypt": "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QAD"
                   "HHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+"
                   "6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNX"
                   "ZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGU"
                   "callcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNl"
                   "Y6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E"
                   "7Q==",
        "verify": ("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780",
                   ("P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+"
                    "FZXvnaqQ=="))}


def clock_at(timestamp: str) -> FixedClock:
    return FixedClock(datetime.fromtimestamp(int(timestamp), UTC))


def official(sample=MP, skew=300) -> OfficialAccountCrypto:
    return OfficialAccountCrypto(sample["token"], sample["aes_key"], sample["appid"],
                                 clock_at(sample["timestamp"]), skew)


def mp_query(**change) -> CallbackQuery:
    values = {"signature": sign(MP["token"], MP["timestamp"], MP["nonce"]),
              "timestamp": MP["timestamp"], "nonce": MP["nonce"],
              "msg_signature": MP["msg_signature"], "encrypt_type": "aes"} | change
    return CallbackQuery(**values)


def body(encrypted: str) -> bytes:
    return f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()


def test_official_sample_decrypts_to_its_text_message():
    message = from_xml(official().open(mp_query(), body(MP["encrypt"])))
    assert message["Content"] == "abcdteT" and message["MsgId"] == "6054768590064713728"
    assert message["FromUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


def test_official_sample_encrypts_back_to_the_published_ciphertext(monkeypatch):
    plain, appid, random16 = decrypt(MP["aes_key"], MP["encrypt"])
    assert appid == MP["appid"]
    monkeypatch.setattr(PrpCrypto, "get_random_string", lambda self: random16.decode())
    sealed = from_xml(official().seal(mp_query(), plain))
    assert sealed["Encrypt"] == MP["encrypt"]
    assert sealed["MsgSignature"] == MP["msg_signature"]


def test_the_test_client_reproduces_both_samples_independently():
    for sample, receiver in ((MP, MP["appid"]), (WORK, WORK["corpid"])):
        plain, got_receiver, random16 = decrypt(sample["aes_key"], sample["encrypt"])
        assert got_receiver == receiver
        assert encrypt(sample["aes_key"], plain, receiver, random16) == sample["encrypt"]
        assert sign(sample["token"], sample["timestamp"], sample["nonce"],
                    sample["encrypt"]) == sample["msg_signature"]


@pytest.mark.parametrize("change", [{"msg_signature": "0" * 40}, {"signature": "0" * 40},
                                    {"nonce": "1320562133"}])
def test_official_sample_with_any_signature_wrong_is_refused(change):
    with pytest.raises(Refused):
        official().open(mp_query(**change), body(MP["encrypt"]))


def test_a_stale_callback_is_refused_even_when_correctly_signed():
    late = OfficialAccountCrypto(MP["token"], MP["aes_key"], MP["appid"],
                                 clock_at(str(int(MP["timestamp"]) + 301)), 300)
    with pytest.raises(Refused, match="300 s"):
        late.open(mp_query(), body(MP["encrypt"]))


def test_wecom_sample_verifies_its_url_and_decrypts_its_message(monkeypatch):
    signature, timestamp, nonce, echostr = WORK["verify"]
    crypto = WeComCrypto(WORK["token"], WORK["aes_key"], WORK["corpid"], clock_at(timestamp))
    echoed = crypto.verify_url(CallbackQuery("", timestamp, nonce, signature, "", echostr))
    assert echoed == "1616140317555161061"

    crypto = WeComCrypto(WORK["token"], WORK["aes_key"], WORK["corpid"],
                         clock_at(WORK["timestamp"]))
    query = CallbackQuery("", WORK["timestamp"], WORK["nonce"], WORK["msg_signature"])
    plain = crypto.open(query, body(WORK["encrypt"]))
    message = from_xml(plain)
    assert message["Content"] == "hello" and message["MsgId"] == "4561255354251345929"

    _, _, random16 = decrypt(WORK["aes_key"], WORK["encrypt"])
    monkeypatch.setattr(WorkPrpCrypto, "get_random_string", lambda self: random16.decode())
    sealed = from_xml(crypto.seal(query, plain))
    assert (sealed["Encrypt"], sealed["MsgSignature"]) == (WORK["encrypt"], WORK["msg_signature"])


def test_wecom_refuses_a_message_encrypted_for_another_corp():
    crypto = WeComCrypto(WORK["token"], WORK["aes_key"], "ww-someone-else",
                         clock_at(WORK["timestamp"]))
    query = CallbackQuery("", WORK["timestamp"], WORK["nonce"], WORK["msg_signature"])
    with pytest.raises(Refused):
        crypto.open(query, body(WORK["encrypt"]))
