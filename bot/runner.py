"""`gridbot run` and `gridbot demo`: the web side plus every channel the settings switch on.

Each outbound channel has one `OutboxSender`; every commit of the chat kicks them, so a reply
leaves as soon as its transaction lands, and anything left over is retried on their poll.
Senders of several workers share the outbox through short claims (docs/delivery.md).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response

from bot import heap
from bot.config import Settings
from bot.sender import OutboxSender
from bot.services import Services, build_chat, open_services
from bot.web_server import DemoServer
from handlers.holders import warn_unheld
from scheduler.app import ClockSettings, ScaledClock, Sweeper, build_scheduler
from storage.process_lock import LockHeld, ProcessLock
from web.app import add_demo, create_app
from web.mailbox import OutboxBell

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.telegram.transport import Transport
    from handlers.chat import Chat
    from handlers.deps import Deps
    from handlers.messages import Inbound

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    services: Services
    app: FastAPI
    scheduler: AsyncIOScheduler
    senders: list[OutboxSender] = field(default_factory=list)
    transports: list[Transport] = field(default_factory=list)

    def kick(self) -> None:
        """Wake the senders: something was committed."""
        for sender in self.senders:
            sender.kick()


async def assemble(settings: Settings, stack: AsyncExitStack, demo: bool = False,
                   speed: float = 1.0,
                   sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> Runtime:
    """Open the services and build the chat, the web app, the scheduler and the channels.

    `speed` fast-forwards the clock (the demo's `--speed`): deadlines, reminders and
    escalations then come N times sooner, and the sweeps run N times as often. `sleep` is how
    start-up waits between attempts to reach a platform's API.
    """
    clock = ScaledClock(datetime.now(UTC), speed) if speed != 1.0 else None
    services = await open_services(settings, clock=clock)
    stack.push_async_callback(services.close)
    seeded = None
    if demo:
        from web.demo_seed import seed_demo
        seeded = await seed_demo(services)
    bell = OutboxBell()
    runtime: Runtime | None = None

    def committed() -> None:
        bell.ring()
        if runtime is not None:
            runtime.kick()

    chat = await build_chat(services, on_committed=committed)
    if demo:   # three weeks of history, so the figures, the wall and the digest show something
        from web.demo_past import seed_past
        await seed_past(services.sessions, chat.deps, services.clock.now(), settings.media_dir)
    await warn_unheld(chat.deps)   # grids and chains without a holder, as counts only
    app = create_app(services, chat, bell=bell)
    clocks = ClockSettings(interval=timedelta(seconds=settings.sweep_interval_seconds))
    runtime = Runtime(services, app, build_scheduler(Sweeper(chat.deps, clocks)))
    if demo:   # the web chat has no sign-in: it is the demo's channel, never production's
        add_demo(runtime.app, chat, seeded)
    _add_broadcasts(runtime, settings, chat.deps)
    if settings.telegram_token:
        await _add_telegram(runtime, settings, settings.telegram_token, chat, stack, sleep)
    if settings.wechat_appid:
        _add_wechat(runtime, settings, chat, stack)
    if settings.wecom_corpid:
        _add_wecom(runtime, settings, chat, stack)
    return runtime


def _add_wechat(runtime: Runtime, settings: Settings, chat: Chat, stack: AsyncExitStack) -> None:
    """Residents and couriers on the 公众号: callback at /wechat/callback."""
    from bot.wechat.channel import WeChatChannel
    from bot.wechat.routes import wechat_router
    services = runtime.services
    wechat = WeChatChannel(settings, services.uow, services.clock)
    stack.push_async_callback(wechat.close)
    runtime.app.include_router(wechat_router(wechat, chat))
    # A reply the sender claims while its callback waits goes into that callback's response
    # (the transport hands it over); see bot/wechat/passive.py.
    runtime.senders.append(OutboxSender(services.uow, "wechat", wechat.transport))
    log.info("wechat channel on")


def _add_wecom(runtime: Runtime, settings: Settings, chat: Chat, stack: AsyncExitStack) -> None:
    """Grid staff on 企业微信: callback at /wecom/callback, plus the group robot."""
    from bot.wecom.channel import WeComChannel
    from bot.wecom.routes import wecom_router
    services = runtime.services
    wecom = WeComChannel(settings, services.uow, services.clock)
    stack.push_async_callback(wecom.close)
    runtime.app.include_router(wecom_router(wecom, chat))
    runtime.senders += [OutboxSender(services.uow, "wecom", wecom.transport, wecom.limits),
                        OutboxSender(services.uow, "wecom_robot", wecom.robot, wecom.robot_limits)]
    log.info("wecom channel on")


def _add_broadcasts(runtime: Runtime, settings: Settings, deps: Deps) -> None:
    """The echo wall each minute; the weekly digest at its hour (Monday 09:00 by default)."""
    from handlers.digest import digest_schedule, weekly_digest
    from handlers.echo_wall import EchoChannels, publish_due
    services = runtime.services
    channels = EchoChannels(settings.echo_wall_telegram_chat, settings.echo_wall_wecom_robot,
                            settings.media_dir)
    speed = getattr(services.clock, "speed", 1.0)

    async def publish() -> None:
        if await publish_due(services.uow(), deps, channels):
            runtime.kick()

    async def digest() -> None:
        # matplotlib is loaded when a digest is drawn, not at every start.
        from bot.charts import render_chart
        await weekly_digest(services.uow(), deps.router.tree, deps.taxonomy, render_chart,
                            settings.media_dir)
        runtime.kick()

    runtime.scheduler.add_job(publish, "interval", id="echo-wall", max_instances=1,
                              coalesce=True, seconds=max(60 / speed, 0.2),
                              next_run_time=datetime.now(UTC))
    if speed != 1.0:   # a fast-forwarded demo: one digest per week of its clock
        runtime.scheduler.add_job(digest, "interval", id="weekly-digest", max_instances=1,
                                  coalesce=True, seconds=7 * 24 * 3600 / speed)
        return
    weekday, hour, minute = digest_schedule(settings.digest_at)
    runtime.scheduler.add_job(digest, "cron", id="weekly-digest", max_instances=1, coalesce=True,
                              day_of_week=weekday, hour=hour, minute=minute)


async def _add_telegram(runtime: Runtime, settings: Settings, token: str, chat: Chat,
                        stack: AsyncExitStack, sleep: Callable[[float], Awaitable[object]]
                        ) -> None:
    from bot.telegram import AT_ONCE, TransportOptions, make_transport
    from bot.telegram.limits import TelegramLimits, overall_share
    from bot.telegram.reach import start_when_reachable
    from bot.telegram.transport import MalformedUpdate, secret_matches
    # Dialogs wait for their commit: handle many people at once (each person's updates stay in
    # order), and give PTB the aiohttp request class — bench/README.md has the figures.
    options: TransportOptions = ({"http": "aiohttp"} if settings.telegram_library == "ptb"
                                 else {})
    transport = make_transport(settings.telegram_library, token,
                               settings.telegram_api_url, settings.media_dir / "telegram",
                               mode=settings.telegram_mode,
                               webhook_secret=settings.telegram_webhook_secret,
                               webhook_url=settings.telegram_webhook_url, concurrency=AT_ONCE,
                               **options)

    async def receive(inbound: Inbound) -> None:
        await chat.receive(inbound)

    if settings.telegram_mode == "polling":   # Telegram serves getUpdates to one consumer only
        await _hold_polling(runtime, settings, stack)
    # Stopped even if never reached: an interrupted wait still closes its connections.
    stack.push_async_callback(transport.stop)
    await start_when_reachable(transport, receive, settings.telegram_api_url, sleep=sleep)
    # A conversation takes a short burst, notices are paced (bot/telegram/limits.py).
    limits = TelegramLimits(overall=overall_share(settings.telegram_workers))
    sender = OutboxSender(runtime.services.uow, "telegram", transport, limits)
    runtime.senders.append(sender)
    runtime.transports.append(transport)
    if settings.telegram_mode == "webhook":
        @runtime.app.post("/telegram/webhook", include_in_schema=False)
        async def telegram_webhook(request: Request) -> Response:
            secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
            # Checked before the body is read: a stranger's POST costs nothing.
            if not secret_matches(settings.telegram_webhook_secret, secret):
                return Response("forbidden", status_code=403)
            try:
                handled = await transport.handle_webhook(await request.body(), secret)
            except MalformedUpdate:
                return Response("not JSON", status_code=400)
            if not handled:
                return Response("forbidden", status_code=403)
            return Response("ok")
    log.info("telegram channel on (%s, %s)", settings.telegram_library, settings.telegram_mode)


async def _hold_polling(runtime: Runtime, settings: Settings, stack: AsyncExitStack) -> None:
    """Refuse to be a second polling process for this bot on this database (held until exit)."""
    try:
        await stack.enter_async_context(
            ProcessLock(runtime.services.engine, f"telegram-polling:{settings.telegram_token}"))
    except LockHeld:
        raise LockHeld("another gridbot process is already polling Telegram for this bot (its "
                       "database lock is held); Telegram serves getUpdates to one process only. "
                       "Stop the other one, or run every worker in webhook mode "
                       "(GRIDBOT_TELEGRAM_MODE=webhook)") from None


async def run(settings: Settings, demo: bool = False, speed: float = 1.0) -> None:
    """Serve until interrupted."""
    async with AsyncExitStack() as stack:
        runtime = await assemble(settings, stack, demo=demo, speed=speed)
        tasks = [asyncio.create_task(sender.run(), name=f"sender-{sender.channel}")
                 for sender in runtime.senders]
        runtime.scheduler.start()
        stack.callback(runtime.scheduler.shutdown, wait=False)
        heap.settle()
        try:
            await DemoServer(runtime.app, settings.web_host, settings.web_port).serve()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            # Messages already claimed are sent and recorded before the database closes
            # (unrecorded ones would be sent again when their claim runs out).
            await asyncio.gather(*(sender.settle() for sender in runtime.senders),
                                 return_exceptions=True)
