"""Work orders and their history survive the database unchanged."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domain import orders
from domain.geo import box_around
from domain.orders import Due, Satisfaction, State, Urgency, WorkOrder
from storage.clock import FixedClock
from storage.records import Person
from storage.repositories import StaleOrder
from storage.uow import UnitOfWork

BEIJING = ZoneInfo("Asia/Shanghai")


async def _people(uow: UnitOfWork) -> tuple[int, int]:
    async with uow:
        reporter = await uow.people.upsert(Person(name="王骑手"))
        leader = await uow.people.upsert(Person(name="李网格长", staff_code="L-1"))
        await uow.commit()
    assert reporter.id is not None and leader.id is not None
    return reporter.id, leader.id


def _order(code: str, reporter: int, at: datetime) -> WorkOrder:
    return WorkOrder(code=code, category="安全隐患/飞线充电", urgency=Urgency.URGENT,
                     reporter_id=reporter, description="3号楼楼道飞线充电", created_at=at,
                     grid_code="MG-1", lat=39.8631, lng=124.1552, address="锦江花园3号楼")


async def test_an_order_comes_back_equal_with_every_field(uow: UnitOfWork):
    reporter, leader = await _people(uow)
    at = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=BEIJING)
    order = WorkOrder(
        code="WG-20261123-0001", category="市容环境/垃圾", urgency=Urgency.COMPLEX,
        reporter_id=reporter, description="垃圾满溢", created_at=at, state=State.CLOSED,
        grid_code="MG-1", unit_code="G-1", assignee_id=leader, lat=39.86, lng=124.15,
        address="锦江花园", sign_due=at + timedelta(hours=2), resolve_due=at + timedelta(days=3),
        signed_at=at + timedelta(minutes=5), resolved_at=at + timedelta(hours=20),
        closed_at=at + timedelta(days=1), returns=1, reopens=2, escalations=3, extensions=1,
        merged_into=None, solved=True, satisfaction=Satisfaction.BASICALLY_SATISFIED,
        result_note="已清运")
    async with uow:
        await uow.orders.add(order)
        await uow.commit()
    async with uow:
        loaded = await uow.orders.get(order.code)
    assert loaded == order
    assert loaded is not None and loaded.created_at.utcoffset() == timedelta(0)


async def test_a_missing_order_is_none(uow: UnitOfWork):
    async with uow:
        assert await uow.orders.get("WG-20261123-9999") is None


async def test_an_order_and_its_events_are_written_together_or_not_at_all(uow: UnitOfWork):
    reporter, _ = await _people(uow)
    order = _order("WG-20261123-0001", reporter, uow.clock.now())
    async with uow:
        await uow.orders.add(order)
        await uow.events.add(orders.submit(order))
        # leaving without commit
    async with uow:
        assert await uow.orders.get(order.code) is None
        assert await uow.events.for_order(order.code) == []


async def test_events_added_in_a_rolled_back_savepoint_are_not_written(uow: UnitOfWork):
    reporter, _ = await _people(uow)
    order = _order("WG-20261123-0001", reporter, uow.clock.now())
    submitted = orders.submit(order)
    async with uow:
        await uow.orders.add(order)
        await uow.events.add(submitted)
        savepoint = await uow.session.begin_nested()
        await uow.events.add(orders.remark(order, "commented", uow.clock.now(), reason="undone"))
        await savepoint.rollback()
        kept = await uow.session.begin_nested()
        commented = orders.remark(order, "commented", uow.clock.now(), reason="kept")
        await uow.events.add(commented)
        await kept.commit()
        await uow.commit()
    async with uow:
        assert await uow.events.for_order(order.code) == [submitted, commented]


async def test_a_whole_rolled_back_transaction_writes_no_events(uow: UnitOfWork):
    reporter, _ = await _people(uow)
    order = _order("WG-20261123-0001", reporter, uow.clock.now())
    async with uow:
        await uow.orders.add(order)
        await uow.commit()
    async with uow:
        await uow.events.add(orders.submit(order))
        await uow.rollback()
        await uow.commit()
    async with uow:
        assert await uow.events.for_order(order.code) == []


async def test_a_dispatched_order_is_saved_with_its_history(uow: UnitOfWork, clock: FixedClock):
    reporter, leader = await _people(uow)
    order = _order("WG-20261123-0001", reporter, clock.now())
    async with uow:
        await uow.orders.add(order)
        submitted = orders.submit(order)
        await uow.events.add(submitted)
        await uow.commit()
    clock.advance(timedelta(minutes=3))
    async with uow:
        order = await uow.orders.get(order.code)
        due = Due(clock.now() + timedelta(hours=1), clock.now() + timedelta(hours=24))
        dispatched = orders.dispatch(order, "MG-1", leader, due, clock.now())
        await uow.events.add(dispatched)
        await uow.orders.save(order)
        await uow.commit()
    async with uow:
        assert (await uow.orders.get(order.code)).state is State.DISPATCHED
        assert await uow.events.for_order(order.code) == [submitted, dispatched]
        assert await uow.orders.assigned_to(leader) == [order]


async def test_saving_an_order_someone_else_changed_is_refused(uow: UnitOfWork):
    reporter, leader = await _people(uow)
    async with uow:
        await uow.orders.add(_order("WG-20261123-0001", reporter, uow.clock.now()))
        await uow.commit()
    async with uow:
        order = await uow.orders.get("WG-20261123-0001")
        # another worker saved it meanwhile
        await uow.session.execute(text("UPDATE work_order SET version = version + 1"))
        orders.dispatch(order, "MG-1", leader, Due(None, None), uow.clock.now())
        with pytest.raises(StaleOrder, match="WG-20261123-0001"):
            await uow.orders.save(order)


async def test_events_cannot_be_changed_or_deleted(uow: UnitOfWork):
    reporter, _ = await _people(uow)
    order = _order("WG-20261123-0001", reporter, uow.clock.now())
    async with uow:
        await uow.orders.add(order)
        await uow.events.add(orders.submit(order))
        await uow.commit()
    for statement in ("UPDATE event SET kind = 'rewritten'", "UPDATE event SET actor_id = 99",
                      "UPDATE event SET id = id + 1000",
                      "UPDATE event SET to_state = 'closed'", "DELETE FROM event"):
        async with uow:
            with pytest.raises(DBAPIError, match="events are immutable"):
                await uow.session.execute(text(statement))
    async with uow:
        assert await uow.events.for_order(order.code) == [orders.submit(order)]


async def test_erasure_may_replace_an_events_words_and_files_but_not_its_facts(uow: UnitOfWork):
    reporter, _ = await _people(uow)
    order = _order("WG-20261123-0001", reporter, uow.clock.now())
    said = orders.remark(order, "commented", uow.clock.now(), reporter, reason="我是张秀兰")
    async with uow:
        await uow.orders.add(order)
        await uow.events.add_all([orders.submit(order, ("media/a.jpg",)), said])
        await uow.commit()
    async with uow:
        await uow.session.execute(text(
            "UPDATE event SET reason = '〔已删除〕', data = '{}' WHERE kind = 'commented'"))
        await uow.commit()
    async with uow:
        kept = (await uow.events.for_order(order.code))[-1]
    assert (kept.kind, kept.at, kept.actor_id, kept.reason, kept.data) == (
        "commented", said.at, reporter, "〔已删除〕", {})


async def test_events_between_two_times_include_the_start_and_not_the_end(uow: UnitOfWork):
    reporter, _ = await _people(uow)
    start = datetime(2026, 11, 23, tzinfo=UTC)
    order = _order("WG-20261123-0001", reporter, start)
    events = [orders.remark(order, "commented", start + timedelta(hours=h), reason=str(h))
              for h in (0, 12, 24)]
    async with uow:
        await uow.orders.add(order)
        for event in reversed(events):
            await uow.events.add(event)
        await uow.commit()
    async with uow:
        assert await uow.events.between(start, start + timedelta(days=1)) == events[:2]


async def test_order_numbers_count_up_per_day_and_restart_the_next(uow: UnitOfWork):
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    async with uow:
        first = [await uow.orders.next_code(monday) for _ in range(2)]
        await uow.commit()
    async with uow:
        later = [await uow.orders.next_code(monday), await uow.orders.next_code(tuesday)]
        await uow.commit()
    assert first + later == ["WG-20261123-0001", "WG-20261123-0002",
                             "WG-20261123-0003", "WG-20261124-0001"]


async def test_orders_due_for_a_sweep_are_those_past_their_limit(uow: UnitOfWork,
                                                                 clock: FixedClock):
    reporter, leader = await _people(uow)
    now = clock.now()
    async with uow:
        for number, sign_in in ((1, -1), (2, 1), (3, -2)):
            order = _order(f"WG-20261123-000{number}", reporter, now)
            orders.dispatch(order, "MG-1", leader,
                            Due(now + timedelta(hours=sign_in), None), now)
            await uow.orders.add(order)
        await uow.commit()
    async with uow:
        due = await uow.orders.due(State.DISPATCHED, "sign_due", now)
    assert [order.code for order in due] == ["WG-20261123-0003", "WG-20261123-0001"]


async def test_a_me_too_reporter_follows_an_order_once(uow: UnitOfWork):
    reporter, other = await _people(uow)
    async with uow:
        await uow.orders.add(_order("WG-20261123-0001", reporter, uow.clock.now()))
        assert await uow.orders.follow("WG-20261123-0001", other) is True
        assert await uow.orders.follow("WG-20261123-0001", other) is False
        await uow.commit()
    async with uow:
        assert await uow.orders.followers("WG-20261123-0001") == [other]


@pytest.mark.parametrize("written", [True, False], ids=["written", "filed-in-this-transaction"])
async def test_me_too_candidates_are_recent_open_orders_of_the_same_category(
        uow: UnitOfWork, clock: FixedClock, written: bool):
    """The same whether the orders were committed or filed in this very transaction."""
    reporter, leader = await _people(uow)
    now = clock.now()
    recent, closed, old, other, far = (_order(f"WG-20261123-000{n}", reporter, now)
                                       for n in range(1, 6))
    old.created_at = now - timedelta(days=2)
    other.category = "市容环境/垃圾"
    far.lat += 0.01                     # ~1.1 km north
    orders.mark_invalid(closed, leader, "重复上报", now)

    async def ask() -> tuple[list[WorkOrder], int]:
        return (await uow.orders.open_near("安全隐患/飞线充电", now - timedelta(days=1),
                                           box_around((recent.lat, recent.lng), 100)),
                await uow.orders.count_reported_since(reporter, now - timedelta(days=1)))

    async with uow:
        for order in (recent, closed, old, other, far):
            await uow.orders.add(order)
        if written:
            await uow.commit()
        else:
            answer = await ask()
    if written:
        async with uow:
            answer = await ask()
    assert answer == ([recent], 4)   # the one near, and everything filed the past day


async def test_a_near_order_is_found_however_many_newer_ones_the_city_has(uow: UnitOfWork,
                                                                          clock: FixedClock):
    """The candidates are chosen by place in SQL, not the city's newest few filtered after."""
    reporter, _ = await _people(uow)
    now = clock.now()
    near = _order("WG-20261123-0001", reporter, now - timedelta(hours=3))
    async with uow:
        await uow.orders.add(near)
        for n in range(2, 302):         # 300 newer reports of the same kind, 2-30 km away
            elsewhere = _order(f"WG-20261123-{n:04d}", reporter, now - timedelta(minutes=n))
            elsewhere.lat += 0.02 + n * 0.001
            await uow.orders.add(elsewhere)
        await uow.commit()
    async with uow:
        candidates = await uow.orders.open_near("安全隐患/飞线充电", now - timedelta(days=1),
                                                box_around((near.lat + 0.0005, near.lng), 100))
    assert [order.code for order in candidates] == ["WG-20261123-0001"]


async def test_an_added_order_and_its_event_are_in_the_tables_at_once(uow: UnitOfWork):
    """What a use case wrote is what any statement of its transaction reads: no buffer."""
    reporter, _ = await _people(uow)
    order = _order("WG-20261123-0001", reporter, uow.clock.now())
    async with uow:
        await uow.orders.add(order)
        await uow.events.add(orders.submit(order))
        written = (await uow.session.execute(text(
            "SELECT (SELECT count(*) FROM work_order), (SELECT count(*) FROM event)"))).one()
    assert tuple(written) == (1, 1)
