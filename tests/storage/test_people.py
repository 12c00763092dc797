"""People, their platform accounts, their roles on grids, and invites."""
from __future__ import annotations

from datetime import timedelta

from shapely.geometry import box

from domain.grids import Grid, Level
from domain.invites import Invite, hash_code, redeem
from storage.records import Membership, Person, Role
from storage.uow import UnitOfWork

DISTRICT = [
    Grid("JJ", "锦江街道", Level.STREET),
    Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
    Grid("JJ-01-02", "锦江花园网格", Level.GRID, "JJ-01", aliases=("锦江花园",)),
    Grid("JJ-01-02-03", "3号楼微网格", Level.MICRO_GRID, "JJ-01-02",
         geometry=box(124.155, 39.863, 124.156, 39.864)),
]

KEY = b"a-server-secret-key-of-32-bytes!"


async def test_a_person_is_found_by_staff_code_and_updated_in_place(uow: UnitOfWork):
    async with uow:
        first = await uow.people.upsert(Person(name="李华", staff_code="S-7", phone="138000"))
        again = await uow.people.upsert(Person(name="李华", staff_code="S-7", duty="网格长"))
        await uow.commit()
    async with uow:
        stored = await uow.people.by_staff_code("S-7")
    assert again.id == first.id
    assert stored is not None and (stored.name, stored.duty) == ("李华", "网格长")
    assert stored.created_at == uow.clock.now()


async def test_a_platform_account_leads_to_its_person(uow: UnitOfWork):
    async with uow:
        courier = await uow.people.upsert(Person(name="王骑手", kind="rider", rides_for="美团"))
        await uow.people.link(courier.id, "telegram", "5550001")
        await uow.commit()
    async with uow:
        found = await uow.people.by_channel("telegram", "5550001")
        assert found == courier
        assert await uow.people.by_channel("wechat", "5550001") is None
        assert [a.channel for a in await uow.people.accounts(courier.id)] == ["telegram"]


async def test_a_turn_reads_the_person_and_the_dialog_of_an_account_together(uow: UnitOfWork):
    async with uow:
        courier = await uow.people.upsert(Person(name="王骑手"))
        await uow.people.link(courier.id, "telegram", "5550001")
        await uow.dialogs.put("telegram", "5550001", {"step": "report.describe"})
        await uow.dialogs.put("telegram", "stranger", {"step": "onboarding.name"})
        await uow.commit()
    async with uow:
        assert await uow.people.by_channel_with_dialog("telegram", "5550001") == (
            courier, {"step": "report.describe"}, False)
        assert await uow.people.by_channel_with_dialog("telegram", "stranger") == (
            None, {"step": "onboarding.name"}, False)
        assert await uow.people.by_channel_with_dialog("wechat", "5550001") == (
            None, None, False)
        # One account alone or among others: the same, read in one statement or two.
        both = await uow.people.by_channels_with_dialogs([("telegram", "5550001"),
                                                          ("telegram", "stranger")])
        assert both == {("telegram", "5550001"): (courier, {"step": "report.describe"}, False),
                        ("telegram", "stranger"): (None, {"step": "onboarding.name"}, False)}


async def test_a_turn_knows_whether_the_person_holds_a_staff_post(uow: UnitOfWork):
    async with uow:
        await uow.grids.upsert(DISTRICT)
        for name, account, role in (("李网格长", "1", Role.LEADER), ("张网格员", "2", Role.MEMBER),
                                    ("赵居民", "3", None)):
            person = await uow.people.upsert(Person(name=name, kind="resident"))
            await uow.people.link(person.id, "telegram", account)
            if role is not None:
                await uow.memberships.add(person.id, "JJ-01-02", role)
        await uow.commit()
    async with uow:
        alone = [(await uow.people.by_channel_with_dialog("telegram", a)).holds_post
                 for a in "123"]
        together = await uow.people.by_channels_with_dialogs([("telegram", a) for a in "123"])
    assert alone == [True, False, False]          # a 网格员 (member) keeps the resident menu
    assert [together["telegram", a].holds_post for a in "123"] == alone


async def test_an_account_linked_again_moves_to_the_new_person(uow: UnitOfWork):
    async with uow:
        old = await uow.people.upsert(Person(name="旧号"))
        new = await uow.people.upsert(Person(name="新人"))
        await uow.people.link(old.id, "wechat", "openid-1")
        await uow.people.link(new.id, "wechat", "openid-1")
        found = await uow.people.by_channel("wechat", "openid-1")
    assert found is not None and found.id == new.id


async def test_the_grid_tree_carries_geometry_aliases_and_leaders(uow: UnitOfWork):
    async with uow:
        assert await uow.grids.upsert(DISTRICT) == (4, 0)
        leader = await uow.people.upsert(Person(name="张网格长", staff_code="L-1"))
        assert await uow.memberships.add(leader.id, "JJ-01-02", Role.LEADER) is True
        assert await uow.memberships.add(leader.id, "JJ-01-02", Role.LEADER) is False
        await uow.commit()
    async with uow:
        tree = await uow.grids.tree()
        micro = await uow.grids.get("JJ-01-02-03")
        memberships = await uow.memberships.of_person(leader.id)
    assert tree.leader_on_chain("JJ-01-02-03") == (tree.get("JJ-01-02"), leader.id)
    assert tree.get("JJ-01-02").aliases == ("锦江花园",)
    assert micro is not None and micro.geometry.equals(DISTRICT[3].geometry)
    assert memberships == [Membership(leader.id, "JJ-01-02", Role.LEADER)]


async def test_an_invite_is_redeemed_once(uow: UnitOfWork):
    now = uow.clock.now()
    async with uow:
        await uow.grids.upsert(DISTRICT)
        first = await uow.people.upsert(Person(name="甲"))
        second = await uow.people.upsert(Person(name="乙"))
        uow.invites.add(Invite(hash_code("ABCD-2345", KEY), "JJ-01-02", "leader", now,
                               now + timedelta(days=7)))
        await uow.commit()
    async with uow:
        invite = redeem(await uow.invites.by_hash(hash_code("abcd 2345", KEY)), first.id, now)
        assert await uow.invites.mark_used(invite) is True
        await uow.commit()
    async with uow:
        late = await uow.invites.by_hash(hash_code("ABCD2345", KEY))
        assert late is not None and late.used_by == first.id
        late.used_by = second.id   # a racing second redemption of a stale copy
        assert await uow.invites.mark_used(late) is False


async def test_holding_posts_and_orders_held_by_nobody_are_read_from_the_roster(uow: UnitOfWork):
    from datetime import datetime

    from domain.calendar import SHANGHAI
    from domain.orders import State, Urgency, WorkOrder
    at = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    async with uow:
        await uow.grids.upsert(DISTRICT)
        leader = await uow.people.upsert(Person(name="李华", staff_code="S-1"))
        dispatcher = await uow.people.upsert(Person(name="王芳", staff_code="S-2"))
        await uow.memberships.add(leader.id, "JJ-01-02", Role.LEADER)
        await uow.memberships.add(dispatcher.id, "JJ", Role.DISPATCHER)
        await uow.memberships.add(leader.id, "JJ-01-02-03", Role.MEMBER)      # not a holder
        for n, (assignee, state) in enumerate([(None, State.SUBMITTED), (leader.id, State.DISPATCHED),
                                               (None, State.CLOSED)], start=1):
            await uow.orders.add(WorkOrder(f"WG-20261123-000{n}", "H01", Urgency.NORMAL, None, "垃圾",
                                     at, state=state, unit_code="queue:JJ-01-02-03",
                                     assignee_id=assignee))
        await uow.commit()
    async with uow:
        assert await uow.memberships.posts() == {"JJ-01-02": {"leader": [leader.id]},
                                                 "JJ": {"dispatcher": [dispatcher.id]}}
        assert await uow.memberships.posts(["JJ"]) == {"JJ": {"dispatcher": [dispatcher.id]}}
        # Open and held by no one: only the first (the second has a holder, the third is closed).
        assert await uow.grids.unheld_orders() == [("WG-20261123-0001", "queue:JJ-01-02-03")]
