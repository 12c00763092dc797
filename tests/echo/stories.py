"""Random order histories written by the real domain actions: what figures are checked against."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from domain import orders
from domain.orders import Due, Event, Satisfaction, State, Urgency, WorkOrder
from storage.repositories.orders import order_values
from storage.tables import OrderFollowerRow, WorkOrderRow

HANDLER, DISPATCHER = 1, 2
URGENCIES = (Urgency.NORMAL, Urgency.NORMAL, Urgency.URGENT, Urgency.EMERGENCY, Urgency.COMPLEX)


def _due(rng: random.Random, at: datetime) -> Due:
    sign = None if rng.random() < 0.1 else at + timedelta(minutes=rng.randint(20, 240))
    resolve = None if rng.random() < 0.1 else at + timedelta(hours=rng.randint(6, 120))
    return Due(sign, resolve)


def random_order(rng: random.Random, code: str, grid: str, reporter: int, born: datetime,
                 category: str = "H01", followers: tuple[int, ...] = ()
                 ) -> tuple[WorkOrder, list[Event]]:
    """One order from birth to wherever chance stops it; times only ever move forward."""
    order = WorkOrder(code, category, rng.choice(URGENCIES), reporter, "楼下垃圾没人清运", born,
                      grid_code=grid, unit_code=grid)
    events = [orders.submit(order)]
    at = born

    def later(hours: float) -> datetime:
        nonlocal at
        at = at + timedelta(minutes=rng.randint(1, max(1, int(hours * 60))))
        return at

    roll = rng.random()
    if roll < 0.04:
        return order, events                                   # waits in the queue
    if roll < 0.08:
        events.append(orders.mark_invalid(order, DISPATCHER, "不属实", later(3),
                                          rng.choice(("false", "out_of_scope"))))
        return order, events
    if roll < 0.1:
        events.append(orders.merge(order, "WG-20260101-0001", DISPATCHER, later(3)))
        return order, events
    events.append(orders.dispatch(order, grid, HANDLER, _due(rng, at), later(1), DISPATCHER))
    for follower in followers:
        if not order.state.is_final and rng.random() < 0.7:
            events.append(orders.remark(order, "followed", later(10), follower))
    for _ in range(12):
        step = rng.random()
        if order.state is State.DISPATCHED:
            if step < 0.6:
                events.append(orders.sign_for(order, HANDLER, later(rng.choice((1, 3, 8)))))
            elif step < 0.72:
                events.append(orders.return_order(order, HANDLER, "非本网格", grid, HANDLER,
                                                  later(2)))
            elif step < 0.82:
                events.append(orders.dispatch(order, grid, HANDLER, _due(rng, at), later(4),
                                              DISPATCHER, "重新派单"))
            elif step < 0.9:
                events.append(orders.escalate(order, grid, HANDLER, _due(rng, at), later(6)))
            elif step < 0.95:
                events.append(orders.mark_invalid(order, DISPATCHER, "重复", later(5)))
            else:
                break                                            # nobody ever signs
        elif order.state is State.ACCEPTED:
            if step < 0.55:
                took = later(rng.choice((6, 48, 150)))
                events.append(orders.resolve(order, HANDLER, "已处理", took))
            elif step < 0.65:
                new_due = at + timedelta(days=rng.randint(1, 6))
                events.append(orders.extend(order, DISPATCHER, new_due, "需协调", later(12)))
            elif step < 0.72:
                events.append(orders.escalate(order, grid, HANDLER, _due(rng, at), later(12)))
            elif step < 0.8:
                events.append(orders.remark(order, "red_listed", later(24)))
            else:
                break                                            # stuck, open
        elif order.state is State.RESOLVED:
            if step < 0.55:
                level = rng.choice((Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED,
                                    Satisfaction.BASICALLY_SATISFIED))
                events.append(orders.rate(order, reporter, rng.random() < 0.8, level, later(20)))
            elif step < 0.75:
                new_due = None if rng.random() < 0.3 else at + timedelta(days=rng.randint(1, 4))
                events.append(orders.reopen(order, reporter, False, Satisfaction.UNSATISFIED,
                                            "没解决", new_due, later(20)))
            elif step < 0.92:
                events.append(orders.close_unrated(order, later(72)))
            else:
                break                                            # still waiting for a rating
        else:
            break
    if order.state is State.CLOSED and rng.random() < 0.3:
        events.append(orders.remark(order, "published", later(1), data={"community": "X"}))
    return order, events


async def add_all(uow, made: list[tuple[WorkOrder, list[Event]]]) -> None:
    """Orders and their events in two statements: the ORM would insert rows one by one."""
    await uow.session.execute(WorkOrderRow.__table__.insert(),
                              [{**order_values(order), "version": 1} for order, _ in made])
    await uow.publishing.record([event for _, events in made for event in events])
    followers: dict[tuple[str, int], datetime] = {}
    for _, events in made:
        for e in events:
            if e.kind == "followed" and e.actor_id is not None:
                followers.setdefault((e.order_code, e.actor_id), e.at)
    if followers:   # what `OrderRepository.follow` writes with each first "followed" event
        await uow.session.execute(OrderFollowerRow.__table__.insert(), [
            {"order_code": code, "person_id": person, "since": at}
            for (code, person), at in followers.items()])
