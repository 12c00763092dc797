"""After a final message a resident is offered what to do next; staff are not."""
from __future__ import annotations

from handlers import texts
from tests.scenarios import onboard_resident, resident_files_rubbish


def _offered(message) -> list[str]:
    return [choice.data for choice in message.choices]


async def test_a_resident_appointed_to_a_post_stops_seeing_the_residents_next_steps(
        talk, services, point):
    await onboard_resident(talk, "neighbour")
    await resident_files_rubbish(talk, "neighbour", point)
    filed = talk.inbox("neighbour")[-1]
    assert "menu:report" in _offered(filed)                 # 我要上报 and the rest, offered
    await talk.text("neighbour", "/report")
    cancelled = (await talk.text("neighbour", "/cancel"))[-1]
    assert cancelled.text == texts.CANCELLED and "menu:report" in _offered(cancelled)

    async with services.uow() as uow:                        # appointed 网格长 of a grid
        me = await uow.people.by_channel(*talk.account("neighbour"))
        await uow.memberships.add(me.id, "JJ-01-02", "leader")
        await uow.commit()
    assert me.kind == "resident"

    await talk.text("neighbour", "/report")
    cancelled = (await talk.text("neighbour", "/cancel"))[-1]
    assert cancelled.text == texts.CANCELLED and "menu:report" not in _offered(cancelled)
