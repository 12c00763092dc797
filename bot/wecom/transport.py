"""Delivers channel "wecom" (application messages to members) and "wecom_robot" (group posts)."""
from __future__ import annotations

from pathlib import Path

import httpx

from bot.wechat import evidence
from bot.wechat.choices import ChoiceMemory, render
from bot.wechat.media import local_file
from bot.wecom.api import WeComAPI, post_to_robot
from bot.wecom.cards import button_card, fits_card, robot_posts
from bot.wecom.limits import MemberLimits
from handlers.messages import Outbound


class WeComTransport:
    """`deliver(out)` for `OutboxSender(uow, "wecom", transport, limits)`; address = userid."""

    def __init__(self, api: WeComAPI, choices: ChoiceMemory, media_dir: Path,
                 limits: MemberLimits | None = None):
        self.api, self.choices, self.media_dir, self.limits = api, choices, Path(media_dir), limits

    async def deliver(self, out: Outbound) -> None:
        userid = out.external_id
        kept = evidence.files_of(out, self.media_dir)
        # The pin as a map link of its own, so that the order itself still fits a button card.
        below = evidence.lines(out, voice_sent=kept.voice is not None)
        photo = local_file(out.photo, self.media_dir) if out.photo else None
        for image in ([photo] if photo else []) + kept.photos:
            await self.api.send(userid, "image", {"media_id": await self.api.upload_image(image)})
            await self._paced(userid)
        if kept.voice is not None:
            # WeCom plays AMR as a voice message; other formats arrive as a file to open.
            kind = "voice" if kept.voice.suffix.lower() == ".amr" else "file"
            await self.api.send(userid, kind,
                                {"media_id": await self.api.upload_file(kept.voice, kind)})
            await self._paced(userid)
        if below:
            await self.api.send(userid, "text", {"content": "\n".join(below)})
            await self._paced(userid)
        if fits_card(out):
            await self.api.send(userid, "template_card", button_card(out))
            return
        await self.api.send(userid, "text", {"content": render(out)})
        self.choices.remember(userid, out.choices)

    async def _paced(self, userid: str) -> None:
        if self.limits is not None:     # the sender paced one message; each extra one waits too
            await self.limits.acquire(userid)


class RobotTransport:
    """`deliver(out)` for channel "wecom_robot": markdown posts by a group robot's webhook."""

    def __init__(self, http: httpx.AsyncClient, url: str):
        self.http, self.url = http, url

    async def deliver(self, out: Outbound) -> None:
        # A post that fails after its first part is retried whole: a rare repeat beats a gap.
        for post in robot_posts(out.text):
            await post_to_robot(self.http, self.url, out.external_id, post)
