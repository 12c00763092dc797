"""WeCom's callback guard: every callback is AES-encrypted and signed with msg_signature."""
from __future__ import annotations

from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.wechat.crypto import CallbackQuery, Refused, fresh, opened, signed
from bot.wechat.guard import envelope, plausible_nonce
from storage.clock import Clock


class WeComCrypto:
    def __init__(self, token: str, aes_key: str, corpid: str, clock: Clock, max_skew: int = 300):
        self.token, self.clock, self.max_skew = token, clock, max_skew
        self._aes = WeChatCrypto(token, aes_key, corpid)

    def verify_url(self, query: CallbackQuery) -> str:
        """The decrypted echostr that proves the URL is ours."""
        fresh(query.timestamp, self.clock, self.max_skew)
        signed(self.token, query.msg_signature, query.timestamp, query.nonce, query.echostr,
               what="msg_signature")
        try:
            echostr: str = self._aes.check_signature(query.msg_signature, query.timestamp,
                                                     query.nonce, query.echostr)
            return echostr
        except (InvalidSignatureException, InvalidCorpIdException) as forged:
            raise Refused(type(forged).__name__) from forged
        except Exception as garbled:  # malformed base64 or padding
            raise Refused("cannot decrypt echostr") from garbled

    def open(self, query: CallbackQuery, body: bytes) -> str:
        """The message XML; WeCom has no plaintext mode, so there is nothing to downgrade to."""
        fresh(query.timestamp, self.clock, self.max_skew)
        plausible_nonce(query.nonce)
        return opened(self._aes.decrypt_message, InvalidCorpIdException, self.token,
                      envelope(body), query)

    def seal(self, query: CallbackQuery, reply_xml: str) -> str:
        sealed: str = self._aes.encrypt_message(reply_xml, query.nonce, query.timestamp)
        return sealed
