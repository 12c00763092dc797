"""Agenda items (议题), their history, supports, comments and ratings survive the database."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from domain import agenda, ladder
from domain.agenda import AgendaItem, AgendaState, Origin
from domain.grids import Grid, GridTree, Level
from domain.orders import Satisfaction, Urgency, WorkOrder
from storage.records import Person
from storage.repositories.agenda import StaleItem
from storage.uow import UnitOfWork

TREE = GridTree([Grid("JJ", "锦江街道", Level.STREET),
                 Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
                 Grid("JJ-01-01", "第一网格", Level.GRID, "JJ-01")])


async def _people(uow: UnitOfWork, count: int = 4) -> list[int]:
    async with uow:
        ids = [(await uow.people.upsert(Person(name=f"居民{i}", kind="resident"))).id
               for i in range(count)]
        await uow.commit()
    return ids


def _item(code: str, proposer: int, at, origin: Origin = Origin.RESIDENT) -> AgendaItem:
    return AgendaItem(code, "小区门口加装充电桩", "电动车乱停乱充", origin, proposer,
                      "JJ-01-01", "JJ-01-01", Level.GRID, at, at)


async def test_an_item_comes_back_with_its_history_supports_comments_and_ratings(uow):
    proposer, leader, owner, neighbour = await _people(uow)
    now = uow.clock.now()
    item = _item("YT-20261123-0001", proposer, now)
    events = [agenda.propose(item), agenda.open_discussion(item, leader, now),
              agenda.support(item, neighbour, now),
              agenda.remark(item, "commented", now, neighbour, "楼下天天有人飞线充电"),
              agenda.put_on_agenda(item, now, leader, now + timedelta(days=3), "涉及消防"),
              agenda.decide(item, leader, "物业牵头加装", owner, now + timedelta(days=30),
                            ("选址", "施工"), now),
              agenda.finish_task(item, owner, 1, now),
              agenda.report_progress(item, owner, 100, "已投用", now),
              agenda.rate(item, neighbour, Satisfaction.SATISFIED, now)]
    async with uow:
        await uow.agenda.record(item, events)
        await uow.commit()
    async with uow:
        assert await uow.agenda.get(item.code) == item
        assert await uow.agenda.history(item.code) == events
        assert await uow.agenda.comments(item.code) == [(neighbour, now, "楼下天天有人飞线充电")]
        assert await uow.agenda.support_count(item.code) == 1


async def test_the_database_keeps_supports_to_one_per_person(uow):
    proposer, neighbour, *_ = await _people(uow)
    item = _item("YT-20261123-0001", proposer, uow.clock.now())
    agenda.propose(item)
    item.state = AgendaState.OPEN
    first = agenda.support(item, neighbour, uow.clock.now())
    async with uow:
        await uow.agenda.record(item, [first])
        await uow.commit()
    async with uow:
        loaded = await uow.agenda.get(item.code)
        assert loaded is not None and loaded.supporters == {neighbour}
        with pytest.raises(IntegrityError):
            await uow.agenda.record(loaded, [first])   # the same +1 written again


async def test_a_second_writer_of_the_same_version_is_refused(uow):
    proposer, leader, *_ = await _people(uow)
    item = _item("YT-20261123-0001", proposer, uow.clock.now())
    async with uow:
        await uow.agenda.record(item, [agenda.propose(item)])
        await uow.commit()
    async with uow:
        loaded = await uow.agenda.get(item.code)
        # another worker saved it meanwhile
        await uow.session.execute(text("UPDATE agenda_item SET version = version + 1"))
        event = agenda.decline(loaded, leader, "重复", uow.clock.now())
        with pytest.raises(StaleItem, match="YT-20261123-0001"):
            await uow.agenda.record(loaded, [event])


async def test_agenda_events_keep_their_facts_but_their_words_may_be_erased(uow):
    proposer, neighbour, *_ = await _people(uow)
    item = _item("YT-20261123-0001", proposer, uow.clock.now())
    agenda.propose(item)
    item.state = AgendaState.OPEN
    said = agenda.remark(item, "commented", uow.clock.now(), neighbour, "我是张秀兰，电话13812345678")
    async with uow:
        await uow.agenda.record(item, [said])
        await uow.commit()
    for statement in ("UPDATE agenda_event SET kind = 'declined'",
                      "UPDATE agenda_event SET at = at", "DELETE FROM agenda_event"):
        async with uow:
            if "at = at" in statement:
                await uow.session.execute(text(statement))   # the facts unchanged: allowed
                continue
            with pytest.raises(DBAPIError, match="events are immutable"):
                await uow.session.execute(text(statement))
    async with uow:
        await uow.session.execute(text("UPDATE agenda_event SET reason = '[已删除]'"))
        await uow.commit()
    async with uow:
        [event] = await uow.agenda.history(item.code)
        assert (event.kind, event.reason) == ("commented", "[已删除]")


async def test_the_ladder_sweep_moves_stored_items_up_once_per_level(uow):
    proposer, *_ = await _people(uow)
    now = uow.clock.now()
    old, fresh = _item("YT-1", proposer, now - timedelta(days=31)), _item("YT-2", proposer, now)
    settled = _item("YT-3", proposer, now - timedelta(days=40), Origin.LEADER)
    async with uow:
        for item in (old, fresh, settled):
            events = [agenda.propose(item)]
            if item is settled:
                events.append(agenda.decline(item, proposer, "不在职权范围", now))
            await uow.agenda.record(item, events)
        await uow.commit()
    for _ in range(2):                       # the scheduler runs twice: one move in all
        async with uow:
            items = await uow.agenda.unsettled_since(now - timedelta(days=30))
            for item in items:
                await uow.agenda.record(item, ladder.sweep_ladder([item], TREE, now))
            await uow.commit()
    async with uow:
        moved = await uow.agenda.get("YT-1")
        assert moved is not None and (moved.scope_code, moved.level, moved.moves) == (
            "JJ-01", Level.COMMUNITY, 1)
        assert [e.kind for e in await uow.agenda.history("YT-1")] == ["proposed", "moved_up"]
        assert (await uow.agenda.get("YT-2")).scope_code == "JJ-01-01"
        assert [i.code for i in await uow.agenda.in_scopes(["JJ-01"])] == ["YT-1"]


async def test_an_order_lifted_into_an_item_points_to_it(uow):
    leader, reporter, *_ = await _people(uow)
    now = uow.clock.now()
    order = WorkOrder("WG-20261123-0007", "市政设施/路灯", Urgency.NORMAL, reporter, "整条街路灯不亮",
                      now, grid_code="JJ-01-01")
    item = _item("YT-20261123-0001", leader, now, Origin.ORDER)
    async with uow:
        await uow.orders.add(order)
        await uow.agenda.record(item, [agenda.propose(item, (order.code,))])
        await uow.commit()
    async with uow:
        assert await uow.agenda.lifted_into(order.code) == item.code
        assert (await uow.agenda.get(item.code)).order_codes == (order.code,)
        assert await uow.agenda.lifted_into("WG-20261123-0008") is None


async def test_item_numbers_count_per_day(uow):
    async with uow:
        codes = [await uow.agenda.next_code(date(2026, 12, 7)) for _ in range(2)]
        codes.append(await uow.agenda.next_code(date(2026, 12, 8)))
    assert codes == ["YT-20261207-0001", "YT-20261207-0002", "YT-20261208-0001"]


async def test_erasure_takes_a_residents_words_from_agenda_items_and_keeps_the_facts(uow):
    proposer, neighbour, leader, *_ = await _people(uow)
    now = uow.clock.now()
    item = _item("YT-20261123-0001", proposer, now)
    events = [agenda.propose(item), agenda.open_discussion(item, leader, now),
              agenda.support(item, neighbour, now),
              agenda.remark(item, "commented", now, neighbour, "我是张秀兰，住3栋502"),
              agenda.remark(item, "commented", now, proposer, "感谢大家支持")]
    async with uow:
        await uow.agenda.record(item, events)
        await uow.commit()
    async with uow:
        await uow.agenda.forget_words_of(neighbour, "（已删除）")
        await uow.commit()
    async with uow:
        kept = await uow.agenda.get(item.code)
        assert [w for _, _, w in await uow.agenda.comments(item.code)] == ["（已删除）", "感谢大家支持"]
        assert [e.reason for e in await uow.agenda.history(item.code) if e.reason] == [
            "（已删除）", "感谢大家支持"]
        assert kept.title == "小区门口加装充电桩" and kept.supporters == {neighbour}
        await uow.agenda.forget_words_of(proposer, "（已删除）")
        gone = await uow.agenda.get(item.code)
        assert (gone.title, gone.body, gone.state) == ("（已删除）", "（已删除）", AgendaState.OPEN)


async def test_who_hears_of_an_item_participants_newest_comments_and_the_residents(uow):
    """What the notices read (handlers/agenda_notices.py): the participants, the newest
    comments for a card, and the accounts of the consenting residents of a scope."""
    now = uow.clock.now()
    async with uow:
        await uow.grids.upsert(list(TREE))
        people = {}
        for name, home, consent in (("proposer", "JJ-01-01", True), ("near", "JJ-01-01", True),
                                    ("shy", "JJ-01-01", False), ("far", "JJ", True)):
            person = await uow.people.upsert(Person(name=name, kind="resident", home_grid=home,
                                                    consent_at=now if consent else None))
            await uow.people.link(person.id, "test", name)
            people[name] = person.id
        staff = await uow.people.upsert(Person(name="staff", kind="staff", home_grid="JJ-01-01",
                                               consent_at=now))
        await uow.people.link(staff.id, "test", "staff")
        item = _item("YT-20261123-0009", people["proposer"], now)
        events = [agenda.propose(item), agenda.open_discussion(item, staff.id, now),
                  agenda.support(item, people["near"], now)]
        events += [agenda.remark(item, "commented", now + timedelta(minutes=n), people["far"],
                                 f"第{n}条") for n in range(4)]
        await uow.agenda.record(item, events)
        await uow.commit()
    async with uow:
        assert await uow.agenda.participants(item.code) == {people["near"], people["far"]}
        assert await uow.agenda.latest_comments(item.code, 3) == ["第1条", "第2条", "第3条"]
        reached = await uow.people.residents_reached(["JJ-01-01"])
        assert sorted(a.external_id for a in reached) == ["near", "proposer"]
        accounts = await uow.people.accounts_of([people["far"], people["shy"]], chunk=1)
        assert sorted(a.external_id for a in accounts) == ["far", "shy"]
        assert await uow.agenda.words_of(people["proposer"]) == (
            [item.code], ["小区门口加装充电桩", "电动车乱停乱充"])
        assert await uow.agenda.words_of(people["far"]) == (
            [item.code], ["第0条", "第1条", "第2条", "第3条"])
