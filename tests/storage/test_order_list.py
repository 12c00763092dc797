"""The console's list statement on SQLite and PostgreSQL: scope, every filter, sort and pages."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.orders import State, Urgency
from storage.order_filter import OrderFilter, OrderScope
from storage.tables import PersonRow, WorkOrderRow
from storage.uow import UnitOfWork


async def _seed(uow: UnitOfWork) -> int:
    now = uow.clock.now()
    day = timedelta(days=1)
    async with uow:
        person = (await uow.session.execute(PersonRow.__table__.insert().values(
            name="handler", created_at=now).returning(PersonRow.id))).scalar_one()

        def row(code: str, state: State, created, due, grid="G1", unit=None, assignee=None,
                resolved=None, text="垃圾", urgency=Urgency.NORMAL, category="H01"):
            return {"code": code, "category": category, "urgency": urgency.value,
                    "reporter_id": None, "description": text, "created_at": now - created,
                    "state": state.value, "grid_code": grid, "unit_code": unit or grid,
                    "assignee_id": assignee, "resolve_due": now + due,
                    "resolved_at": now - resolved if resolved else None, "version": 1}
        await uow.session.execute(WorkOrderRow.__table__.insert(), [
            row("WG-20261101-0001", State.DISPATCHED, 1 * day, 3 * day),            # green
            row("WG-20261101-0002", State.ACCEPTED, 9 * day, 1 * day, text="100%_井盖"),  # yellow
            row("WG-20261102-0003", State.ACCEPTED, 5 * day, -1 * day,
                urgency=Urgency.URGENT, category="S01"),                             # red
            row("WG-20261102-0004", State.DISPATCHED, 1 * day, 3 * day, grid="G2"),  # elsewhere
            row("WG-20261102-0005", State.SUBMITTED, 1 * day, 3 * day, grid=None,
                unit="queue:G1"),                                                    # queued
            row("WG-20261103-0006", State.ACCEPTED, 2 * day, 3 * day, grid="G3",
                assignee=person),                                                    # held by me
            row("WG-20261103-0007", State.CLOSED, 20 * day, -10 * day,
                resolved=5 * day),                                                   # late
        ])
        await uow.commit()
    return person


async def _codes(uow: UnitOfWork, scope: OrderScope, wanted: OrderFilter, page: int = 1,
                 size: int = 50) -> list[str]:
    async with uow:
        found, _ = await uow.order_list.page(scope, wanted, page, size)
    return [o.code[-4:] for o in found]


async def test_the_scope_and_each_filter(uow: UnitOfWork):
    me = await _seed(uow)
    scope = OrderScope(frozenset({"G1"}), me)
    wanted = OrderFilter(sort="code", descending=False)
    assert await _codes(uow, scope, wanted) == ["0001", "0002", "0003", "0005", "0006", "0007"]
    assert await _codes(uow, OrderScope(), wanted) == []
    cases = {
        "states": (replace(wanted, states=(State.ACCEPTED,)), ["0002", "0003", "0006"]),
        "grids": (replace(wanted, grids=frozenset({"G3"})), ["0006"]),
        "categories": (replace(wanted, categories=frozenset({"S01"})), ["0003"]),
        "urgency": (replace(wanted, urgency=Urgency.URGENT), ["0003"]),
        "green": (replace(wanted, light="green"), ["0001", "0005", "0006"]),
        "yellow": (replace(wanted, light="yellow"), ["0002"]),
        "red": (replace(wanted, light="red"), ["0003"]),
        "overdue": (replace(wanted, overdue=True), ["0003", "0007"]),
        "text with wildcards": (replace(wanted, text="100%_"), ["0002"]),
        "a literal %%": (replace(wanted, text="%%"), []),
        "code prefix": (replace(wanted, code="wg-20261102"), ["0003", "0005"]),
    }
    now = uow.clock.now()
    cases["since"] = (replace(wanted, since=now - timedelta(days=1, hours=1)),
                      ["0001", "0005"])
    cases["until"] = (replace(wanted, until=now - timedelta(days=6)), ["0002", "0007"])
    for name, (narrowed, expected) in cases.items():
        assert await _codes(uow, scope, narrowed) == expected, name


async def test_pages_follow_the_sort_without_overlap(uow: UnitOfWork):
    me = await _seed(uow)
    scope = OrderScope(frozenset({"G1", "G2"}), me)
    wanted = OrderFilter(sort="resolve_due", descending=False)
    pages = [await _codes(uow, scope, wanted, n, 3) for n in (1, 2, 3)]
    assert pages == [["0007", "0003", "0002"], ["0001", "0004", "0005"], ["0006"]]
    async with uow:
        _, more = await uow.order_list.page(scope, wanted, 2, 3)
    assert more
