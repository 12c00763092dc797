"""The 公众号 callback as a FastAPI router: GET verifies the URL, POST carries messages."""
from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from bot.telegram.transport import DeliveryError
from bot.wechat.channel import WeChatChannel
from bot.wechat.crypto import CallbackQuery, Refused
from handlers.chat import Chat

log = logging.getLogger(__name__)
PATH = "/wechat/callback"


def forbidden(why: Refused) -> Response:
    log.warning("refused a 公众号 callback: %s", why)
    return PlainTextResponse("forbidden", status_code=403)


def wechat_router(channel: WeChatChannel, chat: Chat, path: str = PATH) -> APIRouter:
    """Mount with `app.include_router(wechat_router(channel, chat))`; its URL is `path`."""
    router = APIRouter()

    @router.get(path, include_in_schema=False)
    async def verify_url(request: Request) -> Response:
        query = CallbackQuery.of(request.query_params)
        try:
            channel.crypto.verify(query)
        except Refused as why:
            return forbidden(why)
        return PlainTextResponse(query.echostr)

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
            # A photo that could not be fetched yet: WeChat retries the callback.
            log.warning("公众号 callback not handled, WeChat will retry: %r", trouble)
            return PlainTextResponse("retry", status_code=503)
        if reply is None:
            return PlainTextResponse("success")
        return Response(channel.crypto.seal(query, reply), media_type="application/xml")

    return router
