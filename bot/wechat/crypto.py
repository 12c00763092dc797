"""The 公众号 callback's guard: signature, freshness, and safe mode's AES, by wechatpy's rules.

With an EncodingAESKey configured, safe mode is mandatory: the plain `signature` covers only
token, timestamp and nonce (never the body), so a plaintext POST would let anyone who saw one
callback URL speak for any openid until the timestamp goes stale. Only `msg_signature`, over
the ciphertext, proves the body came from WeChat.
"""
from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner

from bot.wechat.guard import Malformed, Refused, envelope, message_xml, plausible_nonce
from storage.clock import Clock

__all__ = ["CallbackQuery", "Malformed", "OfficialAccountCrypto", "Refused", "fresh", "opened",
           "signed"]


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
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Refused("timestamp is not a number")
    if abs(clock.now().timestamp() - int(timestamp)) > max_skew:
        raise Refused(f"timestamp is more than {max_skew} s away")


def signed(token: str, signature: str, *parts: str, what: str = "signature") -> None:
    """Refused unless `signature` is WeChat's SHA-1 over the token and `parts`.

    Compared in constant time, so that timing tells a forger nothing about how much of a
    signature was right; wechatpy's own checks compare with `!=`, so they run only after this.
    """
    signer = WeChatSigner()
    signer.add_data(token, *parts)
    given = signature.encode("utf-8", errors="replace")
    if not hmac.compare_digest(signer.signature.encode(), given):
        raise Refused(f"bad {what}")


def opened(decrypt: Callable[..., str], foreign: type[Exception], token: str,
           fields: dict[str, str], query: CallbackQuery) -> str:
    """The inner message of an encrypted envelope, by `decrypt(fields, signature, ts, nonce)`.

    `foreign` is the platform's "encrypted for another app id / corp id" error.
    """
    if not fields.get("Encrypt"):      # plaintext where ciphertext is due: a downgrade
        raise Refused("no Encrypt in the envelope")
    signed(token, query.msg_signature, query.timestamp, query.nonce, fields["Encrypt"],
           what="msg_signature")
    try:
        inner = decrypt(fields, query.msg_signature, query.timestamp, query.nonce)
    except InvalidSignatureException as forged:
        raise Refused("bad msg_signature") from forged
    except foreign as forged:
        raise Refused("encrypted for another account") from forged
    except Exception as garbled:  # base64, padding, length, UTF-8: whatever breaks, not WeChat's
        raise Malformed("ciphertext does not decrypt") from garbled
    text = inner if isinstance(inner, str) else inner.decode("utf-8", errors="replace")
    return message_xml(text, "inner message", signed=True)


class OfficialAccountCrypto:
    """Checks and opens callbacks; seals passive replies the way the request came (plain or AES)."""

    def __init__(self, token: str, aes_key: str | None, appid: str, clock: Clock,
                 max_skew: int = 300):
        self.token, self.clock, self.max_skew = token, clock, max_skew
        self._aes = WeChatCrypto(token, aes_key, appid) if aes_key else None

    def verify(self, query: CallbackQuery) -> None:
        fresh(query.timestamp, self.clock, self.max_skew)
        plausible_nonce(query.nonce)
        signed(self.token, query.signature, query.timestamp, query.nonce)

    def open(self, query: CallbackQuery, body: bytes) -> str:
        """The message XML of a callback, once it proved to come from WeChat."""
        self.verify(query)
        if self._aes is not None and not query.encrypted:
            raise Refused("plaintext while safe mode is configured")
        if not query.encrypted:
            return message_xml(body.decode("utf-8", errors="replace"), "body")
        if self._aes is None:
            raise Refused("an encrypted callback, but no EncodingAESKey is configured")
        return opened(self._aes.decrypt_message, InvalidAppIdException, self.token,
                      envelope(body), query)

    def seal(self, query: CallbackQuery, reply_xml: str) -> str:
        """Encrypt a passive reply when the callback was encrypted."""
        if not query.encrypted or self._aes is None:
            return reply_xml
        sealed: str = self._aes.encrypt_message(reply_xml, query.nonce, query.timestamp)
        return sealed
