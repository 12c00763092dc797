"""The demo seeds itself: the sample district, and the leader pane bound to a real leader."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.tables import ChannelAccountRow, GridRow, PersonRow
from tests.web.conftest import Web
from web.demo_seed import seed_demo


async def test_seeding_again_changes_nothing_and_keeps_the_leader_bound(web: Web):
    async def counts() -> list[int]:
        async with web.services.uow() as uow:
            return [(await uow.session.execute(select(func.count()).select_from(t))).scalar_one()
                    for t in (GridRow, PersonRow, ChannelAccountRow)]
    before = await counts()

    again = await seed_demo(web.services)

    assert again == web.demo
    assert await counts() == before
    async with web.services.uow() as uow:
        leader = await uow.people.by_channel("web", "leader-demo")
        assert leader is not None and leader.consent_at is not None
        assert await uow.memberships.leader_of("JJ-01-01-03") == leader.id
