"""A poison update: answered, never looping; counted per update, parked at three, retried by hand.

These run on SQLite and on PostgreSQL: the foreign-key failure behind the finding is the
database's, and attempts are counted in the database.
"""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.services import build_chat
from handlers import actions, texts
from handlers.chat import ROUTES
from handlers.messages import Inbound, Sender
from storage.tables import OutboxRow
from tests.handlers.conftest import CoreTalk

UNKNOWN = "WG-20261123-9999"


@pytest.fixture
def services(district):
    return district


@pytest.fixture
async def core(services):
    return CoreTalk(await build_chat(services), services.clock)


async def person_of(services, user):
    async with services.uow() as uow:
        return await uow.people.by_channel("test", user)


async def parked(services):
    async with services.uow() as uow:
        return await uow.dead_letters.parked()


def failing(calls: list, times: int = 99):
    async def handler(turn, action=None):
        calls.append(turn.inbound.update_id)
        if len(calls) <= times:
            raise RuntimeError("a bug")
        turn.say("worked")
    return handler


async def test_poison_metoo_from_an_unconsented_user_is_answered_and_records_no_consent(
        services, core):
    answer = await core.press("stranger", f"metoo:{UNKNOWN}", update_id="poison")
    assert [a.text for a in answer] == [texts.METOO_REFUSED]
    assert await person_of(services, "stranger") is None          # no consent recorded
    assert await core.press("stranger", f"metoo:{UNKNOWN}", update_id="poison") == []
    assert await parked(services) == []                           # a refusal, not a failure


async def test_a_button_pressed_without_reading_the_notice_records_no_consent(services, core):
    for data in ("consent:yes", "role:resident", "platform:美团", "home:JJ-01-01-03", "confirm:"):
        await core.press("stranger", data)
    assert await person_of(services, "stranger") is None
    notice = await core.text("stranger", "/start")
    assert any(m.text.startswith(texts.PRIVACY_NOTICE) for m in notice)
    await core.press("stranger", "consent:yes")
    assert (await person_of(services, "stranger")).consent_at is not None


async def test_an_update_failing_three_times_is_parked_acknowledged_and_logged_once(
        services, core, monkeypatch, caplog):
    calls: list = []
    monkeypatch.setitem(ROUTES.buttons, actions.Detail, failing(calls))
    caplog.set_level(logging.DEBUG)
    # As `bot.logs` sets it: aiosqlite's DEBUG lines are the statements with their parameters.
    caplog.set_level(logging.INFO, logger="aiosqlite")
    sender = Sender("test", "u-123456", "王小明")
    written = await core.chat.receive(Inbound.pressed(sender, "detail:x", "upd-1"))
    assert [m.payload["text"] for m in written] == [texts.TURN_FAILED]
    assert [m.person_id for m in written] == [None]
    assert len(calls) == 3
    [letter] = await parked(services)
    assert (letter.channel, letter.update_id, letter.kind, letter.attempts) == (
        "test", "upd-1", "button", 3)
    assert letter.error.startswith("RuntimeError at tests/handlers/test_poison_updates.py")
    assert Inbound.from_payload(letter.payload) == Inbound.pressed(sender, "detail:x", "upd-1")
    assert await core.chat.receive(Inbound.pressed(sender, "detail:x", "upd-1")) == []
    assert len(calls) == 3                                         # acknowledged: not again
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1 and errors[0].exc_info is None
    for record in caplog.records:
        assert "王小明" not in record.getMessage() and "u-123456" not in record.getMessage()
        assert "upd-1" not in record.getMessage()


async def test_a_failure_that_passes_on_the_next_attempt_leaves_no_dead_letter(
        services, core, monkeypatch):
    calls: list = []
    monkeypatch.setitem(ROUTES.buttons, actions.Detail, failing(calls, times=1))
    answer = await core.press("someone", "detail:y", update_id="upd-2")
    assert [a.text for a in answer] == ["worked"] and len(calls) == 2
    async with services.uow() as uow:
        assert await uow.dead_letters.of_update("test", "upd-2") is None


async def test_failures_in_other_processes_count_towards_parking(services, core, monkeypatch):
    async with services.uow() as uow:          # two attempts elsewhere, before a redelivery
        await uow.dead_letters.failed("test", "upd-3", "button", "RuntimeError")
        await uow.dead_letters.failed("test", "upd-3", "button", "RuntimeError")
        await uow.commit()
    calls: list = []
    monkeypatch.setitem(ROUTES.buttons, actions.Detail, failing(calls))
    answer = await core.press("someone", "detail:z", update_id="upd-3")
    assert [a.text for a in answer] == [texts.TURN_FAILED] and len(calls) == 1
    assert [letter.update_id for letter in await parked(services)] == ["upd-3"]


async def test_a_parked_update_is_retried_and_its_letter_removed_once_it_works(
        services, core, monkeypatch):
    calls: list = []
    monkeypatch.setitem(ROUTES.buttons, actions.Detail, failing(calls, times=4))
    await core.press("someone", "detail:z", update_id="upd-4")
    [letter] = await parked(services)
    assert await core.chat.retry_parked(letter.id) is False       # still failing: kept
    [again] = await parked(services)
    assert again.attempts == 4 and again.payload == letter.payload
    assert await core.chat.retry_parked(letter.id) is True
    assert await parked(services) == []
    assert await core.chat.retry_parked(letter.id) is None        # nothing left to retry
    async with services.uow() as uow:     # what the person is owed, in the order written
        owed = (await uow.session.execute(select(OutboxRow.payload).where(
            OutboxRow.address == "someone").order_by(OutboxRow.id))).scalars().all()
    assert owed[-1]["text"] == "worked"
