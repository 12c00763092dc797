"""The WeCom channel assembled from the settings, and the answer to one callback."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.config import Settings
from bot.wechat.choices import ChoiceMemory
from bot.wechat.failures import late_failure
from bot.wechat.inbound import readable, translated
from bot.wechat.media import MediaStore
from bot.wechat.replay import NonceMemory
from bot.wecom.api import WeComAPI
from bot.wecom.crypto import WeComCrypto
from bot.wecom.inbound import CHANNEL, inbound_of, is_card_click, parse
from bot.wecom.limits import MemberLimits
from bot.wecom.transport import RobotTransport, WeComTransport
from handlers import texts
from handlers.chat import Chat
from storage.clock import Clock
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
ROBOT = "wecom_robot"
BUTTON_DONE = ("<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
               "<FromUserName><![CDATA[{corp}]]></FromUserName><CreateTime>{at}</CreateTime>"
               "<MsgType><![CDATA[update_button]]></MsgType>"
               "<Button><ReplaceName><![CDATA[{name}]]></ReplaceName></Button></xml>")


class WeComChannel:
    """Callback crypto, the API, pacing, and the two transports (members and group robots)."""

    def __init__(self, settings: Settings, uow: Callable[[], UnitOfWork], clock: Clock,
                 http: httpx.AsyncClient | None = None, limits: MemberLimits | None = None):
        if not (settings.wecom_corpid and settings.wecom_token and settings.wecom_aes_key):
            raise ValueError("WeCom needs GRIDBOT_WECOM_CORPID, _TOKEN and _AES_KEY")
        self.settings, self.uow, self.clock = settings, uow, clock
        self.http = http or httpx.AsyncClient(timeout=10)
        self.api = WeComAPI(self.http, settings.wecom_api_url, settings.wecom_corpid,
                            settings.wecom_secret or "", settings.wecom_agentid or 0)
        self.crypto = WeComCrypto(settings.wecom_token, settings.wecom_aes_key,
                                  settings.wecom_corpid, clock, settings.wechat_max_skew)
        self.choices = ChoiceMemory(uow, CHANNEL)
        self.media = MediaStore(settings.media_dir, CHANNEL, self.api.download)
        self.limits = limits or MemberLimits(settings.wecom_per_minute, settings.wecom_per_hour)
        self.transport = WeComTransport(self.api, self.choices, settings.media_dir, self.limits)
        self.robot = RobotTransport(self.http, settings.wecom_robot_url)
        self.robot_limits = MemberLimits(per_minute=20, per_hour=None)   # 20 posts/min a robot
        self.budget = settings.wecom_reply_budget
        self.nonces = NonceMemory(uow, CHANNEL)
        self._late: set[asyncio.Task[bool]] = set()

    async def answer(self, xml: str, chat: Chat) -> str | None:
        """Handle one verified callback. Replies go by the API; a clicked button is relabelled."""
        started = time.monotonic()
        message = readable(xml, parse)
        handling = asyncio.create_task(self._handle(message, chat))
        left = self.budget - (time.monotonic() - started)
        done, _ = await asyncio.wait({handling}, timeout=max(left, 0))
        if not done:
            self._late.add(handling)
            handling.add_done_callback(self._forget)
        elif not handling.result():
            return None
        if is_card_click(message):
            return BUTTON_DONE.format(to=message.source, corp=self.settings.wecom_corpid,
                                      at=message.time,
                                      name=texts.WECOM_BUTTON_DONE)
        return None

    async def _handle(self, message: Any, chat: Chat) -> bool:
        """Translate (fetching media) and hand to the chat; False when there was nothing to do."""
        inbound = await translated(message, self.media.fetch, self.choices, inbound_of)
        if inbound is None:
            return False
        await chat.receive(inbound)
        return True

    def _forget(self, task: asyncio.Task[bool]) -> None:
        self._late.discard(task)
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            late_failure(log, failure)

    async def settle(self) -> None:
        while self._late:
            await asyncio.gather(*list(self._late), return_exceptions=True)

    async def close(self) -> None:
        await self.settle()
        await self.http.aclose()

