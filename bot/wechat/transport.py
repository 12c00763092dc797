"""Delivers the outbox to 公众号 users: a waiting passive reply, else customer-service messages
within the 48-hour window, else a template message when one is configured, else it waits."""
from __future__ import annotations

from pathlib import Path

from bot.wechat.api import OfficialAccountAPI
from bot.wechat.choices import ChoiceMemory, render
from bot.wechat.media import local_file
from bot.wechat.passive import PassiveReplies
from bot.wechat.window import ServiceWindow, WindowClosed
from handlers import texts
from handlers.messages import Outbound


class WeChatTransport:
    """`deliver(out)` for `bot.sender.OutboxSender` on channel "wechat" (address = openid)."""

    def __init__(self, api: OfficialAccountAPI, window: ServiceWindow, choices: ChoiceMemory,
                 passive: PassiveReplies, media_dir: Path, template_id: str | None = None,
                 link: str | None = None):
        self.api, self.window, self.choices, self.passive = api, window, choices, passive
        self.media_dir, self.template_id, self.link = Path(media_dir), template_id, link

    async def deliver(self, out: Outbound) -> None:
        if self.passive.hand_over(out):
            self.choices.remember(out.external_id, out.choices)
            return
        photo = local_file(out.photo, self.media_dir) if out.photo else None
        cost = 2 if photo else 1
        try:
            await self.window.admit(out.external_id, cost)
        except WindowClosed:
            if not self.template_id:
                raise
            await self._by_template(out)
            return
        if photo is not None:
            await self.api.send_image(out.external_id, await self.api.upload_image(photo))
        await self.api.send_text(out.external_id, render(out))
        self.choices.remember(out.external_id, out.choices)

    async def _by_template(self, out: Outbound) -> None:
        # Choices cannot be answered from a template message, so none are remembered: the
        # person opens the chat (which reopens the window) and asks again.
        data = {"first": {"value": texts.WECHAT_TEMPLATE_FIRST},
                "content": {"value": out.text},
                "remark": {"value": texts.WECHAT_TEMPLATE_REMARK}}
        await self.api.send_template(out.external_id, self.template_id or "", data, self.link)
