"""Delivers channel "wecom" (application messages to members) and "wecom_robot" (group posts)."""
from __future__ import annotations

from pathlib import Path

import httpx

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
        photo = local_file(out.photo, self.media_dir) if out.photo else None
        if photo is not None:
            await self.api.send(userid, "image", {"media_id": await self.api.upload_image(photo)})
            if self.limits is not None:     # the sender paced one message; this is the second
                await self.limits.acquire(userid)
        if fits_card(out):
            await self.api.send(userid, "template_card", button_card(out))
            return
        await self.api.send(userid, "text", {"content": render(out)})
        self.choices.remember(userid, out.choices)


class RobotTransport:
    """`deliver(out)` for channel "wecom_robot": markdown posts by a group robot's webhook."""

    def __init__(self, http: httpx.AsyncClient, url: str):
        self.http, self.url = http, url

    async def deliver(self, out: Outbound) -> None:
        # A post that fails after its first part is retried whole: a rare repeat beats a gap.
        for post in robot_posts(out.text):
            await post_to_robot(self.http, self.url, out.external_id, post)
