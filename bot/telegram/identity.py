"""Who the bot is on Telegram: its username, from getMe, for invite deep links."""
from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)


async def bot_username(token: str, api_url: str) -> str | None:
    """The bot's username as Telegram reports it; None (logged) when Telegram cannot be asked."""
    api = api_url.rstrip("/")
    try:
        async with Bot(token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot") as bot:
            return bot.username   # entering the bot asked getMe
    except TelegramError as trouble:
        log.warning("could not ask Telegram for the bot's username: %s", type(trouble).__name__)
        return None
