"""The scenario suite on the neutral core (the transports run the same scenarios)."""
import pytest

from tests import scenarios, scenarios_agenda

POINTED = [scenarios.scenario_report_to_close, scenarios.scenario_rider_quick_path,
           scenarios.scenario_me_too, scenarios.scenario_return_and_redispatch,
           scenarios.scenario_escalation, scenarios.scenario_unauthorised_action_refused,
           scenarios.scenario_duplicate_delivery_makes_one_order,
           scenarios.scenario_back_at_every_step, scenarios.scenario_back_on_rider_quick_path,
           scenarios.scenario_three_photos_collected, scenarios.scenario_resolve_photo_then_note,
           scenarios.scenario_resolve_note_then_photo,
           scenarios.scenario_leader_receives_photos_and_pin,
           scenarios.scenario_voice_note_reaches_leader_as_audio,
           scenarios.scenario_contact_shared_then_viewed_by_the_holder_only]
POINTED += [scenarios.scenario_delete_then_my]


@pytest.mark.parametrize("scenario", POINTED, ids=lambda s: s.__name__.removeprefix("scenario_"))
async def test_scenario(talk, point, scenario):
    await scenario(talk, point)


async def test_example_from_home_grid(talk):
    await scenarios.scenario_example_from_home_grid(talk)


async def test_address_disambiguation(talk):
    await scenarios.scenario_address_disambiguation(talk)


async def test_unstaffed_order_reaches_the_operator(talk, services, point):
    await scenarios.leave_chain_unstaffed(services, talk.chat.deps)
    await scenarios.scenario_unstaffed_order_reaches_the_operator(talk, point)


AGENDA = [scenarios_agenda.scenario_agenda_from_proposal_to_rating,
          scenarios_agenda.scenario_leader_lifts_an_order_into_an_item,
          scenarios_agenda.scenario_opinion_reaches_the_street_and_the_column]


@pytest.mark.parametrize("scenario", AGENDA, ids=lambda s: s.__name__.removeprefix("scenario_"))
async def test_agenda_scenario(talk, point, scenario):
    await scenario(talk, point)
