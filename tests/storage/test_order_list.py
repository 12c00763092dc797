"""The console's list statement on SQLite and PostgreSQL: scope, every filter, sort and pages."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from domain.calendar import SHANGHAI
from domain.orders import State, Urgency
from storage.order_filter import SORT_KEYS, OrderFilter, OrderScope
from storage.repositories import order_list
from storage.tables import PersonRow, WorkOrderRow
from storage.uow import UnitOfWork


def _code(filed: datetime, number: str) -> str:
    """The code an order filed then gets (it names the Shanghai day it was filed)."""
    return f"WG-{filed.astimezone(SHANGHAI):%Y%m%d}-{number}"


async def _seed(uow: UnitOfWork) -> int:
    now = uow.clock.now()
    day = timedelta(days=1)
    async with uow:
        person = (await uow.session.execute(PersonRow.__table__.insert().values(
            name="handler", created_at=now).returning(PersonRow.id))).scalar_one()

        def row(number: str, state: State, created, due, grid="G1", unit=None, assignee=None,
                resolved=None, text="垃圾", urgency=Urgency.NORMAL, category="H01"):
            return {"code": _code(now - created, number), "category": category, "urgency": urgency.value,
                    "reporter_id": None, "description": text, "created_at": now - created,
                    "state": state.value, "grid_code": grid, "unit_code": unit or grid,
                    "assignee_id": assignee, "resolve_due": now + due,
                    "resolved_at": now - resolved if resolved else None, "version": 1}
        await uow.session.execute(WorkOrderRow.__table__.insert(), [
            row("0001", State.DISPATCHED, 1 * day, 3 * day),            # green
            row("0002", State.ACCEPTED, 9 * day, 1 * day, text="100%_井盖"),  # yellow
            row("0003", State.ACCEPTED, 5 * day, -1 * day,
                urgency=Urgency.URGENT, category="S01"),                             # red
            row("0004", State.DISPATCHED, 1 * day, 3 * day, grid="G2"),  # elsewhere
            row("0005", State.SUBMITTED, 1 * day, 3 * day, grid=None,
                unit="queue:G1"),                                                    # queued
            row("0006", State.ACCEPTED, 2 * day, 3 * day, grid="G3",
                assignee=person),                                                    # held by me
            row("0007", State.CLOSED, 20 * day, -10 * day,
                resolved=5 * day),                                                   # late
        ])
        await uow.commit()
    return person


async def _codes(uow: UnitOfWork, scope: OrderScope, wanted: OrderFilter, page: int = 1,
                 size: int = 50) -> list[str]:
    async with uow:
        found = await uow.order_list.page(scope, wanted, page, size)
    return [o.code[-4:] for o in found.orders]


async def test_the_scope_and_each_filter(uow: UnitOfWork):
    me = await _seed(uow)
    scope = OrderScope(frozenset({"G1"}), me)
    wanted = OrderFilter(sort="code", descending=False)
    # Codes sort by the day filed first: 0007 was filed 20 days ago, 0001 and 0005 yesterday.
    assert await _codes(uow, scope, wanted) == ["0007", "0002", "0003", "0006", "0001", "0005"]
    assert await _codes(uow, OrderScope(), wanted) == []
    cases = {
        "states": (replace(wanted, states=(State.ACCEPTED,)), ["0002", "0003", "0006"]),
        "grids": (replace(wanted, grids=frozenset({"G3"})), ["0006"]),
        "categories": (replace(wanted, categories=frozenset({"S01"})), ["0003"]),
        "urgency": (replace(wanted, urgency=Urgency.URGENT), ["0003"]),
        "green": (replace(wanted, light="green"), ["0006", "0001", "0005"]),
        "yellow": (replace(wanted, light="yellow"), ["0002"]),
        "red": (replace(wanted, light="red"), ["0003"]),
        "overdue": (replace(wanted, overdue=True), ["0007", "0003"]),
        "text with wildcards": (replace(wanted, text="100%_"), ["0002"]),
        "a literal %%": (replace(wanted, text="%%"), []),
    }
    now = uow.clock.now()
    cases["code prefix"] = (replace(wanted, code=_code(now - timedelta(days=1), "")[:11]
                                    .lower()), ["0001", "0005"])
    cases["since"] = (replace(wanted, since=now - timedelta(days=1, hours=1)),
                      ["0001", "0005"])
    cases["until"] = (replace(wanted, until=now - timedelta(days=6)), ["0007", "0002"])
    for name, (narrowed, expected) in cases.items():
        assert await _codes(uow, scope, narrowed) == expected, name


async def test_pages_follow_the_sort_without_overlap(uow: UnitOfWork):
    me = await _seed(uow)
    scope = OrderScope(frozenset({"G1", "G2"}), me)
    wanted = OrderFilter(sort="resolve_due", descending=False)
    pages = [await _codes(uow, scope, wanted, n, 3) for n in (1, 2, 3)]
    # 0006 shares its deadline with 0001, 0004 and 0005 but was filed a day earlier.
    assert pages == [["0007", "0003", "0002"], ["0006", "0001", "0004"], ["0005"]]
    async with uow:
        more = (await uow.order_list.page(scope, wanted, 2, 3)).later
    assert more


async def _walk(uow: UnitOfWork, scope: OrderScope, wanted: OrderFilter, size: int
                ) -> tuple[list[list[str]], list[list[str]], int]:
    """Every page forwards by `after`, then backwards again by `before` from the last one."""
    forwards, after = [], None
    async with uow:
        while True:
            found = await uow.order_list.page(scope, wanted, size=size, after=after)
            forwards.append([o.code[-4:] for o in found.orders])
            total = found.total
            if not found.later:
                break
            after = found.orders[-1].code
        backwards, before = [forwards[-1]], found.orders[0].code
        while True:
            found = await uow.order_list.page(scope, wanted, size=size, before=before)
            backwards.insert(0, [o.code[-4:] for o in found.orders])
            if not found.earlier:
                break
            before = found.orders[0].code
    return forwards, backwards, total


@pytest.mark.parametrize("most", [10_000, 2])
async def test_pages_by_key_match_pages_by_number_in_every_sort(uow: UnitOfWork, most: int,
                                                                monkeypatch):
    """Gathered whole (a short list) or walked in the sort's order (a long one): the same pages,
    forwards and backwards, an order without a deadline sorting as the latest deadline."""
    monkeypatch.setattr(order_list, "MOST_ROWS", most)
    monkeypatch.setattr(order_list, "SQLITE_MOST_ROWS", most)
    me = await _seed(uow)
    async with uow:
        await uow.session.execute(update(WorkOrderRow).where(
            WorkOrderRow.code.like("%-0005") | WorkOrderRow.code.like("%-0001")).values(
                resolve_due=None))
        await uow.commit()
    scope = OrderScope(frozenset({"G1", "G2"}), me)
    for sort in SORT_KEYS:
        for descending in (True, False):
            wanted = OrderFilter(sort=sort, descending=descending)  # type: ignore[arg-type]
            everything = await _codes(uow, scope, wanted, 1, 50)
            by_number = [everything[i:i + 3] for i in range(0, len(everything), 3)]
            forwards, backwards, total = await _walk(uow, scope, wanted, 3)
            assert forwards == backwards == by_number, (sort, descending)
            assert len(everything) == 7
            assert total == min(7, most + 1)      # counted no further than its cap
    nulls_last = await _codes(uow, scope, OrderFilter(sort="resolve_due", descending=False))
    assert nulls_last[-2:] == ["0001", "0005"]


async def test_the_count_stops_past_its_cap(uow: UnitOfWork):
    me = await _seed(uow)
    scope = OrderScope(frozenset({"G1"}), me)
    async with uow:
        assert await uow.order_list.count(scope, OrderFilter()) == 6
        assert await uow.order_list.count(scope, OrderFilter(), most=4) == 5
        assert await uow.order_list.count(scope, OrderFilter(states=(State.SUBMITTED,))) == 1


@pytest.mark.parametrize("most", [10_000, 1])
async def test_a_code_prefix_finds_the_orders_filed_on_the_days_it_names(
        uow: UnitOfWork, most: int, monkeypatch):
    """A code names the Shanghai day its order was filed: the prefix of a day, a month or any
    beginning finds exactly the orders whose codes begin so, gathered (a short list) or walked
    along the time filed (a long one), an order filed at 00:00 Shanghai (16:00 UTC) included."""
    monkeypatch.setattr(order_list, "MOST_ROWS", most)
    monkeypatch.setattr(order_list, "SQLITE_MOST_ROWS", most)
    midnight = datetime(2026, 11, 20, tzinfo=SHANGHAI)
    second = timedelta(seconds=1)
    filed = {"0001": midnight - second, "0002": midnight, "0003": midnight + 86400 * second - second,
             "0004": midnight + 86400 * second, "0005": datetime(2026, 12, 1, tzinfo=SHANGHAI)}
    async with uow:
        await uow.session.execute(WorkOrderRow.__table__.insert(), [
            {"code": _code(at, number), "category": "H01", "urgency": Urgency.NORMAL.value,
             "description": "垃圾", "created_at": at, "state": State.CLOSED.value,
             "grid_code": "G1", "unit_code": "G1", "version": 1}
            for number, at in filed.items()])
        await uow.commit()
    scope = OrderScope(frozenset({"G1"}))
    for prefix, expected in {"WG-20261120": ["0003", "0002"], "wg-20261119-00": ["0001"],
                             "WG-202611": ["0004", "0003", "0002", "0001"],
                             "WG-2026112": ["0004", "0003", "0002"],      # no day of its own
                             "WG-2026": ["0005", "0004", "0003", "0002", "0001"],
                             "WG-20261120-": ["0003", "0002"], "WG-202611-": [],
                             "WG-20261301": []}.items():
        for sort in ("created_at", "code"):
            wanted = OrderFilter(code=prefix, sort=sort)  # type: ignore[arg-type]
            assert await _codes(uow, scope, wanted) == expected, (prefix, sort)
