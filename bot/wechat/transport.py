"""Delivers the outbox to 公众号 users: a waiting passive reply, else customer-service messages
within the 48-hour window, else a template message when one is configured, else it waits."""
from __future__ import annotations

from pathlib import Path

from bot.wechat import evidence
from bot.wechat.api import OfficialAccountAPI
from bot.wechat.choices import ChoiceMemory, render
from bot.wechat.media import local_file
from bot.wechat.passive import PassiveReplies
from bot.wechat.window import ServiceWindow, WindowClosed
from handlers import texts
from handlers.messages import Outbound

PLAYABLE = frozenset({".amr", ".mp3"})    # the voice formats a 公众号 customer message carries


class WeChatTransport:
    """`deliver(out)` for `bot.sender.OutboxSender` on channel "wechat" (address = openid)."""

    def __init__(self, api: OfficialAccountAPI, window: ServiceWindow, choices: ChoiceMemory,
                 passive: PassiveReplies, media_dir: Path, template_id: str | None = None,
                 link: str | None = None):
        self.api, self.window, self.choices, self.passive = api, window, choices, passive
        self.media_dir, self.template_id, self.link = Path(media_dir), template_id, link

    async def deliver(self, out: Outbound) -> None:
        # A new order's photos and voice note go first as their own messages; its pin (and a
        # voice note the 公众号 cannot play) become lines of the text.
        kept = evidence.files_of(out, self.media_dir)
        voice = kept.voice if kept.voice and kept.voice.suffix.lower() in PLAYABLE else None
        out = evidence.with_lines(out, voice_sent=voice is not None)
        if not kept.photos and voice is None and self.passive.hand_over(out):
            self.choices.remember(out.external_id, out.choices)
            return
        photo = local_file(out.photo, self.media_dir) if out.photo else None
        images = ([photo] if photo else []) + kept.photos
        cost = 1 + len(images) + (voice is not None)
        try:
            await self.window.admit(out.external_id, cost)
        except WindowClosed:
            if not self.template_id:
                raise
            await self._by_template(out)
            return
        for image in images:
            await self.api.send_image(out.external_id, await self.api.upload_image(image))
        if voice is not None:
            await self.api.send_voice(out.external_id, await self.api.upload_voice(voice))
        await self.api.send_text(out.external_id, render(out))
        self.choices.remember(out.external_id, out.choices)

    async def _by_template(self, out: Outbound) -> None:
        # Choices cannot be answered from a template message, so none are remembered: the
        # person opens the chat (which reopens the window) and asks again.
        data = {"first": {"value": texts.WECHAT_TEMPLATE_FIRST},
                "content": {"value": out.text},
                "remark": {"value": texts.WECHAT_TEMPLATE_REMARK}}
        await self.api.send_template(out.external_id, self.template_id or "", data, self.link)
