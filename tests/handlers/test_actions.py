"""Button data: every action survives its own encoding, and nothing else gets through."""
from __future__ import annotations

from dataclasses import fields
from typing import Any, get_type_hints

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers import actions
from handlers.actions import Action, ForeignButton, decode, encode

FIELD_TEXT = st.text(st.characters(blacklist_characters=":", blacklist_categories=("Z", "Cc", "Cs")),
                     max_size=6).filter(lambda s: not any(c.isspace() for c in s))


def _strategy(hint: Any) -> st.SearchStrategy[Any]:
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(-999, 999)
    if isinstance(hint, type) and issubclass(hint, actions.StrEnum):
        return st.sampled_from(list(hint))
    return FIELD_TEXT


@st.composite
def any_action(draw: st.DrawFn) -> Action:
    kind = draw(st.sampled_from(sorted(actions.kinds().values(), key=lambda k: k.name)))
    hints = get_type_hints(kind)
    return kind(**{f.name: draw(_strategy(hints[f.name])) for f in fields(kind)})


@given(any_action())
def test_every_action_round_trips(action: Action) -> None:
    assert decode(encode(action)) == action


def test_buttons_already_sent_still_decode() -> None:
    assert decode("sign:WG-20261122-0042") == actions.Sign("WG-20261122-0042")
    assert decode("rate:WG-20261122-0042:1:satisfied") == actions.Rate(
        "WG-20261122-0042", True, "satisfied")
    assert decode("back:") == actions.Back()
    assert decode("cats:") == actions.Categories()
    assert decode("metoo:") == actions.MeToo()
    assert decode("consent:no") == actions.Consent(actions.YesNo.NO)
    assert decode("approve:WG-20261122-0042:3") == actions.Approve("WG-20261122-0042", 3)


@pytest.mark.parametrize("data", [
    "", "sign", "sign:a:b", "nosuch:WG-1", "approve:WG-1:three", "solved:WG-1:yes",
    "consent:maybe", "to:WG-1", "x" * 65, "sign:" + "9" * 60, "sign:WG 1",
])
def test_foreign_payloads_are_refused(data: str) -> None:
    with pytest.raises(ForeignButton):
        decode(data)


@given(st.text(max_size=70))
def test_any_text_is_refused_or_means_exactly_what_it_says(data: str) -> None:
    try:
        action = decode(data)
    except ForeignButton:
        return
    assert [p for p in encode(action).split(":") if p] == [p for p in data.split(":") if p]


def test_a_button_too_long_for_the_platform_is_never_made() -> None:
    with pytest.raises(ValueError):
        encode(actions.AssignTo("WG-20261122-0042", "G" * 40 + "x" * 10))


def test_two_actions_with_one_name_are_refused() -> None:
    with pytest.raises(TypeError):
        class Again(Action, name="sign"):
            pass


def test_the_agenda_buttons_fit_and_come_back_as_sent() -> None:
    """议事's buttons with the longest codes they carry: an item's number, a micro-grid's
    code, a person's id, a satisfaction."""
    code, scope = "YT-20261207-0003", "JJ-01-01-03"
    sent = [actions.AgendaView(code), actions.AgendaSupport(code), actions.AgendaComment(code),
            actions.AgendaRate(code, actions.Satisfaction.BASICALLY_SATISFIED),
            actions.AgendaPropose(), actions.AgendaRaise(scope), actions.AgendaRaise(),
            actions.AgendaLift("WG-20261207-0042"), actions.AgendaOpen(code, scope),
            actions.AgendaConvene(code, scope), actions.AgendaMeetLater(code),
            actions.AgendaDecide(code, scope), actions.AgendaOwner(code, 123456789),
            actions.AgendaDecline(code, scope), actions.AgendaMoveUp(code, scope),
            actions.AgendaClose(code, scope), actions.AgendaProgress(code),
            actions.AgendaTask(code, 9), actions.AgendaSkip()]
    for action in sent:
        assert decode(encode(action)) == action
    assert decode(f"yt_decide:{code}:{scope}") == actions.AgendaDecide(code, scope)
    assert decode(f"yt_rate:{code}:satisfied") == actions.AgendaRate(
        code, actions.Satisfaction.SATISFIED)
    for forged in (f"yt_rate:{code}:happy", f"yt_owner:{code}:someone", f"yt_decide:{code}"):
        with pytest.raises(ForeignButton):
            decode(forged)
