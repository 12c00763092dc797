"""Keys, a partner's orders and their history, on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import build_chat
from domain.orders import State
from domain.refusals import DomainError
from handlers import partners
from handlers.use_cases import NotAllowed
from handlers.work import Work
from storage.repositories.api_keys import RequestQuery
from tests.handlers.conftest import district  # noqa: F401 — fixture
from web.open311.views import FOLLOWED

KEY = "o311_" + "s" * 43


async def test_a_partner_files_follows_and_comments_through_the_use_cases(district):  # noqa: F811
    deps = (await build_chat(district)).deps
    async with district.uow() as uow:
        key = await uow.api_keys.create("hotline-12345", KEY)
        other = await uow.api_keys.create("city-ops", KEY + "2")
        work = Work(uow, deps)
        tree = deps.router.tree
        building = next(g for g in tree if g.code == "JJ-01-01-03")
        inside = building.geometry.representative_point()
        lat, lng = inside.y, inside.x
        order = await partners.file(work, key.person_id, partners.PartnerReport(
            "H01", "垃圾", lat, lng))
        private = await partners.file(work, key.person_id, partners.PartnerReport(
            "M01", "邻居吵架", lat, lng))
        await work.flush()
        await uow.commit()
    assert order.grid_code == "JJ-01-01-03" and order.state is State.DISPATCHED

    async with district.uow() as uow:
        assert (await uow.api_keys.active(KEY)) == key
        now = uow.clock.now()
        query = RequestQuery(now - timedelta(days=1), now)
        public = await uow.api_keys.requests(query, None, ["H01"])
        own = await uow.api_keys.requests(query, key.person_id, [])
        theirs = await uow.api_keys.requests(query, other.person_id, [])
        assert [o.code for o in public] == [order.code]
        assert {o.code for o in own} == {order.code, private.code}
        assert theirs == []

        assert order.assignee_id is not None
        await uow.people.link(order.assignee_id, "test", "leader")   # the holder is in chat
        work = Work(uow, deps)
        with pytest.raises(NotAllowed):
            await partners.add_note(work, other.person_id, order.code, "不是我的")
        await partners.add_note(work, key.person_id, order.code, "在东门")
        await work.flush()
        await uow.commit()
    assert any("在东门" in m.payload["text"] for m in work.owed)        # the holder is told

    async with district.uow() as uow:
        history = await uow.api_keys.updates(key.person_id, now - timedelta(days=1),
                                             now + timedelta(days=1), FOLLOWED)
        assert [(u.order_code, u.kind) for u in history if u.order_code == order.code] == [
            (order.code, "submitted"), (order.code, "dispatched"), (order.code, "commented")]
        assert await uow.api_keys.revoke("hotline-12345") == 1
        assert await uow.api_keys.active(KEY) is None
        await uow.commit()


async def test_a_note_on_a_closed_order_is_refused(district):  # noqa: F811
    deps = (await build_chat(district)).deps
    async with district.uow() as uow:
        key = await uow.api_keys.create("hotline-12345", KEY)
        work = Work(uow, deps)
        order = await partners.file(work, key.person_id, partners.PartnerReport(
            "H01", "垃圾", address="锦江畔3号楼"))
        order.state = State.INVALID
        await uow.orders.save(order)
        with pytest.raises(DomainError):
            await partners.add_note(work, key.person_id, order.code, "还在")
