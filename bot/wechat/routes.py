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


def callback_endpoint(channel, chat: Chat, platform: str, empty: str):
    """The POST callback both WeChat platforms share: open, answer passively, seal.

    A callback that could not be handled (a photo not fetched yet) answers 503, so the
    platform retries it; `empty` is what each platform wants when there is no passive reply.
    """
    async def callback(request: Request) -> Response:
        query = CallbackQuery.of(request.query_params)
        try:
            xml = channel.crypto.open(query, await request.body())
        except Refused as why:
            return forbidden(why)
        try:
            reply = await channel.answer(xml, chat)
        except (DeliveryError, OSError, httpx.HTTPError) as trouble:
            log.warning("%s callback not handled, it will be retried: %r", platform, trouble)
            return PlainTextResponse("retry", status_code=503)
        if reply is None:
            return PlainTextResponse(empty)
        return Response(channel.crypto.seal(query, reply), media_type="application/xml")
    return callback


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

    router.add_api_route(path, callback_endpoint(channel, chat, "公众号", empty="success"),
                         methods=["POST"], include_in_schema=False)

    return router
