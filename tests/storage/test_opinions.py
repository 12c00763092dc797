"""民意直报 kept: the chosen level's staff read the words as written, the public scrubbed."""
from __future__ import annotations

from datetime import timedelta

from domain.categories import default_taxonomy
from domain.grids import Grid, GridTree, Level
from domain.opinions import send
from storage.records import Person

TREE = GridTree([Grid("JJ", "锦江街道", Level.STREET),
                 Grid("JJ-01", "江畔社区", Level.COMMUNITY, "JJ"),
                 Grid("JJ-01-01", "锦江畔小区", Level.GRID, "JJ-01"),
                 Grid("JJ-02", "月湾社区", Level.COMMUNITY, "JJ")])
PHONE = "13812345678"


async def test_staff_read_the_words_the_public_reads_them_scrubbed_and_erasure_reaches_them(uow):
    now = uow.clock.now()
    async with uow:
        await uow.grids.upsert(list(TREE))
        person = (await uow.people.upsert(Person(name="王芳", home_grid="JJ-01-01"))).id
        opinion, _ = send(TREE, person, "JJ-01-01", Level.STREET, f"建议加装路灯，电话{PHONE}",
                          now, default_taxonomy())
        await uow.opinions.add(opinion)
        await uow.commit()
    later = now + timedelta(days=1)
    async with uow:
        [staff] = await uow.opinions.sent_to("JJ", now, later)
        [public] = await uow.opinions.from_places(["JJ-01-01"], now, later)
        assert PHONE in staff.text and staff.person_id == person
        assert PHONE not in public.text + public.public and public.person_id is None
        assert await uow.opinions.sent_to("JJ-01", now, later) == []
        assert await uow.opinions.from_places(["JJ-02"], now, later) == []
        await uow.opinions.forget_words_of(person, "（已删除）")
        await uow.commit()
    async with uow:
        [gone] = await uow.opinions.sent_to("JJ", now, later)
        assert (gone.text, gone.person_id) == ("（已删除）", None)
        assert await uow.opinions.of_person(person) == []


async def test_reports_count_by_category_without_the_invalid_or_merged(uow):
    from domain.orders import State, Urgency, WorkOrder
    now = uow.clock.now()
    async with uow:
        await uow.grids.upsert(list(TREE))
        person = (await uow.people.upsert(Person(name="王芳", home_grid="JJ-01-01"))).id
        for i, (category, state) in enumerate([("H01", State.SUBMITTED), ("H01", State.CLOSED),
                                               ("P03", State.INVALID), ("P03", State.MERGED),
                                               ("S02", State.SUBMITTED)]):
            order = WorkOrder(f"WG-20261123-{i:04d}", category, Urgency.NORMAL, person, "…",
                              now, grid_code="JJ-01-01" if category != "S02" else "JJ-02")
            order.state = state
            await uow.orders.add(order)
        await uow.commit()
    async with uow:
        counted = await uow.opinions.reports_by_category(["JJ-01", "JJ-01-01"], now,
                                                         now + timedelta(hours=1))
    assert counted == {"H01": 2}


async def test_retention_leaves_only_the_scrubbed_words_and_cuts_the_sender(uow):
    now = uow.clock.now()
    async with uow:
        await uow.grids.upsert(list(TREE))
        person = (await uow.people.upsert(Person(name="王芳", home_grid="JJ-01-01"))).id
        for days in (200, 1):
            opinion, _ = send(TREE, person, "JJ-01-01", Level.COMMUNITY, f"电话{PHONE}",
                              now - timedelta(days=days), default_taxonomy())
            await uow.opinions.add(opinion)
        assert await uow.opinions.forget_older_than(now - timedelta(days=180)) == 1
        await uow.commit()
    async with uow:
        old, recent = await uow.opinions.sent_to("JJ-01", now - timedelta(days=365), now)
    assert PHONE not in old.text and old.person_id is None
    assert PHONE in recent.text and recent.person_id == person
