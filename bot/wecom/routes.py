"""The WeCom callback as a FastAPI router: GET verifies the URL, POST carries staff messages."""
from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from bot.telegram.transport import DeliveryError
from bot.wechat.crypto import CallbackQuery, Refused
from bot.wechat.routes import forbidden
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
            return forbidden(why)
        return PlainTextResponse(echo)

    @router.post(path, include_in_schema=False)
    async def callback(request: Request) -> Response:
        query = CallbackQuery.of(request.query_params)
        try:
            xml = channel.crypto.open(query, await request.body())
        except Refused as why:
            return forbidden(why)
        try:
            reply = await channel.answer(xml, chat)
        except (DeliveryError, OSError, httpx.HTTPError) as trouble:
            log.warning("WeCom callback not handled, WeCom will retry: %r", trouble)
            return PlainTextResponse("retry", status_code=503)
        if reply is None:
            return PlainTextResponse("")
        return Response(channel.crypto.seal(query, reply), media_type="application/xml")

    return router
