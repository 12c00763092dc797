"""Failed updates: counted per (channel, update id), parked with their payload, then removed."""
from datetime import timedelta

from storage.uow import UnitOfWork


async def test_failures_are_counted_per_update_and_parked_with_their_payload(uow: UnitOfWork):
    async with uow:
        counts = [await uow.dead_letters.failed("telegram", "7", "button", "RuntimeError")
                  for _ in range(3)]
        other = await uow.dead_letters.failed("wechat", "7", "text", "KeyError")
        await uow.commit()
    assert counts == [1, 2, 3] and other == 1
    uow.clock.advance(timedelta(minutes=1))
    async with uow:
        assert await uow.dead_letters.parked() == []               # counted, not parked yet
        letter_id = await uow.dead_letters.park("telegram", "7", {"button": "boom:x"})
        await uow.commit()
    async with uow:
        [letter] = await uow.dead_letters.parked()
        assert (letter.id, letter.attempts, letter.payload, letter.error) == (
            letter_id, 3, {"button": "boom:x"}, "RuntimeError")
        assert letter.parked_at - letter.first_at == timedelta(minutes=1)
        assert await uow.dead_letters.get(letter_id) == letter


async def test_a_letter_is_dropped_or_forgotten_with_its_payload(uow: UnitOfWork):
    async with uow:
        await uow.dead_letters.failed("telegram", "8", "text", "RuntimeError")
        letter_id = await uow.dead_letters.park("telegram", "8", {"text": "hi"})
        await uow.dead_letters.failed("telegram", "9", "text", "RuntimeError")
        await uow.commit()
    async with uow:
        assert await uow.dead_letters.drop(letter_id) is True
        assert await uow.dead_letters.drop(letter_id) is False
        await uow.dead_letters.forget("telegram", "9")
        await uow.commit()
    async with uow:
        assert await uow.dead_letters.get(letter_id) is None
        assert await uow.dead_letters.of_update("telegram", "9") is None
