"""The application wires up from configuration: web, scheduler and the Telegram channel."""
import asyncio
from contextlib import AsyncExitStack

import httpx
import pytest

from bot.config import Settings
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
