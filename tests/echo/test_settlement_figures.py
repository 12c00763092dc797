"""小事不出网格率 and 大事不出社区率 in SQL equal `domain.settlement` on every grid."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from domain import orders
from domain.calendar import SHANGHAI
from domain.grids import Grid, GridTree, Level
from domain.orders import Due, Satisfaction, State, Urgency, WorkOrder
from domain.settlement import settlement_by_unit, unit_levels
from storage.records import Person
from tests.echo.stories import add_all

WEEK_START = datetime(2026, 11, 16, tzinfo=SHANGHAI)
WEEK_END = WEEK_START + timedelta(days=7)
TREE = GridTree([
    Grid("CH", "成华区", Level.COUNTY),
    Grid("JJ", "锦江街道", Level.STREET, "CH"),
    Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
    Grid("JJ-02", "锦华社区", Level.COMMUNITY, "JJ"),
    Grid("JJ-01-01", "第一网格", Level.GRID, "JJ-01"),
    Grid("JJ-02-01", "第二网格", Level.GRID, "JJ-02"),
    Grid("JJ-01-01-01", "一号微网格", Level.MICRO_GRID, "JJ-01-01"),
])
LANDINGS = ("JJ-01-01-01", "JJ-01-01", "JJ-02-01", "JJ-01", None)
DEPARTMENT = "城管执法中队"
HANDLER, DISPATCHER = 1, 2     # the first two people the test stores


def _units_above(code: str) -> list[str]:
    chain = [g.code for g in TREE.chain(code)]
    return chain[1:] + [f"queue:{c}" for c in chain if TREE.get(c).level.rank <= 1] + [DEPARTMENT]


def ladder_order(rng: random.Random, code: str, landing: str | None, reporter: int,
                 born: datetime) -> tuple[WorkOrder, list[orders.Event]]:
    """An order that may climb, be sent back down, go to a queue or a department, and close."""
    start = landing or "JJ-01-01-01"
    order = WorkOrder(code, "H01", rng.choice(list(Urgency)), reporter, "井盖松动", born,
                      grid_code=landing, unit_code=start)
    events, at = [orders.submit(order)], born

    def later() -> datetime:
        nonlocal at
        at += timedelta(minutes=rng.randint(10, 60 * 30))
        return at

    unit = rng.choice([start, f"queue:{TREE.ancestor_at(start, Level.COMMUNITY).code}"])
    events.append(orders.dispatch(order, unit, HANDLER, Due(None, None), later(), DISPATCHER))
    for _ in range(10):
        step = rng.random()
        if order.state is State.DISPATCHED:
            if step < 0.5:
                events.append(orders.sign_for(order, HANDLER, later()))
            elif step < 0.65:
                up = rng.choice(_units_above(start))
                events.append(orders.escalate(order, up, HANDLER, Due(None, None), later()))
            elif step < 0.8:
                events.append(orders.return_order(order, HANDLER, "非本网格", rng.choice(
                    ("queue:JJ-01", "queue:JJ", DEPARTMENT)), HANDLER, later()))
            else:
                events.append(orders.dispatch(order, rng.choice((start, "JJ-01-01", DEPARTMENT)),
                                              HANDLER, Due(None, None), later(), DISPATCHER,
                                              "重新派单"))
        elif order.state is State.ACCEPTED:
            if step < 0.8:
                events.append(orders.resolve(order, HANDLER, "已处理", later()))
            else:
                events.append(orders.escalate(order, rng.choice(_units_above(start)), HANDLER,
                                              Due(None, None), later()))
        elif order.state is State.RESOLVED:
            if step < 0.6:
                events.append(orders.rate(order, reporter, True, Satisfaction.SATISFIED, later()))
            elif step < 0.8:
                events.append(orders.close_unrated(order, later()))
            else:
                events.append(orders.reopen(order, reporter, False, Satisfaction.UNSATISFIED,
                                            "没修好", None, later()))
        else:
            break
    return order, events


@pytest.mark.parametrize("now", [WEEK_END + timedelta(hours=9), WEEK_START + timedelta(days=3)])
async def test_sql_settlement_equals_the_domain_grid_by_grid(uow, now):
    rng = random.Random(20)
    async with uow:
        await uow.grids.upsert(list(TREE))
        # The handler and the dispatcher the histories name, then the reporter.
        for name in ("网格长", "派单员"):
            await uow.people.upsert(Person(name=name, kind="staff"))
        reporter = (await uow.people.upsert(Person(name="居民", kind="resident"))).id
        made = [ladder_order(rng, f"WG-S-{i:05d}", rng.choice(LANDINGS), reporter,
                             WEEK_START + timedelta(hours=rng.uniform(-8 * 24, 6 * 24)))
                for i in range(300)]
        await add_all(uow, made)
        await uow.commit()
    events = [e for _, evs in made for e in evs]
    grid_of = {order.code: order.grid_code or "-" for order, _ in made}
    expected = settlement_by_unit(events, grid_of.get, unit_levels(TREE), WEEK_START, WEEK_END,
                                  now)
    async with uow:
        got = await uow.publishing.settlement(WEEK_START, WEEK_END, now)
    assert {grid or "-": s for grid, s in got.items()} == expected
    total = sum(expected.values(), start=type(next(iter(expected.values())))())
    # Every branch of the rule is exercised: some settled in the grid, some only in the
    # community, some above it.
    assert 0 < total.in_grid < total.in_community < total.closed
