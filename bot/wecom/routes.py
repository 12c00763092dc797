"""The WeCom callback as a FastAPI router: GET verifies the URL, POST carries staff messages."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from bot.wechat.crypto import CallbackQuery, Refused
from bot.wechat.routes import callback_endpoint, forbidden
from bot.wecom.channel import WeComChannel
from handlers.chat import Chat

log = logging.getLogger(__name__)
PATH = "/wecom/callback"


def wecom_router(channel: WeComChannel, chat: Chat, path: str = PATH) -> APIRouter:
    """Mount with `app.include_router(wecom_router(channel, chat))`; its URL is `path`."""
    router = APIRouter()

    @router.get(path, include_in_schema=False)
    async def verify_url(request: Request) -> Response:
        try:
            echo = channel.crypto.verify_url(CallbackQuery.of(request.query_params))
        except Refused as why:
            return forbidden(why, "WeCom")
        return PlainTextResponse(echo)

    router.add_api_route(path, callback_endpoint(channel, chat, "WeCom", empty=""),
                         methods=["POST"], include_in_schema=False)

    return router
