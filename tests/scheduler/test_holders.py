"""Every order held by someone: an unstaffed micro-grid's order climbs to the nearest leader or
dispatcher, else to the configured operator, with a clock; queued orders are clocked too."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from handlers.use_cases import work_time
from storage.tables import MembershipRow
from tests.scenarios import CODE, data_for, labels, onboard_resident, resident_reaches_confirm
from tests.scheduler.conftest import history, load, new_mail, on

CHAIN = ("JJ-01-01-03", "JJ-01-01", "JJ-01", "JJ")   # 锦江畔3号楼 up to the street


async def unstaff(services, *codes: str) -> None:
    """The roster loses everyone on these grids (leaders, dispatchers, all)."""
    async with services.uow() as uow:
        await uow.session.execute(delete(MembershipRow).where(MembershipRow.grid_code.in_(codes)))
        await uow.commit()


async def file_rubbish(talk, point) -> tuple[str, str]:
    """The resident files; returns the order number and what the resident was told."""
    await onboard_resident(talk, "resident")
    await resident_reaches_confirm(talk, "resident", point)
    told = (await talk.press("resident", "confirm:"))[-1].text
    return CODE.search(told).group(0), told


async def person(services, staff_code: str) -> int:
    async with services.uow() as uow:
        return (await uow.people.by_staff_code(staff_code)).id


async def test_unstaffed_micro_grid_order_climbs_to_the_nearest_leader(services, talk, point):
    await unstaff(services, "JJ-01-01-03", "JJ-01-01")            # building and grid unstaffed
    code, told = await file_rubbish(talk, point)
    order = await load(services, code)
    assert order.unit_code == "JJ-01" and order.assignee_id == await person(services, "P0002")
    assert "负责：江畔社区（锦江畔3号楼暂无网格长，由上级网格长接手）" in told
    assert f"签收时限：{work_time(order.sign_due)}" in told and order.sign_due is not None
    new = talk.inbox("community")[-1]
    assert code in new.text and labels(new) == ["签收", "退回", "上报"]


async def test_unstaffed_chain_order_reaches_the_operator_who_signs(services, talk, point):
    await unstaff(services, *CHAIN)
    talk.chat.deps.operator = "P0002"            # the operator: "community"'s roster entry
    code, told = await file_rubbish(talk, point)
    order = await load(services, code)
    assert order.state.value == "dispatched" and order.sign_due is not None
    assert order.assignee_id == await person(services, "P0002")
    assert "负责：值班员（锦江畔3号楼所在网格及上级暂无负责人）" in told
    assert f"签收时限：{work_time(order.sign_due)}" in told
    new = talk.inbox("community")[-1]
    assert code in new.text and "签收时限" in new.text
    assert labels(new) == ["签收", "退回", "上报"]
    signed = await talk.press("community", data_for(new, "签收"))
    assert any(f"已签收 {code}" in m.text for m in signed)
    assert (await load(services, code)).state.value == "accepted"


async def test_no_holder_and_no_operator_is_said_honestly_and_still_clocked(
        services, talk, point, sweeper):
    await unstaff(services, *CHAIN)
    code, told = await file_rubbish(talk, point)
    order = await load(services, code)
    assert order.state.value == "submitted" and order.assignee_id is None
    assert "没有负责人" in told and "派单员人工分派" not in told
    assert f"签收时限 {work_time(order.sign_due)}" in told
    from handlers.holders import check_holders
    async with services.uow() as uow:
        found = await check_holders(uow, talk.chat.deps.router.tree, None)
    assert (code, "queue:JJ-01-01-03") in found.unheld_orders and not found.every_chain_held

    services.clock.at = order.sign_due + timedelta(minutes=1)     # just past the limit
    await sweeper.sweep_all()
    [late] = await history(services, code, "reminded")
    assert late.data["clock"].startswith("sign:late") and late.data["to"] is None

    # Someone is bound up the chain at last: at twice the limit the order climbs to them.
    community_leader = await person(services, "P0002")
    async with services.uow() as uow:
        await uow.memberships.add(community_leader, "JJ-01", "leader")
        await uow.commit()
    seen: list = []
    await new_mail(services, "community", seen)
    services.clock.at = on(2, 10, 0)
    await sweeper.sweep_all()
    order = await load(services, code)
    assert order.state.value == "dispatched" and order.unit_code == "JJ-01"
    [climbed] = await new_mail(services, "community", seen)
    assert code in climbed.text and labels(climbed) == ["签收", "退回", "上报"]


async def test_a_queued_order_unassigned_past_its_limit_is_reminded_then_escalated(
        services, talk, point, sweeper):
    code, _ = await file_rubbish(talk, point)
    await talk.press("leader", f"return:{code}")
    await talk.text("leader", "不是本楼的垃圾点")
    order = await load(services, code)
    assert order.unit_code == "queue:JJ-01-01"                     # the grid leader's queue
    queued = talk.inbox("grid_leader")[-1]
    assert f"分派时限：{work_time(order.sign_due)}" in queued.text
    grid, community = [], []
    await new_mail(services, "grid_leader", grid)
    await new_mail(services, "community", community)

    services.clock.at = order.sign_due + timedelta(minutes=1)
    report = await sweeper.sweep_all()
    assert report.fired == {"sign:late": 1}
    [late] = await new_mail(services, "grid_leader", grid)
    assert late.text.startswith(f"⏰ 待分派工单 {code}") and "派单" in labels(late)

    services.clock.at = on(2, 10, 0)                              # twice the limit long gone
    report = await sweeper.sweep_all()
    assert report.fired == {"sign:escalate": 1}
    order = await load(services, code)
    assert order.unit_code == "JJ-01" and order.assignee_id == await person(services, "P0002")
    told = [m.text for m in await new_mail(services, "community", community)]
    assert any(t.startswith("⬆️ 上报") and code in t for t in told)


async def _file(talk, point, category: str) -> str:
    await onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", f"cat:{category}")
    await talk.text("resident", "楼上在砸承重墙")
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    return (await talk.press("resident", "confirm:"))[-1].text


async def test_a_community_category_names_its_community_and_no_missing_leader(talk, point):
    told = await _file(talk, point, "C03")                       # 违规装修: handled by the community
    assert "负责：江畔社区\n" in told and "暂无" not in told


async def test_a_community_category_without_its_leader_climbs_to_the_street(
        services, talk, point):
    await unstaff(services, "JJ-01")
    told = await _file(talk, point, "C03")
    assert "负责：锦江街道（江畔社区暂无网格长，由上级派单员接手）" in told


async def test_the_operator_is_never_shown_to_residents_as_their_grid_leader(
        services, talk, point):
    await unstaff(services, *CHAIN)
    talk.chat.deps.operator = "P0002"
    await file_rubbish(talk, point)                               # the operator holds it
    shown = (await talk.text("resident", "/grid"))[-1].text
    assert "网格长：（待配备）" in shown
    assert "刘雪" not in shown and "13900000002" not in shown     # the operator's roster entry
