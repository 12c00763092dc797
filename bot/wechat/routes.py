"""The 公众号 callback as a FastAPI router: GET verifies the URL, POST carries messages."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from bot.wechat.channel import WeChatChannel
from bot.wechat.crypto import CallbackQuery, Refused
from bot.wechat.failures import DROPPED, PASSING
from bot.wechat.guard import Malformed, TooLarge, read_body
from bot.wechat.replay import NonceMemory
from handlers.chat import Chat

log = logging.getLogger(__name__)
PATH = "/wechat/callback"


def forbidden(why: Refused, platform: str = "Official Account") -> Response:
    log.warning("refused a %s callback: %s", platform, why)
    return PlainTextResponse("forbidden", status_code=403)


class CallbackCrypto(Protocol):
    def open(self, query: CallbackQuery, body: bytes) -> str: ...

    def seal(self, query: CallbackQuery, reply_xml: str) -> str: ...


class CallbackChannel(Protocol):
    """What the POST callback asks of a channel: the 公众号's or WeCom's."""

    @property
    def crypto(self) -> CallbackCrypto: ...

    @property
    def nonces(self) -> NonceMemory: ...

    async def answer(self, xml: str, chat: Chat) -> str | None: ...


def callback_endpoint(channel: CallbackChannel, chat: Chat, platform: str,
                      empty: str) -> Callable[[Request], Awaitable[Response]]:
    """The POST callback both WeChat platforms share: read, open, answer passively, seal.

    bot.wechat.guard's table says what each bad callback is answered. A callback that could
    not be handled for now (the media API busy) answers 503, so the platform retries it;
    `empty` is what each platform wants when there is no passive reply.
    """
    async def callback(request: Request) -> Response:
        query = CallbackQuery.of(request.query_params)
        try:
            body = await read_body(request)
            xml = channel.crypto.open(query, body)
            await channel.nonces.check(query, body)
            reply = await channel.answer(xml, chat)
        except TooLarge as why:
            log.warning("refused a %s callback: %s", platform, why)
            return PlainTextResponse("too large", status_code=413)
        except Refused as why:
            return forbidden(why, platform)
        except Malformed as why:
            log.warning("refused a %s callback: %s", platform, why)
            return PlainTextResponse("bad request", status_code=400)
        except DROPPED as why:
            log.warning("a %s message was dropped: %s", platform, why)
            return PlainTextResponse(empty)
        except PASSING as trouble:
            log.warning("a %s callback was not handled, it will be retried: %s", platform,
                        type(trouble).__name__)
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
            # In plain mode a POST carries this very signature: its nonce is used up here.
            await channel.nonces.check(query, f"GET {query.echostr}".encode())
        except Refused as why:
            return forbidden(why)
        return PlainTextResponse(query.echostr)

    router.add_api_route(path, callback_endpoint(channel, chat, "Official Account", empty="success"),
                         methods=["POST"], include_in_schema=False)

    return router
