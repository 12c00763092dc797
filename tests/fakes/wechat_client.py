"""Plays WeChat's and WeCom's servers towards gridbot: signs and encrypts callbacks as they do.

The crypto here is written from the published algorithm (SHA-1 of the sorted token, timestamp,
nonce [and ciphertext]; AES-256-CBC with IV = key[:16], PKCS#7 to 32-byte blocks, body =
16 random bytes + 4-byte big-endian length + message + receiver id), not borrowed from wechatpy,
so the app's side is checked against an independent implementation.
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cipher(aes_key: str) -> Cipher:
    key = base64.b64decode(aes_key + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(aes_key: str, message: str, receiver: str, random16: bytes | None = None) -> str:
    raw = message.encode()
    body = (random16 or os.urandom(16)) + struct.pack(">I", len(raw)) + raw + receiver.encode()
    pad = BLOCK - len(body) % BLOCK
    body += bytes([pad]) * pad
    encryptor = _cipher(aes_key).encryptor()
    return base64.b64encode(encryptor.update(body) + encryptor.finalize()).decode()


def decrypt(aes_key: str, ciphertext: str) -> tuple[str, str, bytes]:
    """(message, receiver id, the 16 random bytes)."""
    decryptor = _cipher(aes_key).decryptor()
    body = decryptor.update(base64.b64decode(ciphertext)) + decryptor.finalize()
    body = body[:-body[-1]]
    (length,) = struct.unpack(">I", body[16:20])
    return body[20:20 + length].decode(), body[20 + length:].decode(), body[:16]


def to_xml(fields: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, (int, float)):
            return str(v)
        return "<![CDATA[" + str(v).replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return "<xml>" + "".join(f"<{k}>{value(v)}</{k}>" for k, v in fields.items()) + "</xml>"


def from_xml(xml: str) -> dict[str, str]:
    """A flat XML message's fields (enough for replies and envelopes)."""
    inner = re.search(r"<xml>(.*)</xml>", xml, re.DOTALL)
    fields = {}
    for name, raw in re.findall(r"<(\w+)>(.*?)</\1>", inner.group(1) if inner else "", re.DOTALL):
        fields[name] = re.sub(r"<!\[CDATA\[(.*?)\]\]>", r"\1", raw, flags=re.DOTALL)
    return fields


@dataclass
class Answer:
    status: int
    body: str
    reply: dict[str, str] | None     # the passive reply's fields, decrypted; None for "success"


class CallbackClient:
    """Sends callbacks to the app under test; `now` gives the Unix time WeChat would stamp."""

    def __init__(self, http: httpx.AsyncClient, path: str, token: str, receiver: str,
                 aes_key: str | None, now: Callable[[], int]):
        self.http, self.path, self.token = http, path, token
        self.receiver, self.aes_key, self.now = receiver, aes_key, now
        self._nonces = itertools.count(1_000_000)

    def stamp(self) -> tuple[str, str]:
        return str(self.now()), str(next(self._nonces))

    def envelope(self, xml: str, timestamp: str, nonce: str) -> tuple[dict[str, str], str]:
        """Query and body of an encrypted callback."""
        encrypted = encrypt(self.aes_key or "", xml, self.receiver)
        query = {"msg_signature": sign(self.token, timestamp, nonce, encrypted),
                 "timestamp": timestamp, "nonce": nonce}
        return query, to_xml({"ToUserName": self.receiver, "Encrypt": encrypted})

    def open_reply(self, text: str) -> dict[str, str] | None:
        if not text or text == "success":
            return None
        fields = from_xml(text)
        if "Encrypt" in fields:
            expected = sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            assert fields["MsgSignature"] == expected, "the app signed its reply wrongly"
            message, receiver, _ = decrypt(self.aes_key or "", fields["Encrypt"])
            assert receiver == self.receiver
            fields = from_xml(message)
        return fields

    async def post(self, query: dict[str, str], body: str) -> Answer:
        response = await self.http.post(self.path, params=query, content=body.encode(),
                                         headers={"Content-Type": "text/xml"})
        reply = self.open_reply(response.text) if response.status_code == 200 else None
        return Answer(response.status_code, response.text, reply)


class OfficialAccountClient(CallbackClient):
    """WeChat's 公众号 server: plain mode, or safe mode (AES) when `aes_key` is given."""

    def __init__(self, http: httpx.AsyncClient, token: str, appid: str, aes_key: str | None,
                 now: Callable[[], int], path: str = "/wechat/callback", account: str = "gh_test"):
        super().__init__(http, path, token, appid, aes_key, now)
        self.account = account

    async def verify_url(self, echostr: str, forge: bool = False) -> httpx.Response:
        timestamp, nonce = self.stamp()
        signature = sign(self.token, timestamp, nonce)
        if forge:
            signature = sign("not-the-token", timestamp, nonce)
        return await self.http.get(self.path, params={"signature": signature, "echostr": echostr,
                                                      "timestamp": timestamp, "nonce": nonce})

    async def send(self, openid: str, fields: dict[str, Any], forge: bool = False,
                   timestamp: str | None = None) -> Answer:
        """`timestamp` signs the query (default now); `fields` may set their own CreateTime."""
        stamp, nonce = self.stamp()
        timestamp = timestamp or stamp
        xml = to_xml({"ToUserName": self.account, "FromUserName": openid,
                      "CreateTime": int(timestamp), **fields})
        token = "not-the-token" if forge else self.token
        query = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce, "openid": openid}
        if self.aes_key:
            _, xml = self.envelope(xml, timestamp, nonce)
            query |= {"encrypt_type": "aes",
                      "msg_signature": sign(token, timestamp, nonce, from_xml(xml)["Encrypt"])}
        return await self.post(query, xml)

    async def text(self, openid: str, content: str, msg_id: int, **kw: Any) -> Answer:
        return await self.send(openid, {"MsgType": "text", "Content": content, "MsgId": msg_id},
                               **kw)

    async def image(self, openid: str, media_id: str, pic_url: str, msg_id: int) -> Answer:
        return await self.send(openid, {"MsgType": "image", "PicUrl": pic_url,
                                        "MediaId": media_id, "MsgId": msg_id})

    async def location(self, openid: str, lat: float, lng: float, msg_id: int) -> Answer:
        return await self.send(openid, {"MsgType": "location", "Location_X": lat,
                                        "Location_Y": lng, "Scale": 15, "Label": "",
                                        "MsgId": msg_id})

    async def voice(self, openid: str, media_id: str, recognition: str, msg_id: int) -> Answer:
        return await self.send(openid, {"MsgType": "voice", "MediaId": media_id,
                                        "Format": "amr", "Recognition": recognition,
                                        "MsgId": msg_id})

    async def event(self, openid: str, event: str, key: str | None = None,
                    create_time: int | None = None) -> Answer:
        """An event; a retry carries the same CreateTime as the first delivery."""
        fields: dict[str, Any] = {"MsgType": "event", "Event": event}
        if key is not None:
            fields["EventKey"] = key
        if create_time is not None:
            fields["CreateTime"] = create_time
        return await self.send(openid, fields)


class WeComClient(CallbackClient):
    """WeCom's server: every callback encrypted, AgentID in the message."""

    def __init__(self, http: httpx.AsyncClient, token: str, corpid: str, aes_key: str,
                 agentid: int, now: Callable[[], int], path: str = "/wecom/callback"):
        super().__init__(http, path, token, corpid, aes_key, now)
        self.agentid = agentid

    async def verify_url(self, echostr: str) -> httpx.Response:
        timestamp, nonce = self.stamp()
        encrypted = encrypt(self.aes_key or "", echostr, self.receiver)
        return await self.http.get(self.path, params={
            "msg_signature": sign(self.token, timestamp, nonce, encrypted),
            "timestamp": timestamp, "nonce": nonce, "echostr": encrypted})

    async def send(self, userid: str, fields: dict[str, Any]) -> Answer:
        timestamp, nonce = self.stamp()
        xml = to_xml({"ToUserName": self.receiver, "FromUserName": userid,
                      "CreateTime": int(timestamp), **fields, "AgentID": self.agentid})
        query, body = self.envelope(xml, timestamp, nonce)
        return await self.post(query, body)

    async def text(self, userid: str, content: str, msg_id: int) -> Answer:
        return await self.send(userid, {"MsgType": "text", "Content": content, "MsgId": msg_id})

    async def image(self, userid: str, media_id: str, msg_id: int) -> Answer:
        return await self.send(userid, {"MsgType": "image", "PicUrl": "", "MediaId": media_id,
                                        "MsgId": msg_id})

    async def location(self, userid: str, lat: float, lng: float, msg_id: int) -> Answer:
        return await self.send(userid, {"MsgType": "location", "Location_X": lat,
                                        "Location_Y": lng, "Scale": 15, "Label": "",
                                        "MsgId": msg_id})

    async def click(self, userid: str, key: str, task_id: str = "gb-task",
                    create_time: int | None = None) -> Answer:
        """A button of a template card pressed; a retry carries the first CreateTime."""
        fields: dict[str, Any] = {"MsgType": "event", "Event": "template_card_event",
                                  "EventKey": key, "TaskId": task_id,
                                  "CardType": "button_interaction", "ResponseCode": "rc"}
        if create_time is not None:
            fields["CreateTime"] = create_time
        return await self.send(userid, fields)
