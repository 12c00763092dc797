"""Nonces already used within the freshness window are refused, across every worker.

A callback's (timestamp, nonce) is recorded in the inbound de-duplication store (channel
"<platform>-nonce"), so any process sees it; freshness already refuses timestamps more than
300 s away, so a nonce needs remembering only while its timestamp could still pass.

WeChat does not document whether a retry (sent when gridbot did not answer within 5 s) keeps
its nonce. Either way a genuine retry must not be refused: it carries the very same body, and
the MsgId de-duplication answers it `success` without handling it twice. What a replay may not
do is put another body under a nonce already used — in plain mode the signature does not cover
the body — so the record is the nonce plus a digest of the body, and only "same nonce, other
body" is refused.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from bot.wechat.crypto import CallbackQuery
from bot.wechat.guard import Refused
from storage.uow import UnitOfWork


class NonceMemory:
    def __init__(self, uow: Callable[[], UnitOfWork], platform: str):
        self.uow, self.channel = uow, f"{platform}-nonce"

    async def check(self, query: CallbackQuery, body: bytes) -> None:
        """Record this callback's nonce; Refused when it came before with another body."""
        nonce = f"{query.timestamp}:{query.nonce}"
        with_body = f"{nonce}:{hashlib.sha256(body).hexdigest()[:32]}"
        async with self.uow() as uow:
            new = await uow.inbound.first_seen([(self.channel, nonce), (self.channel, with_body)])
            await uow.commit()
        if (self.channel, with_body) in new and (self.channel, nonce) not in new:
            raise Refused("nonce used before with another body")
