"""The 公众号 callback's guard: signature, freshness, and safe mode's AES, by wechatpy's rules."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from storage.clock import Clock


class Refused(Exception):
    """A forged, stale or unreadable callback: answer 403 and process nothing."""


@dataclass(frozen=True)
class CallbackQuery:
    """The query string WeChat signs every callback with."""

    signature: str
    timestamp: str
    nonce: str
    msg_signature: str = ""
    encrypt_type: str = ""
    echostr: str = ""

    @classmethod
    def of(cls, params: Mapping[str, str]) -> CallbackQuery:
        return cls(params.get("signature", ""), params.get("timestamp", ""),
                   params.get("nonce", ""), params.get("msg_signature", ""),
                   params.get("encrypt_type", ""), params.get("echostr", ""))

    @property
    def encrypted(self) -> bool:
        return self.encrypt_type == "aes"


def fresh(timestamp: str, clock: Clock, max_skew: int) -> None:
    """A replayed callback carries an old timestamp; refuse it."""
    try:
        sent = int(timestamp)
    except ValueError as garbled:
        raise Refused("timestamp is not a number") from garbled
    if abs(clock.now().timestamp() - sent) > max_skew:
        raise Refused(f"timestamp {sent} is more than {max_skew} s away")


class OfficialAccountCrypto:
    """Checks and opens callbacks; seals passive replies the way the request came (plain or AES)."""

    def __init__(self, token: str, aes_key: str | None, appid: str, clock: Clock,
                 max_skew: int = 300):
        self.token, self.clock, self.max_skew = token, clock, max_skew
        self._aes = WeChatCrypto(token, aes_key, appid) if aes_key else None

    def verify(self, query: CallbackQuery) -> None:
        fresh(query.timestamp, self.clock, self.max_skew)
        try:
            check_signature(self.token, query.signature, query.timestamp, query.nonce)
        except InvalidSignatureException as forged:
            raise Refused("bad signature") from forged

    def open(self, query: CallbackQuery, body: bytes) -> str:
        """The message XML of a callback, once it proved to come from WeChat."""
        self.verify(query)
        if not query.encrypted:
            return body.decode("utf-8", errors="replace")
        if self._aes is None:
            raise Refused("an encrypted callback, but no EncodingAESKey is configured")
        try:
            return self._aes.decrypt_message(body, query.msg_signature, query.timestamp,
                                             query.nonce)
        except (InvalidSignatureException, InvalidAppIdException) as forged:
            raise Refused(type(forged).__name__) from forged
        except Exception as garbled:  # malformed XML, base64 or padding
            raise Refused(f"cannot decrypt: {garbled!r}") from garbled

    def seal(self, query: CallbackQuery, reply_xml: str) -> str:
        """Encrypt a passive reply when the callback was encrypted."""
        if not query.encrypted or self._aes is None:
            return reply_xml
        return self._aes.encrypt_message(reply_xml, query.nonce, query.timestamp)
