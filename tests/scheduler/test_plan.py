"""Planning an order's clocks, and sweeps that survive one broken order."""
from __future__ import annotations

from datetime import timedelta

from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy
from domain.orders import State, Urgency, WorkOrder
from handlers import clocks
from handlers.use_cases import Draft, file_order
from handlers.work import Work
from scheduler.plan import History, plan
from scheduler.settings import ClockSettings
from tests.scheduler.conftest import history, new_mail, on

CALENDAR, POLICY, SETTINGS = WorkingCalendar(), DeadlinePolicy.default(), ClockSettings()


def _accepted(resolve_due) -> WorkOrder:
    return WorkOrder("WG-20261123-0001", "H01", Urgency.NORMAL, 1, "垃圾", on(0, 10),
                     state=State.ACCEPTED, unit_code="JJ-01-01-03", assignee_id=2,
                     sign_due=on(0, 12), resolve_due=resolve_due)


def _steps(stages) -> list[str]:
    return [f"{s.clock}:{s.step}" for s in stages]


def test_resolve_reminders_fall_on_working_time_and_overdue_on_the_deadline():
    stages = plan(_accepted(on(3, 10)), History(on(0, 10), on(0, 10), on(0, 10)), CALENDAR,
                  POLICY, SETTINGS, can_escalate=True)
    assert _steps(stages) == ["resolve:0.5", "resolve:0.8", "overdue:supervise"]
    # 22.5 working hours from Monday 10:00: half is Tuesday 15:15, 80 % Wednesday 14:30.
    assert [s.at for s in stages] == [on(1, 15, 15), on(2, 14, 30), on(3, 10)]


def test_an_extension_does_not_remind_of_a_share_already_past_when_it_was_approved():
    extended = _accepted(on(9, 10))           # approved on Friday: 7 working days from Monday
    stages = plan(extended, History(on(0, 10), on(0, 10), resolve_set=on(4, 9)), CALENDAR,
                  POLICY, SETTINGS, can_escalate=True)
    assert _steps(stages) == ["resolve:0.8", "overdue:supervise"]   # half was Thursday 15:15
    assert stages[0].at == on(7, 16, 0)


def test_a_reminder_acted_on_is_not_planned_again_nor_the_one_it_covered():
    order = _accepted(on(3, 10))
    first = plan(order, History(on(0, 10), on(0, 10), on(0, 10)), CALENDAR, POLICY, SETTINGS,
                 can_escalate=True)
    fired = History(on(0, 10), on(0, 10), on(0, 10), fired=frozenset({first[1].key}))
    assert _steps(plan(order, fired, CALENDAR, POLICY, SETTINGS, True)) == ["overdue:supervise"]


def test_without_a_level_above_an_unsigned_order_is_reminded_but_not_escalated():
    order = _accepted(on(3, 10))
    order.state = State.DISPATCHED
    top = plan(order, History(on(0, 10)), CALENDAR, POLICY, SETTINGS, can_escalate=False)
    assert "sign:escalate" not in _steps(top) and "sign:late" in _steps(top)
    below = plan(order, History(on(0, 10)), CALENDAR, POLICY, SETTINGS, can_escalate=True)
    assert [s.at for s in below if s.step == "escalate"] == [on(0, 15, 30)]   # lunch paused it


async def test_one_order_that_fails_does_not_stop_the_others_and_is_tried_again(
        services, talk, sweeper, monkeypatch):
    async with services.uow() as uow:
        work = Work(uow, talk.chat.deps)
        broken, fine = [(await file_order(work, None, Draft("H01", "垃圾", grid="JJ-01-01-03"))).code
                        for _ in range(2)]
        await work.flush()
        await uow.commit()
    remind = clocks._remind_handler

    async def failing(work, order, stage):
        await remind(work, order, stage)
        if order.code == broken:       # after its event and notice: both must be undone
            raise RuntimeError("the database hiccuped")

    monkeypatch.setattr(clocks, "_remind_handler", failing)
    services.clock.advance(timedelta(hours=1, minutes=5))
    report = await sweeper.sweep_all()
    assert report.failed == 1 and report.fired == {"sign:0.5": 1}
    assert len(await history(services, fine, "reminded")) == 1
    assert await history(services, broken, "reminded") == []
    told = [m.text for m in await new_mail(services, "leader", []) if "已过 50%" in m.text]
    assert len(told) == 1 and fine in told[0]

    monkeypatch.setattr(clocks, "_remind_handler", remind)
    services.clock.advance(timedelta(minutes=5))
    assert (await sweeper.sweep_all()).acted == 0             # put off, not hammered
    services.clock.advance(timedelta(minutes=6))
    assert (await sweeper.sweep_all()).fired == {"sign:0.5": 1}
    assert len(await history(services, broken, "reminded")) == 1


def test_a_queued_order_is_clocked_from_when_it_entered_the_queue():
    queued = WorkOrder("WG-20261123-0002", "H01", Urgency.NORMAL, 1, "垃圾", on(0, 10),
                       unit_code="queue:JJ-01", assignee_id=2)     # filed before queues had clocks
    stages = plan(queued, History(queued_since=on(0, 10)), CALENDAR, POLICY, SETTINGS,
                  can_escalate=True)
    assert _steps(stages) == ["sign:0.5", "sign:0.8", "sign:late", "sign:escalate"]
    assert stages[2].at == on(0, 12)                              # 2 working hours: 派单 by then
    returned = WorkOrder("WG-20261123-0003", "H01", Urgency.NORMAL, 1, "垃圾", on(0, 9),
                         state=State.DISPATCHED, unit_code="queue:JJ-01-01", assignee_id=2,
                         sign_due=on(1, 11))
    stages = plan(returned, History(sign_start=on(0, 9), queued_since=on(1, 9)), CALENDAR,
                  POLICY, SETTINGS, can_escalate=False)
    assert _steps(stages) == ["sign:0.5", "sign:0.8", "sign:late"]
    assert stages[0].at == on(1, 10)                               # half-way from the return
