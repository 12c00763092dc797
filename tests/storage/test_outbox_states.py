"""Each move of an outbox row from one state to the next (docs/delivery.md's table)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.clock import FixedClock
from storage.records import OutboxMessage, OutboxState
from storage.repositories.outbox import CLAIM
from storage.tables import OutboxRow
from storage.uow import UnitOfWork

DAY = timedelta(days=1)


async def _owe(uow: UnitOfWork, address: str = "42", text: str = "已派单", **extra) -> int:
    async with uow:
        message = OutboxMessage("wechat", address, {"text": text}, **extra)
        await uow.outbox.add_all([message])
        await uow.commit()
    assert message.id is not None
    return message.id


async def _claim(uow: UnitOfWork) -> list[OutboxMessage]:
    async with uow:
        claimed = await uow.outbox.due()
        await uow.commit()
    return claimed


async def _held(uow: UnitOfWork, clock: FixedClock) -> tuple[int, int]:
    """A message claimed, then held for a day by a closed window: (id, the claim's token)."""
    message_id = await _owe(uow)
    (claimed,) = await _claim(uow)
    async with uow:
        await uow.outbox.hold(message_id, clock.now() + DAY, "window closed: 5 of 5",
                              claimed.claim)
        await uow.commit()
    return message_id, claimed.claim


async def _state(uow: UnitOfWork, message_id: int) -> tuple[OutboxState, int, int]:
    """(state, claim token, attempts) as stored."""
    async with uow:
        row = (await uow.session.execute(
            select(OutboxRow.state, OutboxRow.claim, OutboxRow.attempts)
            .where(OutboxRow.id == message_id))).one()
    return OutboxState(row.state), row.claim, row.attempts


async def test_a_message_written_is_owed(uow: UnitOfWork):
    message_id = await _owe(uow)
    assert await _state(uow, message_id) == (OutboxState.OWED, 0, 0)


async def test_an_owed_message_claimed_is_claimed_under_a_new_token(uow: UnitOfWork):
    message_id = await _owe(uow)
    (claimed,) = await _claim(uow)
    assert (claimed.id, claimed.state, claimed.claim) == (message_id, OutboxState.CLAIMED, 1)
    assert await _state(uow, message_id) == (OutboxState.CLAIMED, 1, 1)


async def test_a_claimed_message_recorded_as_delivered_is_sent(uow: UnitOfWork):
    message_id = await _owe(uow)
    await _claim(uow)
    async with uow:
        await uow.outbox.mark_sent(message_id)
        await uow.commit()
    assert (await _state(uow, message_id))[0] == OutboxState.SENT
    assert await _claim(uow) == []


async def test_an_owed_message_taken_as_a_passive_reply_is_sent(uow: UnitOfWork):
    message_id = await _owe(uow)
    async with uow:
        await uow.outbox.mark_sent(message_id)   # what WeChat's passive reply does
        await uow.commit()
    assert await _state(uow, message_id) == (OutboxState.SENT, 0, 0)


async def test_a_failed_attempt_is_retrying_and_claimed_again_when_due(uow: UnitOfWork,
                                                                       clock: FixedClock):
    message_id = await _owe(uow)
    (claimed,) = await _claim(uow)
    async with uow:
        again = await uow.outbox.mark_failed(message_id, "502 Bad Gateway",
                                             claim=claimed.claim)
        await uow.commit()
    assert await _state(uow, message_id) == (OutboxState.RETRYING, 1, 1)
    assert await _claim(uow) == []
    clock.at = again
    (retried,) = await _claim(uow)
    assert (retried.state, retried.claim, retried.attempts) == (OutboxState.CLAIMED, 2, 2)


async def test_a_message_refused_for_good_is_given_up_and_its_chat_goes_on(uow: UnitOfWork):
    refused = await _owe(uow, text="第一条")
    after = await _owe(uow, text="第二条")
    (claimed,) = await _claim(uow)
    async with uow:
        await uow.outbox.give_up(refused, "undeliverable: blocked", claimed.claim)
        await uow.commit()
    assert (await _state(uow, refused))[0] == OutboxState.GIVEN_UP
    assert [m.id for m in await _claim(uow)] == [after]


async def test_a_given_up_message_is_never_claimed_again(uow: UnitOfWork, clock: FixedClock):
    refused = await _owe(uow)
    (claimed,) = await _claim(uow)
    async with uow:
        await uow.outbox.give_up(refused, "undeliverable: blocked", claimed.claim)
        await uow.commit()
    clock.advance(DAY * 400)
    assert await _claim(uow) == []
    assert (await _state(uow, refused))[0] == OutboxState.GIVEN_UP


async def test_a_message_stopped_by_a_closed_window_is_held_without_an_attempt(
        uow: UnitOfWork, clock: FixedClock):
    message_id, _ = await _held(uow, clock)
    assert await _state(uow, message_id) == (OutboxState.HELD, 1, 0)
    assert await _claim(uow) == []


async def test_a_held_message_is_owed_now_when_its_window_reopens(uow: UnitOfWork,
                                                                  clock: FixedClock):
    message_id, _ = await _held(uow, clock)
    async with uow:
        assert await uow.outbox.release_held("wechat", "42", clock.now()) == 1
        await uow.commit()
    assert (await _state(uow, message_id))[0] == OutboxState.OWED
    assert [m.id for m in await _claim(uow)] == [message_id]


async def test_a_held_message_is_claimed_again_once_its_hold_is_over(uow: UnitOfWork,
                                                                     clock: FixedClock):
    message_id, _ = await _held(uow, clock)
    clock.advance(DAY)
    (again,) = await _claim(uow)
    assert (again.id, again.state, again.claim, again.attempts) == (
        message_id, OutboxState.CLAIMED, 2, 1)


async def test_a_claim_that_ran_out_is_taken_over_and_the_old_token_changes_nothing(
        uow: UnitOfWork, clock: FixedClock):
    message_id = await _owe(uow)
    (stale,) = await _claim(uow)
    clock.advance(CLAIM)
    (taken,) = await _claim(uow)
    assert (taken.id, taken.claim) == (message_id, stale.claim + 1)
    async with uow:
        assert await uow.outbox.renew([(message_id, stale.claim)]) == set()
        await uow.outbox.mark_failed(message_id, "timeout", claim=stale.claim)
        await uow.outbox.hold(message_id, clock.now() + DAY, "window closed", stale.claim)
        await uow.outbox.give_up(message_id, "blocked", stale.claim)
        await uow.commit()
    assert await _state(uow, message_id) == (OutboxState.CLAIMED, 2, 2)


async def test_a_renewal_that_arrives_after_the_outcome_changes_nothing(uow: UnitOfWork,
                                                                        clock: FixedClock):
    """A sender renews its claims while a round records them: the renewal must not make a
    message given up, or put off for its retry, due again a claim later."""
    refused, failed = await _owe(uow, "1"), await _owe(uow, "2")
    claimed = {m.id: m.claim for m in await _claim(uow)}
    async with uow:
        await uow.outbox.give_up(refused, "undeliverable: blocked", claimed[refused])
        await uow.outbox.mark_failed(failed, "429", timedelta(minutes=10), claimed[failed])
        await uow.commit()
    async with uow:
        assert await uow.outbox.renew(list(claimed.items())) == set()
        await uow.commit()
    clock.advance(CLAIM * 2)
    assert await _claim(uow) == []


async def test_a_token_is_never_handed_out_twice_even_after_a_hold(uow: UnitOfWork,
                                                                   clock: FixedClock):
    """A hold gives back its attempt; the next claim still gets a new token, so a sender that
    held the first claim cannot renew the second."""
    message_id, first = await _held(uow, clock)
    async with uow:
        await uow.outbox.release_held("wechat", "42", clock.now())
        await uow.commit()
    (second,) = await _claim(uow)
    assert second.claim != first
    async with uow:
        assert await uow.outbox.renew([(message_id, first)]) == set()
