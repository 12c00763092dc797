"""The application wires up from configuration: web, scheduler and the Telegram channel."""
import asyncio
import contextlib
import io
import json
import logging
import socket
from contextlib import AsyncExitStack

import httpx
import pytest

from bot.config import Settings
from bot.logs import setup_logging
from bot.runner import assemble
from tests.fakes.telegram_api import TelegramEmulator


@pytest.mark.parametrize("library", ["ptb", "aiogram"])
async def test_a_configured_telegram_channel_answers_through_the_whole_runtime(tmp_path, library):
    async with TelegramEmulator() as tg, AsyncExitStack() as stack:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", media_dir=tmp_path,
                            telegram_token=tg.token, telegram_api_url=tg.base_url,
                            telegram_library=library)
        runtime = await assemble(settings, stack, demo=True)
        assert [s.channel for s in runtime.senders] == ["telegram"]
        assert {job.id for job in runtime.scheduler.get_jobs()} >= {"sweep:overdue",
                                                                      "sweep:remind"}
        paths = {getattr(route, "path", None) for route in runtime.app.routes}
        assert {"/", "/chat", "/healthz"} <= paths
        sender = asyncio.create_task(runtime.senders[0].run(poll=0.2))
        try:
            tg.user_sends_text(4242, "/start")
            notice = (await tg.wait_for_sent(1, timeout=10))[0]
            assert notice.chat_id == 4242 and "我们保存" in notice.text
            assert [label for row in notice.buttons for label, _ in row] == ["同意并继续", "不同意"]
        finally:
            sender.cancel()


async def test_without_a_token_telegram_stays_off(tmp_path):
    async with AsyncExitStack() as stack:
        runtime = await assemble(Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}",
                                          media_dir=tmp_path), stack)
        assert runtime.senders == []
        paths = {getattr(route, "path", None) for route in runtime.app.routes}
        assert "/healthz" in paths and not {"/", "/chat", "/api/demo"} & paths   # demo only


async def test_configured_wechat_and_wecom_mount_their_callbacks_and_senders(tmp_path):
    async with AsyncExitStack() as stack:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", media_dir=tmp_path,
                            wechat_appid="wx-test", wechat_secret="s", wechat_token="t",
                            wecom_corpid="ww-test", wecom_agentid=1, wecom_secret="s",
                            wecom_token="t", wecom_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
        runtime = await assemble(settings, stack)
        assert [s.channel for s in runtime.senders] == ["wechat", "wecom", "wecom_robot"]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.app),
                                     base_url="http://test") as client:
            for path in ("/wechat/callback", "/wecom/callback"):   # mounted, and unsigned refused
                assert (await client.get(path, params={"echostr": "x"})).status_code == 403


async def test_run_warns_at_start_of_grids_without_a_leader_in_counts_only(tmp_path, caplog):
    caplog.set_level("WARNING", logger="handlers.holders")
    async with AsyncExitStack() as stack:
        await assemble(Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}",
                                media_dir=tmp_path), stack, demo=True)
    [warning] = [r.getMessage() for r in caplog.records if r.name == "handlers.holders"]
    # The sample street has a dispatcher and no 网格长; every chain still ends at a person.
    assert "1 grids without a leader, 0 chains without a holder" in warning
    assert "operator not set" in warning and "gridbot doctor" in warning
    assert "JJ" not in warning and "锦江" not in warning and "梁红" not in warning


class ApiComingUp:
    """A loopback port that refuses connections until `up()`, then forwards them to `target`."""

    def __init__(self, target: str):
        host, port = target.removeprefix("http://").split(":")
        self.target = (host, int(port))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))          # bound, not listening: connections refused
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server: asyncio.Server | None = None

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._forward, sock=self.sock)

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        self.sock.close()


@pytest.mark.parametrize("library", ["ptb", "aiogram"])
async def test_unreachable_telegram_at_start_says_one_line(tmp_path, library):
    """`gridbot run` whose Bot API is not up yet: one line naming what it cannot reach, then
    attempts with doubling waits (no traceback), and the channel works once the API is up."""
    root, before, level = logging.getLogger(), list(logging.getLogger().handlers), \
        logging.getLogger().level
    log = io.StringIO()
    setup_logging(stream=log)
    async with TelegramEmulator() as tg, AsyncExitStack() as stack:
        api = ApiComingUp(tg.base_url)
        stack.push_async_callback(api.close)
        waits: list[float] = []

        async def sleep(seconds: float) -> None:     # the clock of the back-off, not slept
            waits.append(seconds)
            if len(waits) == 4:
                await api.up()

        settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", media_dir=tmp_path,
                            telegram_token=tg.token, telegram_api_url=api.url,
                            telegram_library=library, telegram_mode="webhook",
                            telegram_webhook_secret="w" * 32)
        try:
            runtime = await assemble(settings, stack, sleep=sleep)
        finally:
            root.handlers[:] = before
            root.setLevel(level)
        assert waits == [1.0, 2.0, 4.0, 8.0]
        assert [s.channel for s in runtime.senders] == ["telegram"] and tg.calls["getMe"] >= 1
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    said = [line["message"] for line in lines if "cannot reach" in line["message"]]
    assert len(said) == 1 and f"cannot reach the Bot API at {api.url}" in said[0], log.getvalue()
    assert not [line for line in lines if "traceback" in line], log.getvalue()
    assert any("reached the Bot API" in line["message"] for line in lines)
