"""The rating window: a reminder after 24 h, closed unrated after 3 days; 重办 restarts the clock."""
from __future__ import annotations

from datetime import timedelta

from tests.scenarios import labels
from tests.scheduler.conftest import history, load, new_mail, on


async def _resolved(talk, code: str) -> None:
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"resolve:{code}")
    await talk.text("leader", "已清运完毕")
    await talk.press("leader", f"finish:{code}")


async def test_an_unrated_order_is_reminded_after_a_day_and_closed_after_three(
        services, talk, filed, sweeper):
    await _resolved(talk, filed)
    resolved_at = (await load(services, filed)).resolved_at
    seen: list = []
    await new_mail(services, "resident", seen)

    services.clock.at = resolved_at + timedelta(hours=23, minutes=59)
    await sweeper.sweep_all()
    assert await new_mail(services, "resident", seen) == []
    services.clock.at = resolved_at + timedelta(hours=24, minutes=1)
    await sweeper.sweep_all()
    await sweeper.sweep_all()
    [reminder] = await new_mail(services, "resident", seen)
    assert filed in reminder.text and "已清运完毕" in reminder.text and "评价" in reminder.text
    assert labels(reminder) == ["已解决", "未解决"]

    services.clock.at = resolved_at + timedelta(days=3) - timedelta(minutes=1)
    await sweeper.sweep_all()
    assert (await load(services, filed)).state.value == "resolved"
    services.clock.at = resolved_at + timedelta(days=3, minutes=1)
    report = await sweeper.sweep_all()
    assert report.fired == {"rating:close": 1}
    order = await load(services, filed)
    assert order.state.value == "closed" and order.satisfaction is None
    assert [m.text for m in await new_mail(services, "resident", seen)] == [
        f"工单 {filed} 已结案。"]
    assert len(await history(services, filed, "closed_unrated")) == 1
    services.clock.advance(timedelta(days=7))
    assert (await sweeper.sweep_all()).acted == 0


async def test_a_rating_inside_the_window_stops_its_clock(services, talk, filed, sweeper):
    await _resolved(talk, filed)
    await talk.press("resident", f"rate:{filed}:1:satisfied")
    services.clock.advance(timedelta(days=4))
    assert (await sweeper.sweep_all()).acted == 0
    assert await history(services, filed, "closed_unrated") == []


async def test_a_reopened_order_runs_on_its_new_deadline(services, talk, filed, sweeper):
    await _resolved(talk, filed)                         # Monday; first due Thursday 10:06
    services.clock.at = on(2, 10, 0)                     # Wednesday: unsatisfied, 重办
    await talk.press("resident", f"rate:{filed}:0:unsatisfied")
    await talk.text("resident", "垃圾还在")
    reopened = await load(services, filed)
    assert reopened.state.value == "accepted" and reopened.resolve_due == on(7, 10, 0, 30)
    leader: list = []
    await new_mail(services, "leader", leader)

    services.clock.at = on(3, 10, 30)                    # past the old deadline, not the new
    await sweeper.sweep_all()
    assert await history(services, filed, "supervised") == []
    services.clock.at = on(3, 15, 30)                    # half of the new limit: Thu 15:15
    await sweeper.sweep_all()
    [half] = await new_mail(services, "leader", leader)
    assert "办结时限已过 50%" in half.text and "11-30 10:00" in half.text

    services.clock.at = on(7, 10, 30)                    # the new deadline has passed
    report = await sweeper.sweep_all()
    assert report.fired["overdue:supervise"] == 1
