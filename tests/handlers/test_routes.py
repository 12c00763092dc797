"""Routers: assembled explicitly, a key declared twice refused; button data decoded once."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import handlers
from handlers import actions, chat, texts
from handlers.dialog import Turn
from handlers.routes import DuplicateRoute, Router, Routes
from tests.scenarios import onboard_resident


def _with_basics() -> Router:
    basics = Router()

    @basics.step("idle")
    async def idle(turn: Turn) -> None: ...

    @basics.command("cancel")
    async def cancel(turn: Turn) -> None: ...

    return basics


def test_a_command_declared_twice_is_refused_at_assembly():
    other = Router()

    @other.command("cancel")
    async def cancel_again(turn: Turn) -> None: ...

    with pytest.raises(DuplicateRoute):
        Routes(_with_basics(), other)


def test_a_button_declared_twice_is_refused_at_assembly():
    one, two = Router(), Router()

    @one.button(actions.Sign)
    async def sign(turn: Turn, action: actions.Sign) -> None: ...

    @two.button(actions.Sign)
    async def sign_too(turn: Turn, action: actions.Sign) -> None: ...

    with pytest.raises(DuplicateRoute):
        Routes(_with_basics(), one, two)


def test_a_step_declared_twice_in_one_router_is_refused():
    router = Router()

    @router.step("reason")
    async def reason(turn: Turn) -> None: ...

    with pytest.raises(DuplicateRoute):
        @router.step("reason")
        async def reason_again(turn: Turn) -> None: ...


def test_the_back_button_is_the_routes_own():
    mine = Router()

    @mine.button(actions.Back)
    async def back(turn: Turn, action: actions.Back) -> None: ...

    with pytest.raises(DuplicateRoute):
        Routes(_with_basics(), mine)


def test_every_action_has_a_handler_in_the_chat():
    assert set(chat.ROUTES.buttons) == set(actions.kinds().values())


@pytest.mark.parametrize("data", ["nosuch:1", "sign", "rate:WG-1:1:superb", "menu:elsewhere",
                                  "x" * 70])
async def test_an_undecodable_button_answers_foreign_button_and_changes_nothing(talk, data):
    await onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    asked = (await talk.press("resident", "cat:H01"))[-1]
    refused = await talk.press("resident", data)
    assert [m.text for m in refused] == [texts.FOREIGN_BUTTON]
    again = (await talk.press("resident", "skip:"))[-1]         # the report went on where it was
    assert again.text != asked.text and "照片" in again.text


HAND_BUILT = re.compile(r"""f?["'](""" + "|".join(sorted(actions.kinds())) + "):")
# The notices the use cases send are typed where they are written (handlers/notices.py);
# until then these modules still spell their buttons out.
def test_no_dialog_builds_or_parses_button_data_by_hand():
    offenders = []
    for path in sorted((Path(handlers.__file__).parent).glob("*.py")):
        if path.name == "actions.py":
            continue
        source = path.read_text(encoding="utf-8")
        if HAND_BUILT.search(source) or "turn.arg" in source or ".button or" in source:
            offenders.append(path.name)
    assert offenders == []
