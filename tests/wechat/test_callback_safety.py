"""The 公众号 and WeCom callbacks under attack: downgrade, replay, entities, garbage, floods."""
from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from bot.wechat.routes import wechat_router
from bot.wecom.routes import wecom_router
from storage.tables import DialogRow, InboundRow, OutboxRow, PersonRow
from tests.fakes.wechat_client import encrypt, sign, to_xml
from tests.wechat.conftest import AES_KEY, APPID, CORPID, TOKEN, WECOM_AES, WECOM_TOKEN

ENTITY = ('<!DOCTYPE xml [<!ENTITY who "/start">]><xml><ToUserName>gh_test</ToUserName>'
          '<FromUserName>o-mallory</FromUserName><CreateTime>{t}</CreateTime>'
          '<MsgType>text</MsgType><Content>&who;</Content><MsgId>{n}</MsgId></xml>')


async def footprint(services) -> list[int]:
    """What handling anything would leave: people, replies, dialogs, messages seen."""
    counts = []
    async with services.uow() as uow:
        for table in (PersonRow, OutboxRow, DialogRow):
            counts.append((await uow.session.execute(
                select(func.count()).select_from(table))).scalar_one())
        counts.append((await uow.session.execute(select(func.count()).where(
            InboundRow.channel.in_(["wechat", "wecom"])))).scalar_one())
    return counts


def text_xml(openid: str, content: str, msg_id: int, t: int, receiver: str = "gh_test") -> str:
    return to_xml({"ToUserName": receiver, "FromUserName": openid, "CreateTime": t,
                   "MsgType": "text", "Content": content, "MsgId": msg_id})


def plain_query(t: int, nonce: str, token: str = TOKEN) -> dict[str, str]:
    return {"signature": sign(token, str(t), nonce), "timestamp": str(t), "nonce": nonce}


def sealed(inner: str, t: int, nonce: str, *, wecom: bool = False) -> tuple[dict, str]:
    """A validly signed, encrypted callback around any inner text."""
    token, key, receiver = (WECOM_TOKEN, WECOM_AES, CORPID) if wecom else (TOKEN, AES_KEY, APPID)
    encrypted = encrypt(key, inner, receiver)
    query = {"msg_signature": sign(token, str(t), nonce, encrypted), "timestamp": str(t),
             "nonce": nonce}
    if not wecom:
        query |= {"signature": sign(token, str(t), nonce), "encrypt_type": "aes"}
    return query, to_xml({"ToUserName": receiver, "Encrypt": encrypted})


async def post(http: httpx.AsyncClient, path: str, query: dict, body: str | bytes
               ) -> httpx.Response:
    return await http.post(path, params=query, content=body if isinstance(body, bytes)
                           else body.encode())


# ---- safe mode is mandatory when a key is set ----------------------------------------------
async def test_plaintext_callback_is_refused_when_an_encoding_aes_key_is_configured(rig):
    t, before = rig.unix_now(), await footprint(rig.services)
    downgraded = await post(rig.http, "/wechat/callback", plain_query(t, "501"),
                            text_xml("o-mallory", "/start", 1, t))
    wecom_plain = await post(rig.http, "/wecom/callback",
                             {"msg_signature": sign(WECOM_TOKEN, str(t), "502"),
                              "timestamp": str(t), "nonce": "502"},
                             text_xml("mallory", "/start", 2, t, CORPID))
    assert (downgraded.status_code, wecom_plain.status_code) == (403, 403)
    assert await footprint(rig.services) == before
    assert rig.wechat_fake.to("o-mallory") == []


async def test_plaintext_is_still_accepted_when_no_key_is_configured(plain, rig):
    client, _ = plain
    answer = await client.text("o-plain-resident", "/start", 5_101)
    assert answer.status == 200 and answer.reply is not None


# ---- nonces ------------------------------------------------------------------------------
BOTH = pytest.mark.parametrize("services", ["sqlite", "postgres"], indirect=True)


@BOTH
async def test_a_nonce_seen_before_is_refused_with_another_body_even_on_another_worker(
        plain, rig):
    """Plain mode signs only token/timestamp/nonce: whoever saw one callback URL could post
    any body under it. A second worker (its own channel and app) must refuse it as well."""
    client, _ = plain
    t, nonce = rig.unix_now(), "777001"
    first = await post(client.http, "/wechat/callback", plain_query(t, nonce),
                       text_xml("o-first", "/start", 6_001, t))
    assert first.status_code == 200
    before = await footprint(rig.services)
    other_worker_app = FastAPI()
    other_worker_app.include_router(wechat_router(plain[1], rig.chat))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other_worker_app),
                                 base_url="http://worker-2.test") as worker2:
        forged = await post(worker2, "/wechat/callback", plain_query(t, nonce),
                            text_xml("o-victim", "/start", 6_002, t))
    assert forged.status_code == 403
    assert await footprint(rig.services) == before


async def test_get_check_records_its_nonce(plain, rig):
    """A URL check's signature (seen in a proxy's log) is the very signature a plain POST
    carries: the check records its nonce, so the same nonce cannot bring a message after it."""
    client, _ = plain
    t, nonce = rig.unix_now(), "777101"
    check = await client.http.get("/wechat/callback",
                                  params=plain_query(t, nonce) | {"echostr": "echo-777101"})
    assert (check.status_code, check.text) == (200, "echo-777101")
    before = await footprint(rig.services)
    replayed = await post(client.http, "/wechat/callback", plain_query(t, nonce),
                          text_xml("o-mallory", "/start", 6_051, t))
    assert replayed.status_code == 403
    assert await footprint(rig.services) == before
    again = await client.http.get("/wechat/callback",
                                  params=plain_query(t, nonce) | {"echostr": "echo-777101"})
    assert again.status_code == 200   # the same check twice is harmless: it only echoes


@BOTH
@pytest.mark.parametrize("wecom", [False, True], ids=["wechat", "wecom"])
async def test_a_retry_with_the_same_nonce_and_body_is_answered_once_not_refused(rig, wecom):
    """Whether or not WeChat keeps the nonce when it retries, a genuine retry is the same
    message: de-duplicated by MsgId and answered with a 200, never a 403."""
    t, path = rig.unix_now(), "/wecom/callback" if wecom else "/wechat/callback"
    sender = "retrying" if wecom else "o-retrying"
    query, body = sealed(text_xml(sender, "/help", 6_101, t, CORPID if wecom else "gh_test"),
                         t, "888001", wecom=wecom)
    first = await post(rig.http, path, query, body)
    after_first = await footprint(rig.services)
    retry = await post(rig.http, path, query, body)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert await footprint(rig.services) == after_first


# ---- XML with declarations -----------------------------------------------------------------
async def test_xml_with_entity_declarations_is_refused_outside_and_inside(plain, rig):
    client, _ = plain
    t, before = rig.unix_now(), await footprint(rig.services)
    outer = await post(client.http, "/wechat/callback", plain_query(t, "901"),
                       ENTITY.format(t=t, n=7_001))
    query, body = sealed(ENTITY.format(t=t, n=7_002), t, "902")
    inner = await post(rig.http, "/wechat/callback", query, body)
    query, body = sealed(ENTITY.format(t=t, n=7_003).replace("o-mallory", "mallory"), t, "903",
                         wecom=True)
    wecom_inner = await post(rig.http, "/wecom/callback", query, body)
    envelope = ('<!DOCTYPE xml [<!ENTITY e "x">]><xml><ToUserName>&e;</ToUserName>'
                '<Encrypt>&e;</Encrypt></xml>')
    wecom_outer = await post(rig.http, "/wecom/callback",
                             {"msg_signature": sign(WECOM_TOKEN, str(t), "904", "x"),
                              "timestamp": str(t), "nonce": "904"}, envelope)
    assert [r.status_code for r in (outer, inner, wecom_inner, wecom_outer)] == [400] * 4
    assert await footprint(rig.services) == before


# ---- no input makes a 500 ------------------------------------------------------------------
def bad_bodies(t: int, wecom: bool = False) -> list[tuple[str, dict, bytes, set[int]]]:
    """(what, query, body, acceptable answers) for the 公众号 in safe mode, or for WeCom."""
    def inner(xml: str, nonce: str) -> tuple[dict, bytes]:
        query, body = sealed(xml, t, nonce + ("w" if wecom else ""), wecom=wecom)
        return query, body.encode()
    signed_only = plain_query(t, "1001") | {"encrypt_type": "aes",
                                            "msg_signature": sign(TOKEN, str(t), "1001", "")}
    garbage = {"signature": "x", "timestamp": "9" * 40, "nonce": "n" * 5000}
    cases = [
        ("empty body", signed_only, b"", {400, 403}),
        ("not XML", signed_only, b"{\"json\": true}", {400, 403}),
        ("unclosed XML", signed_only, b"<xml><Encrypt>abc", {400, 403}),
        ("garbage query", garbage, b"<xml/>", {403}),
        ("no query", {}, b"<xml/>", {403}),
    ]
    bad_cipher = "!!!not base64!!!"
    q = {"msg_signature": sign(TOKEN, str(t), "1002", bad_cipher), "timestamp": str(t),
         "nonce": "1002", "signature": sign(TOKEN, str(t), "1002"), "encrypt_type": "aes"}
    cases.append(("ciphertext not base64", q,
                  to_xml({"ToUserName": APPID, "Encrypt": bad_cipher}).encode(), {400}))
    short = "QUJD"     # base64 of 3 bytes: not a whole AES block
    q = q | {"msg_signature": sign(TOKEN, str(t), "1002", short), "nonce": "1002"}
    q["signature"] = sign(TOKEN, str(t), "1002")
    cases.append(("ciphertext not a block", q,
                  to_xml({"ToUserName": APPID, "Encrypt": short}).encode(), {400}))
    for n, (what, xml) in enumerate([
            ("inner not XML", "garbage after decrypt \u202e"),
            ("inner without MsgType", "<xml><FromUserName>o-x</FromUserName></xml>"),
            ("inner without sender", "<xml><MsgType>text</MsgType></xml>"),
            ("unknown MsgType", text_xml("o-odd", "x", 1, t).replace(">text<", ">hologram<")),
            ("huge MsgId", text_xml("o-odd", "hi", 10**400, t)),
            ("garbage MsgId", text_xml("o-odd", "hi", 1, t).replace(">1<", ">1e308<")),
            ("lat 91", to_xml({"ToUserName": "gh", "FromUserName": "o-odd", "CreateTime": t,
                               "MsgType": "location", "Location_X": 91, "Location_Y": 1e308,
                               "Scale": 1, "Label": "", "MsgId": 5})),
            ("garbage event key", to_xml({"ToUserName": "gh", "FromUserName": "o-odd",
                                          "CreateTime": "soon", "MsgType": "event",
                                          "Event": "CLICK", "EventKey": "\u202e💥"})),
            ("nested sender", ("<xml><MsgType>text</MsgType><FromUserName><a/></FromUserName>"
                              "</xml>")),
            ("RTL and emoji", text_xml("o-odd", "\u202e🚧\u200f" * 50, 6, t)),
            ("voice with a path for a format", to_xml({
                "ToUserName": "gh", "FromUserName": "o-odd", "CreateTime": t,
                "MsgType": "voice", "MediaId": "nope", "Format": "/../../x", "MsgId": 7})),
    ]):
        query, body = inner(xml, str(2000 + n))
        cases.append((what, query, body, {200}))
    return cases


@pytest.mark.parametrize("wecom", [False, True], ids=["wechat", "wecom"])
async def test_malformed_callbacks_get_4xx_or_success_never_500(rig, caplog, wecom):
    t, path = rig.unix_now(), "/wecom/callback" if wecom else "/wechat/callback"
    caplog.set_level(logging.WARNING)
    for what, query, body, allowed in bad_bodies(t, wecom):
        if wecom and allowed != {200}:     # envelopes signed for the 公众号: WeCom refuses them
            allowed = allowed | {403}
        response = await post(rig.http, path, query, body)
        assert response.status_code in allowed, (what, response.status_code)
    await rig.wechat.settle()
    await rig.wecom.settle()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_body_over_the_limit_is_refused_413_before_it_is_read_whole(rig):
    t, before = rig.unix_now(), await footprint(rig.services)
    query, body = sealed(text_xml("o-flood", "洪" * 700_000, 8_001, t), t, "3001")
    declared = await post(rig.http, "/wechat/callback", query, body)
    pulled = []

    async def stream():            # no Content-Length: the app must count as it reads
        for _ in range(200):
            pulled.append(1)
            yield b"x" * 16_384
    chunked = await rig.http.post("/wecom/callback", params={"timestamp": str(t)},
                                  content=stream())
    assert (declared.status_code, chunked.status_code) == (413, 413)
    assert len(pulled) <= 6        # 64 KiB in 16 KiB pieces, then it stopped reading
    assert await footprint(rig.services) == before


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_after_a_bad_request_the_next_one_on_the_same_connection_works(rig):
    """A real uvicorn server on loopback, one keep-alive connection for every request."""
    app = FastAPI()
    app.include_router(wechat_router(rig.wechat, rig.chat))
    app.include_router(wecom_router(rig.wecom, rig.chat))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0)
        t = rig.unix_now()
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as http:
            statuses = []
            flood = sealed(text_xml("o-flood", "洪" * 700_000, 8_002, t), t, "3002")
            for what, query, body, _ in [*bad_bodies(t), ("2 MB", *flood, {413})]:
                statuses.append((await post(http, "/wechat/callback", query, body)).status_code)
                good_query, good_body = sealed(text_xml("o-after-" + str(len(statuses)), "/help",
                                                        9_000 + len(statuses), t), t,
                                               f"40{len(statuses)}")
                good = await post(http, "/wechat/callback", good_query, good_body)
                assert good.status_code == 200, what
        assert all(status < 500 for status in statuses) and statuses[-1] == 413, statuses
    finally:
        server.should_exit = True
        await serving
