"""The 公众号 channel assembled from the settings, and the answer to one callback."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from wechatpy.replies import TextReply

from bot.config import Settings
from bot.wechat.api import OfficialAccountAPI
from bot.wechat.choices import ChoiceMemory, render
from bot.wechat.crypto import OfficialAccountCrypto
from bot.wechat.failures import late_failure
from bot.wechat.inbound import CHANNEL, readable, translated
from bot.wechat.media import MediaStore
from bot.wechat.passive import PassiveReplies, claim_first
from bot.wechat.replay import NonceMemory
from bot.wechat.transport import WeChatTransport
from bot.wechat.window import ServiceWindow
from handlers.chat import Chat
from handlers.messages import Outbound
from storage.clock import Clock
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class WeChatChannel:
    """Everything the 公众号 needs: callback crypto, the API, the window and the transport."""

    def __init__(self, settings: Settings, uow: Callable[[], UnitOfWork], clock: Clock,
                 http: httpx.AsyncClient | None = None):
        if not (settings.wechat_appid and settings.wechat_token):
            raise ValueError("the Official Account needs GRIDBOT_WECHAT_APPID and GRIDBOT_WECHAT_TOKEN")
        self.settings, self.uow, self.clock = settings, uow, clock
        self.http = http or httpx.AsyncClient(timeout=10)
        self.api = OfficialAccountAPI(self.http, settings.wechat_api_url, settings.wechat_appid,
                                      settings.wechat_secret or "")
        self.crypto = OfficialAccountCrypto(settings.wechat_token, settings.wechat_aes_key,
                                            settings.wechat_appid, clock, settings.wechat_max_skew)
        self.choices = ChoiceMemory(uow, CHANNEL)
        self.window = ServiceWindow(uow, CHANNEL, settings.wechat_window_hours,
                                    settings.wechat_window_messages)
        self.passive = PassiveReplies()
        self.nonces = NonceMemory(uow, CHANNEL)
        self.media = MediaStore(settings.media_dir, CHANNEL, self.api.download)
        self.transport = WeChatTransport(self.api, self.window, self.choices, self.passive,
                                         settings.media_dir, settings.wechat_template_id,
                                         echo_wall_url(settings))
        self.budget = settings.wechat_reply_budget
        self._late: set[asyncio.Task[bool]] = set()

    async def answer(self, xml: str, chat: Chat) -> str | None:
        """Handle one verified callback; the passive reply's XML, or None to answer "success".

        Fetching a photo and the dialog's turn share one budget: past it the callback answers
        "success" and both carry on, the replies then going by the sender.
        """
        started = time.monotonic()
        message = readable(xml)
        openid = str(message.source)
        slot = self.passive.open(openid)
        try:
            handling = asyncio.create_task(self._handle(message, chat))
            left = self.budget - (time.monotonic() - started)
            done, _ = await asyncio.wait({handling}, timeout=max(left, 0))
            if not done:
                self._finish_late(handling)
                return None
            if not handling.result():   # a failure before the budget ran out: see routes
                return None
            async with self.uow() as uow:
                taken = await claim_first(uow, CHANNEL, openid, slot)
            if taken.out is None and taken.in_flight:
                # A sender holds the reply; this process's transport hands it to the slot.
                left = self.budget - (time.monotonic() - started)
                await asyncio.wait({slot.reply}, timeout=max(left, 0))
            out = taken.out or self.passive.close(openid, slot)
        finally:
            self.passive.close(openid, slot)
        return self._reply(message, out) if out is not None else None

    async def _handle(self, message: Any, chat: Chat) -> bool:
        """Translate (fetching media) and hand to the chat; False when there was nothing to do."""
        inbound = await translated(message, self.media.fetch, self.choices)
        if inbound is None:
            return False
        await self.window.opened(inbound.sender.external_id)
        await chat.receive(inbound)
        return True

    def _reply(self, message: Any, out: Outbound) -> str:
        self.choices.remember(out.external_id, out.choices)
        # wechatpy puts the text in a CDATA section as it is: split any "]]>" the text holds.
        content = render(out).replace("]]>", "]]]]><![CDATA[>")
        reply: str = TextReply(message=message, content=content).render()
        return reply

    def _finish_late(self, handling: asyncio.Task[bool]) -> None:
        """Past the budget: answer now, let the dialog finish; its replies go by the sender."""
        self._late.add(handling)
        handling.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[bool]) -> None:
        self._late.discard(task)
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            late_failure(log, failure)

    async def settle(self) -> None:
        """Wait for dialogs that outlived their callback (tests, shutdown)."""
        while self._late:
            await asyncio.gather(*list(self._late), return_exceptions=True)

    async def close(self) -> None:
        await self.settle()
        await self.http.aclose()


def echo_wall_url(settings: Settings) -> str:
    return settings.wechat_echo_wall_url or settings.public_base_url.rstrip("/") + "/wall"
