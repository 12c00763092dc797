"""The console's map and figures over the demo's three weeks of history, on SQLite and on
PostgreSQL, for each staff role: the map holds the list's own orders and no other grid's, and
every figure a person reads equals `domain.metrics` and `domain.settlement` replayed on the
events of the orders reported in that unit."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import build_chat
from domain import orders as domain_orders
from domain.metrics import compute_rates
from domain.settlement import settlement_by_unit, unit_levels
from handlers import console
from handlers.console_figures import TREND_WEEKS, Kept, figures_of, period_of, units_of
from handlers.work import Work
from storage.order_filter import OrderFilter
from storage.tables import WorkOrderRow
from tests.console.conftest import STAFF
from tests.handlers.conftest import district  # noqa: F401 — fixture
from web.console.map_page import OPEN, map_view
from web.demo_past import seed_past

RATES = ("timely_sign_rate", "on_time_rate", "resolution_rate", "overdue_rate",
         "satisfaction_rate", "solve_rate", "reopen_rate", "return_rate")
SETTLED = ("small_matters_rate", "big_matters_rate")


@pytest.fixture
async def past(district, tmp_path):  # noqa: F811
    """The sample district with the demo's past up to the district's clock (a Monday)."""
    deps = (await build_chat(district)).deps
    await seed_past(district.sessions, deps, district.clock.now(), tmp_path / "media")
    return district, deps


async def scope_of(work: Work, who: str) -> Any:
    person = await work.uow.people.by_staff_code(STAFF[who])
    return person, await console.scope_of(work, person.id)


async def every_order(work: Work) -> dict[str, Any]:
    rows = await work.uow.session.execute(select(WorkOrderRow))
    return {row.code: row for row in rows.scalars()}


async def test_each_map_holds_the_lists_open_orders_and_no_other_grids(past):
    services, deps = past
    async with services.uow() as uow:
        work = Work(uow, deps)
        tree = deps.router.tree
        everything = await every_order(work)
        open_codes = {c for c, o in everything.items() if o.state in {s.value for s in OPEN}}
        assert len({everything[c].grid_code for c in open_codes}) >= 3   # spread over grids
        for who in ("leader", "grid_leader", "community", "street", "other_leader",
                    "department"):
            person, scope = await scope_of(work, who)
            view = await map_view(work, scope, "4")
            listed = (await uow.order_list.page(scope, OrderFilter(states=OPEN), 1, 10_000)).orders
            assert {p.code for p in view.pins} == {o.code for o in listed
                                                    if o.lat is not None}, who
            roots = {g.code for g in tree if g.code in scope.grids}
            for pin in view.pins:
                order = everything[pin.code]
                assert order.grid_code in roots or order.assignee_id == person.id, (who, pin)
            assert {c.grid.code for c in view.cells} <= roots | {
                g.code for o in listed for g in tree.chain(o.grid_code or "JJ")}, who
            counted = sum(c.open for c in view.cells)
            assert counted == sum(1 for o in listed if o.grid_code), who
            since = work.now - timedelta(weeks=4)
            filed = [o for o in everything.values() if o.created_at >= since
                     and o.lat is not None and (o.grid_code in roots
                                                or o.assignee_id == person.id)]
            assert view.heat_orders == len(filed), who
            assert sum(n for _, _, n in view.heat) == len(filed), who
        _, other = await scope_of(work, "other_leader")
        mine = await map_view(work, other, "4")
        assert {c.grid.code for c in mine.cells} == {"JJ-02-01"}
        assert all(everything[p.code].grid_code.startswith("JJ-02-01") for p in mine.pins)
        assert any(not o.grid_code or not o.grid_code.startswith("JJ-02-01")
                   for o in everything.values() if o.code in open_codes)


def expected_figures(events, grid_of, tree, unit: str, start, end, now):
    """The unit's rates and settlement, replayed by the domain from the events alone."""
    mine = [e for e in events
            if (g := grid_of.get(e.order_code)) and g in tree and tree.is_above(unit, g)]
    rates = compute_rates(mine, start, end, now)
    settled = settlement_by_unit(mine, lambda code: "unit", unit_levels(tree), start, end, now)
    return rates, settled.get("unit")


def same(got_rates, got_settled, rates, settled) -> bool:
    return (all(getattr(got_rates, k) == getattr(rates, k) for k in RATES)
            and all(getattr(got_settled, k) == (getattr(settled, k) if settled else None)
                    for k in SETTLED))


@pytest.mark.parametrize("period", ["4w", "this_week"])
async def test_every_figure_equals_the_domains_replay_for_each_role(past, period):
    services, deps = past
    tree = deps.router.tree
    async with services.uow() as uow:
        work = Work(uow, deps)
        now = work.now
        events = await uow.events.between(now - timedelta(weeks=20), now + timedelta(days=1))
        grid_of = {code: row.grid_code for code, row in (await every_order(work)).items()}
        start, end = period_of(period, now)
        for who, root, shown in (("grid_leader", "JJ-01-01", 5), ("community", "JJ-01", 6),
                                 ("street", "JJ", 18), ("other_leader", "JJ-02-01", 3)):
            _, scope = await scope_of(work, who)
            figures = await figures_of(work, scope, period)
            assert (figures.start, figures.end) == (start, end)
            assert [u.code for u in figures.units] == [g.code for g, _ in units_of(tree,
                                                                                    scope.grids)]
            assert figures.units[0].code == root and len(figures.units) >= shown, who
            assert all(tree.is_above(root, u.code) for u in figures.units), who
            for unit in figures.units:
                rates, settled = expected_figures(events, grid_of, tree, unit.code, start, end,
                                                  now)
                assert same(unit.rates, unit.settled, rates, settled), (who, unit.code)
            assert len(figures.trend) == TREND_WEEKS
            for week in figures.trend:
                rates, settled = expected_figures(events, grid_of, tree, root, week.start,
                                                  week.start + timedelta(weeks=1), now)
                assert same(week.rates, week.settled, rates, settled), (who, week.start)
            ranked = {r.code for r in figures.ranked}
            assert ranked <= {u.code for u in figures.units}
            assert {r.code for r in figures.red} | {r.code for r in figures.black} <= ranked
        street = await figures_of(work, (await scope_of(work, "street"))[1], period)
        assert any(u.rates.due for u in street.units) and len(street.ranked) >= 4


async def test_the_red_list_holds_the_persons_own_red_listed_orders(past):
    services, deps = past
    async with services.uow() as uow:
        work = Work(uow, deps)
        everything = await every_order(work)
        waiting = sorted(c for c, o in everything.items() if o.state in {"dispatched",
                                                                          "accepted"})
        code = waiting[0]
        order = await uow.orders.get(code)
        await uow.publishing.record([domain_orders.remark(order, "red_listed", work.now)])
        await uow.commit()
    grid = everything[code].grid_code
    async with services.uow() as uow:
        work = Work(uow, deps)
        for who in ("street", "community", "other_leader"):
            _, scope = await scope_of(work, who)
            figures = await figures_of(work, scope, "last_week")
            sees = grid in scope.grids
            assert ([o.code for o in figures.red_listed] == [code]) is sees, who
            assert figures.red_listed or not sees


async def test_ended_weeks_are_read_once_and_give_the_same_figures(past):
    services, deps = past
    kept = Kept()
    async with services.uow() as uow:
        work = Work(uow, deps)
        _, scope = await scope_of(work, "street")
        fresh = await figures_of(work, scope, "this_week")
        first = await figures_of(work, scope, "this_week", kept)
        again = await figures_of(work, scope, "this_week", kept)
    assert fresh == first == again
    monday = period_of("this_week", work.now)[0]
    assert set(kept.found) == {(monday - timedelta(weeks=n), monday - timedelta(weeks=n - 1))
                               for n in range(1, TREND_WEEKS + 1)}   # not the running week
