"""Messages owed go out once, late ones are retried, and redelivered updates are noticed."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.clock import FixedClock
from storage.records import OutboxMessage
from storage.repositories import backoff
from storage.repositories.outbox import CLAIM
from storage.uow import UnitOfWork


async def test_an_update_is_seen_the_second_time_it_arrives(uow: UnitOfWork):
    async with uow:
        assert await uow.inbound.seen("telegram", "1001") is False
        await uow.commit()
    async with uow:
        assert await uow.inbound.seen("telegram", "1001") is True
        assert await uow.inbound.seen("wechat", "1001") is False


async def test_a_redelivery_racing_the_first_delivery_is_still_caught(uow: UnitOfWork):
    async def handle(update_id: str) -> bool:
        async with uow:   # one UnitOfWork shared by concurrent tasks, a transaction each
            seen = await uow.inbound.seen("telegram", update_id)
            await asyncio.sleep(0)   # let the other deliveries run into the open transaction
            await uow.commit()
        return seen

    results = await asyncio.gather(handle("7"), handle("8"), handle("7"))
    assert sorted(results) == [False, False, True]


async def test_only_messages_due_by_now_are_handed_to_the_sender(uow: UnitOfWork,
                                                                 clock: FixedClock):
    async with uow:
        uow.outbox.add(OutboxMessage("telegram", "42", {"text": "已提交工单"}))
        uow.outbox.add(OutboxMessage("telegram", "42", {"text": "请评价"},
                                     due_at=clock.now() + timedelta(hours=24)))
        await uow.commit()
    async with uow:
        due = await uow.outbox.due()
        assert [m.payload["text"] for m in due] == ["已提交工单"]
        await uow.outbox.mark_sent(due[0].id)
        await uow.commit()
    async with uow:
        assert await uow.outbox.due() == []
    clock.advance(timedelta(hours=24))
    async with uow:
        assert [m.payload["text"] for m in await uow.outbox.due()] == ["请评价"]


async def test_a_message_whose_sender_died_falls_due_again_after_the_claim(
        uow: UnitOfWork, clock: FixedClock):
    async with uow:
        uow.outbox.add(OutboxMessage("telegram", "42", {"text": "已派单"}))
        await uow.commit()
    async with uow:
        assert len(await uow.outbox.due()) == 1
        await uow.commit()   # the sender takes it, then dies before saying how it went
    async with uow:
        assert await uow.outbox.due() == []
    clock.advance(CLAIM)
    async with uow:
        assert [m.payload["text"] for m in await uow.outbox.due()] == ["已派单"]


async def test_a_failed_message_waits_longer_after_each_failure(uow: UnitOfWork,
                                                               clock: FixedClock):
    async with uow:
        uow.outbox.add(OutboxMessage("telegram", "42", {"text": "督办通知"}))
        await uow.commit()
    waits = []
    for _ in range(3):
        async with uow:
            (message,) = await uow.outbox.due()
            again = await uow.outbox.mark_failed(message.id, "429 Too Many Requests")
            await uow.commit()
        waits.append(again - clock.now())
        async with uow:
            assert await uow.outbox.due() == []
        clock.at = again
    assert waits == [backoff(1), backoff(2), backoff(3)] == [timedelta(seconds=s)
                                                             for s in (10, 20, 40)]
    async with uow:
        (message,) = await uow.outbox.due()
    # The claim counts the attempt it starts: this is the fourth.
    assert (message.attempts, message.last_error) == (4, "429 Too Many Requests")


async def test_a_platform_retry_after_overrides_the_backoff(uow: UnitOfWork, clock: FixedClock):
    async with uow:
        uow.outbox.add(OutboxMessage("telegram", "42", {"text": "hi"}))
        await uow.commit()
    async with uow:
        (message,) = await uow.outbox.due()
        again = await uow.outbox.mark_failed(message.id, "429", retry_after=timedelta(seconds=3))
        await uow.commit()
    assert again == clock.now() + timedelta(seconds=3)


async def test_a_message_with_a_dedupe_key_is_owed_only_once(uow: UnitOfWork):
    reminder = {"text": "工单即将超时"}
    async with uow:
        key = "remind:WG-20261123-0001:80"
        assert await uow.outbox.add_once(OutboxMessage("wecom", "li", reminder, dedupe_key=key))
        assert not await uow.outbox.add_once(OutboxMessage("wecom", "li", reminder,
                                                           dedupe_key=key))
        await uow.commit()
    async with uow:
        assert len(await uow.outbox.due()) == 1


async def test_dialog_state_survives_between_units_of_work(uow: UnitOfWork):
    async with uow:
        assert await uow.dialogs.get("telegram", "42") is None
        await uow.dialogs.put("telegram", "42", {"step": "location", "photo": "p1"})
        await uow.commit()
    async with uow:
        await uow.dialogs.put("telegram", "42", {"step": "category"})
        assert await uow.dialogs.get("telegram", "42") == {"step": "category"}
        await uow.dialogs.clear("telegram", "42")
        assert await uow.dialogs.get("telegram", "42") is None


async def test_messages_owed_together_each_get_their_own_id(uow: UnitOfWork):
    """The sender records a reply by its id: a wrong pairing would mark one chat's message
    sent while another's went out."""
    async with uow:
        uow.outbox.add(OutboxMessage("telegram", "1", {"text": "早先的一条"}))   # ids not from 1
        await uow.commit()
    owed = [OutboxMessage("telegram", str(100 + n), {"text": f"第{n}条"}) for n in range(40)]
    async with uow:
        await uow.outbox.add_all(owed)
        await uow.commit()
    async with uow:
        stored = {m.id: (m.address, m.payload["text"]) for m in await uow.outbox.due(100)}
    assert len({m.id for m in owed}) == 40
    assert [stored[m.id] for m in owed] == [(m.address, m.payload["text"]) for m in owed]
