"""Fixtures for the ledger tests: the sample district on SQLite and PostgreSQL, with orders."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain import orders
from domain.orders import Due, Satisfaction, Urgency, WorkOrder
from storage.records import Person
from tests.handlers.conftest import MONDAY_10, district  # noqa: F401

REPORTER = "张秀兰"
PHONE = "13812345678"
TYPED_ADDRESS = "锦江畔3号楼2单元501室"


async def _file(uow, code, category, urgency, reporter, description, grid, born):
    order = WorkOrder(code, category, urgency, reporter, description, born, grid_code=grid,
                      unit_code=grid, address=TYPED_ADDRESS, lat=39.86, lng=124.14)
    await uow.orders.add(order)
    await uow.events.add(orders.submit(order))
    return order


async def _record(uow, order, *events):
    await uow.events.add_all(list(events))
    await uow.orders.save(order)


@pytest.fixture
async def books(district):  # noqa: F811
    """Four orders in the week from Monday 10:00, one the week before, by a resident whose
    name, phone and typed address must never reach the ledger."""
    at = MONDAY_10
    async with district.uow() as uow:
        leader = (await uow.people.by_staff_code("P0021")).id
        street = (await uow.people.by_staff_code("P0001")).id
        resident = (await uow.people.upsert(Person(name=REPORTER, phone=PHONE, kind="resident"))).id
        await uow.people.link(resident, "wechat", "o_resident")
        rider = (await uow.people.upsert(Person(name="骑手老王", kind="rider"))).id
        await uow.people.link(rider, "telegram", "42")
        due = Due(at + timedelta(hours=2), at + timedelta(days=3))

        closed = await _file(uow, "WG-20261123-0001", "H01", Urgency.NORMAL, resident,
                             f"{REPORTER}家门口垃圾没人清运，电话{PHONE}，{TYPED_ADDRESS}",
                             "JJ-01-01-03", at)
        await _record(uow, closed,
                      orders.dispatch(closed, "JJ-01-01-03", leader, due, at, street),
                      orders.sign_for(closed, leader, at + timedelta(minutes=30)),
                      orders.resolve(closed, leader, "已清运", at + timedelta(hours=5)),
                      orders.rate(closed, resident, True, Satisfaction.SATISFIED,
                                  at + timedelta(hours=6)))
        private = await _file(uow, "WG-20261123-0002", "M01", Urgency.COMPLEX, resident,
                              "隔壁老李天天吵架，秘密线索", "JJ-01-01-03", at + timedelta(hours=1))
        await _record(uow, private,
                      orders.dispatch(private, "JJ-01-01-03", leader, due,
                                      at + timedelta(hours=1, minutes=5), street),
                      orders.return_order(private, leader, "非本网格", "queue:JJ-01", street,
                                          at + timedelta(hours=2)))
        late = await _file(uow, "WG-20261124-0001", "H02", Urgency.NORMAL, rider,
                           "=HYPERLINK(\"http://x\",\"点我\")", "JJ-01-01", at + timedelta(days=1))
        await _record(uow, late,
                      orders.dispatch(late, "JJ-01-01", leader, Due(None, at),
                                      at + timedelta(days=1, minutes=5), street),
                      orders.escalate(late, "JJ-01", street, due, at + timedelta(days=1, hours=1),
                                      None, "超时未签收"))
        await _file(uow, "WG-20261125-0001", "J02", Urgency.NORMAL, None, "路口乱停车",
                    "JJ-02-01", at + timedelta(days=2))
        await _file(uow, "WG-20261116-0001", "H01", Urgency.NORMAL, resident, "上周的",
                    "JJ-01-01-03", at - timedelta(days=7))
        await uow.commit()
    return district
