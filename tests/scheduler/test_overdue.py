"""Overdue: 督办 to the handler and the unit above, escalation, the red list; two returns."""
from __future__ import annotations

from datetime import datetime, timedelta

from tests.scheduler.conftest import history, load, new_mail, on


async def test_an_overdue_order_is_supervised_and_escalated_once(services, talk, filed, sweeper):
    await talk.press("leader", f"sign:{filed}")
    leader, superior = [], []
    services.clock.at = on(3, 10, 0)                     # due Thursday 10:06
    await sweeper.sweep_all()
    assert await history(services, filed, "supervised") == []
    await new_mail(services, "leader", leader)
    await new_mail(services, "grid_leader", superior)

    services.clock.at = on(3, 10, 30)
    first = await sweeper.sweep_all()
    second = await sweeper.sweep_all()
    assert first.fired == {"overdue:supervise": 1} and second.acted == 0
    [notice] = await new_mail(services, "leader", leader)
    assert notice.text.startswith("🔴 督办") and "11-26 10:06" in notice.text
    assert "已上报锦江畔小区督办" in notice.text
    told = [m.text for m in await new_mail(services, "grid_leader", superior)]
    assert any(t.startswith("🔴 督办：锦江畔3号楼负责的工单 " + filed) for t in told)
    assert any(t.startswith("⬆️ 上报") and filed in t for t in told)
    order = await load(services, filed)
    assert order.unit_code == "JJ-01-01" and order.escalations == 1
    [supervised] = await history(services, filed, "supervised")
    assert datetime.fromisoformat(supervised.data["due"]) == on(3, 10, 6)


async def test_still_open_five_working_days_after_the_deadline_it_goes_on_the_red_list(
        services, talk, filed, sweeper):
    await talk.press("leader", f"sign:{filed}")
    services.clock.at = on(3, 10, 30)
    await sweeper.sweep_all()                           # 督办: overdue since Thursday 10:06
    listed_at = None
    while services.clock.at < on(11, 12, 0):             # a scheduler sweeping every 4 hours
        services.clock.advance(timedelta(hours=4))
        await sweeper.sweep_all()
        if listed_at is None and await history(services, filed, "red_listed"):
            listed_at = services.clock.now()
    # Fri, Mon, Tue, Wed, Thu are the five working days after the missed deadline.
    assert on(10, 10, 6) <= listed_at <= on(10, 14, 30)
    [red] = await history(services, filed, "red_listed")
    assert datetime.fromisoformat(red.data["overdue_since"]) == on(3, 10, 6)
    assert red.data["days"] == 5
    order = await load(services, filed)
    assert order.state.value == "dispatched" and order.unit_code == "JJ"   # up to the street
    assert len(await history(services, filed, "escalated")) == 3


async def test_the_second_return_sends_the_order_to_the_street_which_must_assign(
        services, talk, filed, sweeper):
    await talk.press("leader", f"return:{filed}")
    await talk.text("leader", "不是本楼的垃圾点")
    assert (await load(services, filed)).unit_code == "queue:JJ-01-01"   # the grid above
    await talk.press("grid_leader", f"to:{filed}:JJ-01-01-03")
    await talk.press("leader", f"return:{filed}")
    await talk.text("leader", "确实不归本楼管")
    order = await load(services, filed)
    assert order.returns == 2 and order.unit_code == "queue:JJ"           # 兜底: the street
    async with services.uow() as uow:
        dispatcher = await uow.people.by_staff_code("P0001")
    assert order.assignee_id == dispatcher.id

    services.clock.at = on(0, 16, 0)            # the street's queue has a clock: 派单 in time
    report = await sweeper.sweep_all()
    assert report.fired == {"sign:late": 1}
    [reminded] = await history(services, filed, "reminded")
    assert reminded.data["to"] == dispatcher.id
    assert (await sweeper.sweep_all()).acted == 0        # nothing above the street to climb to
