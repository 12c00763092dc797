"""议事's numbers come from the configuration: environment variables reach `Deps.agenda_rules`,
and a number out of range is refused when the settings are read."""
from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.services import agenda_rules, build_chat
from domain.agenda import DEFAULT_RULES
from domain.grids import Level
from tests.handlers.conftest import open_district


def test_the_defaults_are_the_domains():
    assert agenda_rules(Settings()) == DEFAULT_RULES


def test_environment_variables_set_thresholds_days_and_the_rating_window(monkeypatch):
    for name, value in {"SUPPORT_GRID": "5", "SUPPORT_COMMUNITY": "12", "SUPPORT_STREET": "40",
                        "SUPPORT_COUNTY": "200", "SETTLE_DAYS": "14", "REMIND_AT": "0.5",
                        "RATING_DAYS": "3"}.items():
        monkeypatch.setenv(f"GRIDBOT_AGENDA_{name}", value)
    rules = agenda_rules(Settings())
    assert {level: rules.threshold(level) for level in Level} == {
        Level.MICRO_GRID: 5, Level.GRID: 5, Level.COMMUNITY: 12, Level.STREET: 40,
        Level.COUNTY: 200}
    assert (rules.settle_within, rules.remind_at, rules.rating_window) == (
        timedelta(days=14), 0.5, timedelta(days=3))


@pytest.mark.parametrize("name, value", [("SUPPORT_GRID", "0"), ("SETTLE_DAYS", "0"),
                                         ("REMIND_AT", "1"), ("RATING_DAYS", "-2")])
def test_a_number_out_of_range_is_refused(monkeypatch, name, value):
    monkeypatch.setenv(f"GRIDBOT_AGENDA_{name}", value)
    with pytest.raises(ValidationError):
        Settings()


async def test_the_chat_uses_the_configured_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDBOT_AGENDA_SUPPORT_COMMUNITY", "3")
    services = await open_district(f"sqlite:///{tmp_path / 'chat.db'}")
    try:
        deps = (await build_chat(services)).deps
        assert deps.agenda_rules.threshold(Level.COMMUNITY) == 3
    finally:
        await services.close()
