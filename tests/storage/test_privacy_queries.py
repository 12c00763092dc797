"""Erasure and retention statements, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain.orders import Urgency, WorkOrder
from storage.records import OutboxMessage, Person
from storage.repositories.people import Report
from storage.tables import OutboxRow, WorkOrderRow
from storage.uow import UnitOfWork
from tests.echo.stories import add_all


async def _seed(uow: UnitOfWork) -> tuple[int, int]:
    """A reporter with an account, a dialog, a follow and a message; a closed and an open order."""
    now = uow.clock.now()
    async with uow:
        reporter = await uow.people.upsert(Person(name="张秀兰", phone="13912345678",
                                                  kind="rider", nickname="兰兰", consent_at=now))
        other = await uow.people.upsert(Person(name="李四", consent_at=now))
        await uow.people.link(reporter.id, "telegram", "5550001")
        await uow.dialogs.put("telegram", "5550001", {"step": "photos"})
        closed = WorkOrder("WG-1", "H01", Urgency.NORMAL, reporter.id, "张秀兰反映垃圾", now,
                           address="锦江花园3号楼502室", lat=30.6543, lng=104.0654,
                           closed_at=now - timedelta(days=200))
        open_ = WorkOrder("WG-2", "H01", Urgency.NORMAL, reporter.id, "张秀兰反映路灯", now)
        await add_all(uow, [(closed, []), (open_, [])])
        await uow.orders.follow("WG-1", other.id)
        await uow.outbox.add_all([OutboxMessage("telegram", "5550001", {"text": "张秀兰"},
                                                person_id=reporter.id)])
        for update_id, external_id in (("u1", "5550001"), ("u2", "5550002")):
            await uow.dead_letters.failed("telegram", update_id, "text", "E")
            await uow.dead_letters.park("telegram", update_id, {
                "sender": {"channel": "telegram", "external_id": external_id,
                           "display_name": "张秀兰"}, "text": "我是张秀兰"})
        await uow.commit()
    assert reporter.id is not None and other.id is not None
    return reporter.id, other.id


async def _order(uow: UnitOfWork, code: str):
    table = WorkOrderRow.__table__
    async with uow:
        return (await uow.session.execute(select(table).where(table.c.code == code))).one()


async def test_erase_leaves_an_empty_stand_in_and_no_account(uow: UnitOfWork):
    reporter, _ = await _seed(uow)
    async with uow:
        reports = await uow.people.reports(reporter)
        await uow.people.rewrite_reports([r._replace(description="[姓名]反映") for r in reports])
        await uow.people.erase(reporter, "已注销用户", "erased")
        await uow.commit()
    async with uow:
        person = await uow.people.get(reporter)
        assert await uow.people.by_channel("telegram", "5550001") is None
        assert await uow.dialogs.get("telegram", "5550001") is None
        assert await uow.people.accounts(reporter) == []
        assert [letter.update_id for letter in await uow.dead_letters.parked()] == ["u2"]
        owed = (await uow.session.execute(select(OutboxRow.address, OutboxRow.payload,
                                                 OutboxRow.sent_at))).all()
    assert person is not None and (person.name, person.phone, person.nickname, person.kind,
                                   person.consent_at) == ("已注销用户", None, None, "erased", None)
    assert [(address, payload) for address, payload, _ in owed] == [("", {})]
    assert owed[0].sent_at is not None                     # never delivered to nobody
    order = await _order(uow, "WG-2")
    assert (order.reporter_id, order.description, order.version) == (reporter, "[姓名]反映", 2)


async def test_retention_claims_only_closed_orders_past_the_cutoff_once(uow: UnitOfWork):
    reporter, other = await _seed(uow)
    now = uow.clock.now()
    async with uow:
        assert await uow.people.reports_closed_before(now - timedelta(days=201), 10) == []
        [old] = await uow.people.reports_closed_before(now - timedelta(days=180), 10)
        assert old == Report("WG-1", reporter, "张秀兰反映垃圾", "锦江花园3号楼502室",
                             30.6543, 104.0654)
        await uow.people.rewrite_reports([old._replace(description="反映垃圾", address="锦江花园")],
                                         unlink=True)
        await uow.commit()
    async with uow:
        assert await uow.people.reports_closed_before(now - timedelta(days=180), 10) == []
        assert await uow.orders.followers("WG-1") == []
        assert await uow.people.names([reporter, other]) == {reporter: ["张秀兰", "兰兰"],
                                                              other: ["李四"]}
    order = await _order(uow, "WG-1")
    assert (order.reporter_id, order.description, order.address) == (None, "反映垃圾", "锦江花园")
    assert (await _order(uow, "WG-2")).reporter_id == reporter


async def test_delivered_messages_past_retention_are_emptied(uow: UnitOfWork):
    await _seed(uow)
    async with uow:
        ids = (await uow.session.execute(select(OutboxRow.id))).scalars().all()
        await uow.outbox.mark_all_sent(list(ids))
        await uow.commit()
    now = uow.clock.now()
    async with uow:
        assert await uow.people.forget_messages_before(now - timedelta(days=1)) == 0
        assert await uow.people.forget_messages_before(now + timedelta(seconds=1)) == 1
        await uow.commit()
    async with uow:
        rows = (await uow.session.execute(select(OutboxRow.payload, OutboxRow.person_id))).all()
    assert [tuple(row) for row in rows] == [({}, None)]
