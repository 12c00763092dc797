"""10,000 generated callbacks on each of /wechat/callback and /wecom/callback: none answers 5xx,
none logs a traceback, and afterwards a resident still files a report on the same app.

Hypothesis draws small tuples (mode, template, odd values, mutation, seed); the bodies are
built from prepared templates, so generating ten thousand stays cheap. Modes: validly signed
and encrypted callbacks whose inner message is odd or mutated (what WeChat could send), the
envelope or its ciphertext tampered with, and unsigned garbage.
"""
from __future__ import annotations

import logging
import os
import time

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.tables import OutboxRow, WorkOrderRow
from tests.fakes.wechat_client import encrypt, sign, to_xml
from tests.wechat.conftest import AES_KEY, APPID, CORPID, TOKEN, WECOM_AES, WECOM_TOKEN
from tests.wechat.test_official_account import file_up_to_confirm

EXAMPLES = int(os.environ.get("GRIDBOT_FUZZ_EXAMPLES", "10000"))
ODD = ("", "hi", "你好", "\u202e\u202dRTL\u200f", "🚧💥👍🏽🇨🇳", "x" * 5_000, "洪" * 40_000,
       "91", "-91", "181", "1e308", "-1e308", "1e999", "nan", "inf", "9" * 400, "0x10", "-0",
       "1", "2", "3", "/start", "/report", "/my", "/cancel", "/grid", "qrscene_inv_x",
       "inv_garbage", "<b>", "]]>", "&amp;", "\t\n ", "\x00", "\x01\x02", "confirm:",
       "metoo:WG-20261123-0001", "detail:WG-20261123-0001", "cat:H01", "sign:WG-20261123-0001",
       "../../etc/passwd", "REPORT", "MY", "WALL", "o-other", "%s%n", "' OR 1=1 --")
KINDS = ("text", "image", "voice", "location", "link", "video", "shortvideo", "file", "event")
EVENTS = ("subscribe", "unsubscribe", "CLICK", "VIEW", "LOCATION", "SCAN",
          "template_card_event", "enter_agent", "hologram")
MUTATIONS = ("none", "none", "none", "truncate", "drop", "repeat", "doctype", "flip", "nest",
             "root", "empty", "laughs")
MODES = ("sealed",) * 6 + ("tampered", "garbage", "plain")
SENDERS = 40

example = st.tuples(st.sampled_from(MODES), st.integers(0, len(KINDS) - 1),
                    st.integers(0, len(EVENTS) - 1), st.integers(0, len(ODD) - 1),
                    st.integers(0, len(ODD) - 1), st.sampled_from(MUTATIONS),
                    st.integers(0, 2**20))


def generated() -> list[tuple]:
    drawn: list[tuple] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(example)
    def collect(one: tuple) -> None:
        drawn.append(one)

    collect()
    return drawn


def message(kind: int, event: int, a: str, b: str, seed: int, n: int, t: int,
            wecom: bool) -> str:
    """The n-th message: its own MsgId (else it is a redelivery), one of SENDERS people."""
    sender = f"fz{n % SENDERS}" if wecom else f"o-fz{n % SENDERS}"
    fields: dict = {"ToUserName": CORPID if wecom else "gh_test", "FromUserName": sender,
                    "CreateTime": t if seed % 7 else b, "MsgType": KINDS[kind]}
    match KINDS[kind]:
        case "text":
            fields |= {"Content": a}
        case "image":
            fields |= {"PicUrl": ("", "http://127.0.0.1:1/x", "ftp://x", "http://[::1", b)[seed % 5],
                       "MediaId": a or f"m{seed}"}
        case "voice":
            fields |= {"MediaId": b, "Format": a, "Recognition": b if seed % 2 else ""}
        case "location":
            fields |= {"Location_X": a, "Location_Y": b, "Scale": 15, "Label": b}
        case "event":
            fields |= {"Event": EVENTS[event], "EventKey": a, "Latitude": b, "TaskId": b}
    if seed % 3:
        fields["MsgId"] = 10**9 + n if seed % 5 else a
    if wecom:
        fields["AgentID"] = 1000002
    return to_xml(fields)


def mutated(xml: str, how: str, seed: int) -> str:
    match how:
        case "truncate":
            return xml[: seed % max(len(xml), 1)]
        case "drop":
            for tag in ("MsgType", "FromUserName", "Content", "MsgId", "CreateTime"):
                if seed % 5 == 0 or tag == ("MsgType", "FromUserName")[seed % 2]:
                    start, end = xml.find(f"<{tag}>"), xml.find(f"</{tag}>")
                    if start >= 0:
                        return xml[:start] + xml[end + len(tag) + 3:]
            return xml
        case "repeat":
            return xml.replace("</xml>", "<MsgType><![CDATA[text]]></MsgType></xml>")
        case "doctype":
            return '<!DOCTYPE xml [<!ENTITY e "/start">]>' + xml.replace("hi", "&e;")
        case "flip":
            at = seed % max(len(xml), 1)
            return xml[:at] + chr(32 + seed % 90) + xml[at + 1:]
        case "nest":
            return xml.replace("<FromUserName>", "<FromUserName><a>1</a>", 1)
        case "root":
            return xml.replace("<xml>", "<root>").replace("</xml>", "</root>")
        case "empty":
            return ""
        case "laughs":
            return ('<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
                    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]><xml><MsgType>&c;</MsgType></xml>')
    return xml


def request(drawn: tuple, n: int, t: int, wecom: bool) -> tuple[dict, bytes]:
    mode, kind, event, a, b, how, seed = drawn
    token, key, receiver = (WECOM_TOKEN, WECOM_AES, CORPID) if wecom else (TOKEN, AES_KEY, APPID)
    inner = mutated(message(kind, event, ODD[a], ODD[b], seed, n, t, wecom), how, seed)
    nonce, stamp = f"fz{n}", str(t)
    if mode == "garbage":
        query = {"timestamp": (stamp, "x", "9" * 30, "")[seed % 4], "nonce": nonce,
                 "signature": "0" * 40, "msg_signature": "0" * 40,
                 "encrypt_type": ("aes", "", "raw")[seed % 3]}
        return query, inner.encode("utf-8", errors="surrogatepass")
    if mode == "plain":
        query = {"signature": sign(token, stamp, nonce), "timestamp": stamp, "nonce": nonce,
                 "msg_signature": sign(token, stamp, nonce)}
        return query, inner.encode("utf-8", errors="surrogatepass")
    encrypted = encrypt(key, inner, receiver)
    if mode == "tampered":
        encrypted = mutated(encrypted, ("flip", "truncate", "none")[seed % 3], seed)
    envelope = to_xml({"ToUserName": receiver, "Encrypt": encrypted})
    query = {"msg_signature": sign(token, stamp, nonce, encrypted), "timestamp": stamp,
             "nonce": nonce}
    if not wecom:
        query |= {"signature": sign(token, stamp, nonce), "encrypt_type": "aes"}
    if mode == "tampered" and seed % 3 == 2:
        envelope = mutated(envelope, ("truncate", "doctype", "root", "flip")[seed % 4], seed)
    return query, envelope.encode()


async def fuzz(rig, caplog, wecom: bool) -> None:
    path = "/wecom/callback" if wecom else "/wechat/callback"
    drawn = generated()
    assert len(drawn) >= EXAMPLES * 0.99
    caplog.set_level(logging.WARNING)
    t, statuses = rig.unix_now(), {}
    started = time.monotonic()
    for n, one in enumerate(drawn):
        query, body = request(one, n, t, wecom)
        response = await rig.http.post(path, params=query, content=body)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (one, response.status_code)
    await rig.wechat.settle()
    await rig.wecom.settle()
    elapsed = time.monotonic() - started
    # The time is reported, not asserted: speed is measured in bench/, not timed in tests.
    logging.getLogger(__name__).warning("%d callbacks to %s in %.1f s: %s", len(drawn), path,
                                        elapsed, statuses)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert {200, 400, 403, 413} <= set(statuses)        # every kind of answer was exercised
    async with rig.services.uow() as uow:                # and odd messages reached the dialogs
        replies = (await uow.session.execute(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.address.like("%fz%")))).scalar_one()
    assert replies > SENDERS


async def report_still_files_an_order(talk, point, rig) -> None:
    async with rig.services.uow() as uow:
        before = (await uow.session.execute(select(func.count()).select_from(WorkOrderRow))).scalar_one()
    await file_up_to_confirm(talk, point, "after-fuzz")
    await talk.press("after-fuzz", "confirm:")
    async with rig.services.uow() as uow:
        after = (await uow.session.execute(select(func.count()).select_from(WorkOrderRow))).scalar_one()
    assert after == before + 1


async def test_ten_thousand_odd_callbacks_to_the_official_account_answer_no_5xx(
        rig, talk, point, caplog):
    await fuzz(rig, caplog, wecom=False)
    await report_still_files_an_order(talk, point, rig)


async def test_ten_thousand_odd_callbacks_to_wecom_answer_no_5xx(rig, talk, point, caplog):
    await fuzz(rig, caplog, wecom=True)
    await report_still_files_an_order(talk, point, rig)
