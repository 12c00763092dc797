"""Findings: after a crash, newer replies overtook older ones, and a dead worker's messages
waited a minute (its lease) before anyone sent them, then went twice."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.sender import OutboxSender
from storage.repositories.outbox import CLAIM, RENEW
from tests.reliability.conftest import Recorder, Stuck, owe

SECOND = timedelta(seconds=1)


async def test_a_chats_next_message_waits_while_an_earlier_one_is_in_flight_at_a_dead_worker(
        units, clock):
    await owe(units, ("1001", "已收到第 1 张照片。"), ("1001", "请发送位置…"),
              ("1001", "已提交，工单号 WG-1"), ("2002", "别的会话"))
    async with units() as uow:   # a worker claims the first message, then is killed
        (taken,) = await uow.outbox.due(1, channels=["telegram"])
        await uow.commit()
    assert taken.payload["text"] == "已收到第 1 张照片。"
    platform = Recorder()
    live = OutboxSender(units, "telegram", platform)

    assert await live.drain_once() == 1
    assert platform.texts() == ["别的会话"]          # other chats are not held up …
    clock.advance(CLAIM - SECOND)
    assert await live.drain_once() == 0             # … but this one waits for its first message
    clock.advance(2 * SECOND)                       # the dead worker's claim has run out
    while await live.drain_once():
        pass

    assert platform.texts("1001") == ["已收到第 1 张照片。", "请发送位置…", "已提交，工单号 WG-1"]


async def test_a_restarted_sender_takes_back_a_dead_workers_claim_within_seconds(units, clock):
    await owe(units, ("1001", "请发送位置…"))
    stuck = Stuck()
    dead = OutboxSender(units, "telegram", stuck)
    sending = asyncio.get_running_loop().create_task(dead.drain_once())
    await stuck.called.wait()
    sending.cancel()                                # kill -9: the claim stays in the database
    restarted = OutboxSender(units, "telegram", platform := Recorder())

    assert await restarted.drain_once() == 0
    clock.advance(CLAIM + SECOND)
    assert await restarted.drain_once() == 1
    assert platform.texts() == ["请发送位置…"]


async def test_a_live_sender_keeps_its_claim_however_long_the_platform_takes(units, clock):
    await owe(units, ("1001", "请发送位置…"), ("1001", "请选择类别"))
    slow = Stuck()
    alive = OutboxSender(units, "telegram", slow)
    sending = asyncio.get_running_loop().create_task(alive.drain_once())
    await slow.called.wait()
    other = OutboxSender(units, "telegram", platform := Recorder())
    for _ in range(3 * (CLAIM // RENEW)):          # three claims' time, renewed as it goes
        clock.advance(RENEW)
        await alive.renew()
        assert await other.drain_once() == 0
    slow.answer.set()
    assert await sending == 1

    while await other.drain_once():
        pass
    assert [out.text for out in slow.sent] == ["请发送位置…"]    # once, by its claimant
    assert platform.texts() == ["请选择类别"]                     # then the next, in order


async def test_a_message_the_platform_refused_holds_back_the_rest_of_its_chat(units, clock):
    await owe(units, ("1001", "第一条"), ("1001", "第二条"))
    async with units() as uow:
        (first,) = await uow.outbox.due(10, channels=["telegram"])
        await uow.outbox.mark_failed(first.id, "502 Bad Gateway", claim=first.claim)
        await uow.commit()
    await owe(units, ("1001", "第三条"))             # written while the first waits to be retried
    platform = Recorder()
    sender = OutboxSender(units, "telegram", platform)

    assert await sender.drain_once() == 0
    clock.advance(timedelta(minutes=1))
    while await sender.drain_once():
        pass
    assert platform.texts() == ["第一条", "第二条", "第三条"]
