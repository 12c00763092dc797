"""Reminders at 50 % and 80 % of a limit, a missed sign limit, and escalation at twice it.

The order is filed on Monday 2026-11-23 at about 10:06 (一般: sign within 2 working hours,
so by 13:36 after the lunch break; resolve within 3 working days, by Thursday about 10:06).
"""
from __future__ import annotations

from tests.scenarios import labels
from tests.scheduler.conftest import history, load, new_mail, on


async def test_the_leader_is_reminded_to_sign_at_half_and_at_80_percent_once_each(
        services, talk, filed, sweeper):
    seen: list = []
    await new_mail(services, "leader", seen)
    services.clock.at = on(0, 11, 0)                    # 54 of 120 working minutes
    await sweeper.sweep_all()
    assert await new_mail(services, "leader", seen) == []

    services.clock.at = on(0, 11, 10)
    await sweeper.sweep_all()
    half = await new_mail(services, "leader", seen)
    assert len(half) == 1 and filed in half[0].text and "50%" in half[0].text
    assert labels(half[0]) == ["签收", "退回", "上报"]

    services.clock.at = on(0, 11, 30)
    await sweeper.sweep_all()
    assert await new_mail(services, "leader", seen) == []

    services.clock.at = on(0, 11, 45)                   # 96 working minutes ran at 11:42
    await sweeper.sweep_all()
    await sweeper.sweep_all()
    late = await new_mail(services, "leader", seen)
    assert len(late) == 1 and "80%" in late[0].text and "13:36" in late[0].text
    assert len(await history(services, filed, "reminded")) == 2


async def test_unsigned_past_the_limit_is_reminded_and_at_twice_it_escalated_one_level(
        services, talk, filed, sweeper):
    seen: list = []
    services.clock.at = on(0, 11, 45)
    await sweeper.sweep_all()
    await new_mail(services, "leader", seen)

    services.clock.at = on(0, 13, 40)                   # the sign limit ran out at 13:36
    await sweeper.sweep_all()
    overdue = await new_mail(services, "leader", seen)
    assert len(overdue) == 1 and "已超过签收时限" in overdue[0].text
    assert (await load(services, filed)).unit_code == "JJ-01-01-03"

    services.clock.at = on(0, 15, 40)                   # twice the limit: 4 working hours
    report = await sweeper.sweep_all()
    again = await sweeper.sweep_all()
    assert report.fired["sign:escalate"] == 1 and again.acted == 0
    order = await load(services, filed)
    assert order.unit_code == "JJ-01-01" and order.state.value == "dispatched"
    [escalated] = await history(services, filed, "escalated")
    assert escalated.actor_id is None and "两倍签收时限" in escalated.reason
    up = [m for m in await new_mail(services, "grid_leader", []) if filed in m.text]
    assert up[-1].text.startswith("⬆️ 上报") and "两倍签收时限" in up[-1].text
    assert "签收" in labels(up[-1])
    told = [m.text for m in await new_mail(services, "resident", [])]
    assert f"工单 {filed} 已上报至锦江畔小区处理。" in told


async def test_signing_stops_the_sign_clock_and_starts_the_resolve_reminders(
        services, talk, filed, sweeper):
    await talk.press("leader", f"sign:{filed}")
    seen: list = []
    await new_mail(services, "leader", seen)
    services.clock.at = on(0, 16, 0)                    # long past the sign limit
    await sweeper.sweep_all()
    assert await new_mail(services, "leader", seen) == []

    services.clock.at = on(1, 15, 0)                    # half of 22.5 working hours: Tue 15:21
    await sweeper.sweep_all()
    assert await new_mail(services, "leader", seen) == []
    services.clock.at = on(1, 15, 30)
    await sweeper.sweep_all()
    [half] = await new_mail(services, "leader", seen)
    assert "办结时限已过 50%" in half.text and labels(half)[:2] == ["进展", "办结"]

    services.clock.at = on(2, 14, 40)                   # 80 %: Wednesday 14:36
    await sweeper.sweep_all()
    [most] = await new_mail(services, "leader", seen)
    assert "办结时限已过 80%" in most.text and "11-26 10:06" in most.text
    kinds = [e.data["clock"].split("@")[0] for e in await history(services, filed, "reminded")]
    assert kinds == ["resolve:0.5", "resolve:0.8"]


async def test_a_scheduler_that_was_down_sends_only_the_latest_reminder(
        services, talk, filed, sweeper):
    seen: list = []
    await new_mail(services, "leader", seen)
    services.clock.at = on(0, 11, 50)                   # both 50 % and 80 % have passed
    report = await sweeper.sweep_all()
    [only] = await new_mail(services, "leader", seen)
    assert "80%" in only.text and report.fired == {"sign:0.8": 1}
    services.clock.at = on(0, 12, 0)
    assert (await sweeper.sweep_all()).acted == 0
