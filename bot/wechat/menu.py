"""`gridbot wechat menu`: the 公众号's menu — 我要报事 / 我的工单 / 回音壁."""
from __future__ import annotations

from typing import Any

import httpx

from bot.config import Settings
from bot.wechat.api import OfficialAccountAPI
from bot.wechat.channel import echo_wall_url
from bot.wechat.inbound import MENU_MY, MENU_REPORT
from handlers import texts


def menu_for(settings: Settings) -> dict[str, Any]:
    """Two clicks the callback turns into /report and /my, and the echo wall as a link."""
    return {"button": [
        {"type": "click", "name": texts.MENU_REPORT, "key": MENU_REPORT},
        {"type": "click", "name": texts.MENU_MY, "key": MENU_MY},
        {"type": "view", "name": texts.WECHAT_MENU_WALL, "url": echo_wall_url(settings)},
    ]}


async def set_menu(settings: Settings, http: httpx.AsyncClient | None = None) -> dict[str, Any]:
    """Replace the 公众号's menu; returns the menu that was set."""
    if not (settings.wechat_appid and settings.wechat_secret):
        raise ValueError("setting the menu needs GRIDBOT_WECHAT_APPID and GRIDBOT_WECHAT_SECRET")
    menu = menu_for(settings)
    client = http or httpx.AsyncClient(timeout=10)
    try:
        await OfficialAccountAPI(client, settings.wechat_api_url, settings.wechat_appid,
                                 settings.wechat_secret).create_menu(menu)
    finally:
        if http is None:
            await client.aclose()
    return menu
