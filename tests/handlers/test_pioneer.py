"""/points and /nickname: a rider sees their own 先锋指数 and chooses whether to be on the board."""
from __future__ import annotations

from tests.scenarios import onboard_resident, onboard_rider, phone_photo


async def rider_files_a_report(talk, point) -> None:
    """The rider's quick path: photo, pin, one tap on a category."""
    await talk.photo("rider", phone_photo(), "")
    await talk.location("rider", *point)
    filed = await talk.press("rider", "cat:H01")
    assert filed[-1].text.startswith("已提交工单 WG-")


async def test_a_rider_sees_their_points_and_joins_the_board_by_a_nickname(talk, point):
    await onboard_rider(talk, "rider")
    await rider_files_a_report(talk, point)    # dispatched at once: a valid report, +10

    mine = (await talk.text("rider", "/points"))[-1].text
    assert "先锋指数：10 分" in mine
    assert "不在排行榜上" in mine and "/nickname" in mine

    assert "「小李快跑」" in (await talk.text("rider", "/nickname 小李快跑"))[-1].text
    ranked = (await talk.text("rider", "/points"))[-1].text
    assert "第 1 名（共 1 人上榜）" in ranked and "「小李快跑」" in ranked

    assert "不再出现在排行榜上" in (await talk.text("rider", "/nickname 清除"))[-1].text
    assert "不在排行榜上" in (await talk.text("rider", "/points"))[-1].text


async def test_a_nickname_with_a_phone_number_or_too_long_is_refused(talk):
    await onboard_rider(talk, "rider")
    for wanted in ("小李13912345678", "一个非常非常非常长的骑手昵称"):
        refused = (await talk.text("rider", f"/nickname {wanted}"))[-1].text
        assert "昵称须为" in refused
    assert "即可上先锋指数排行榜" in (await talk.text("rider", "/nickname"))[-1].text


async def test_a_nickname_with_a_disguised_phone_or_a_name_is_refused(talk):
    """Issue 16, finding 5: the board is public, so /nickname reads through disguises."""
    await onboard_rider(talk, "ada")
    for wanted in ("幺三九一二三四五六七八", "1三9一2三4五6七8", "李建国", "欧阳明华", "ada",
                   "QQ 12345678", "加v zhang888"):
        refused = (await talk.text("ada", f"/nickname {wanted}"))[-1].text
        assert "昵称须为" in refused and "姓名" in refused, wanted
    assert "即可上先锋指数排行榜" in (await talk.text("ada", "/nickname"))[-1].text
    assert "「路灯守护者」" in (await talk.text("ada", "/nickname 路灯守护者"))[-1].text


async def test_the_leaderboard_and_nicknames_are_for_riders_only(talk):
    await onboard_resident(talk, "resident")
    assert "参与积分：0 分" in (await talk.text("resident", "/points"))[-1].text
    assert "只记给流动网格员" in (await talk.text("resident", "/nickname 王阿姨"))[-1].text
    assert "只记给流动网格员" in (await talk.text("stranger", "/points"))[-1].text


async def test_a_resident_earns_participation_points_for_a_real_report_a_support_and_a_comment(
        talk, services, point):
    """双积分: a report accepted as real +5, a support +1, a comment +1, under the month's cap."""
    from bot.services import build_chat
    from handlers import agenda
    from tests.scenarios import onboard_resident_at, resident_files_rubbish

    await onboard_resident_at(talk, "resident", "锦江畔3号楼")
    await onboard_resident_at(talk, "neighbour", "锦江畔3号楼")
    assert "参与积分：0 分（每月上限 100 分）" in (await talk.text("resident", "/points"))[-1].text
    await resident_files_rubbish(talk, "resident", point)     # dispatched to the leader: real
    tree = (await build_chat(services)).deps.router.tree
    async with services.uow() as uow:
        resident = (await uow.people.by_channel("test", "resident")).id
        neighbour = (await uow.people.by_channel("test", "neighbour")).id
        leader = (await uow.people.by_channel("test", "grid_leader")).id
        now = services.clock.now()
        item, _ = await agenda.propose(uow, tree, neighbour, "加装充电桩", "飞线充电危险", now)
        await agenda.open_discussion(uow, tree, leader, item.code, now)
        await agenda.support(uow, tree, resident, item.code, now)
        await agenda.comment(uow, tree, resident, item.code, "支持", now)
        await agenda.comment(uow, tree, resident, item.code, "再补充一句", now)
        await uow.commit()
    assert "参与积分：8 分" in (await talk.text("resident", "/points"))[-1].text
    assert "参与积分：0 分" in (await talk.text("neighbour", "/points"))[-1].text


async def test_a_resident_who_attends_a_joint_meeting_earns_five_points_once(talk, services):
    """双积分: attending a meeting +5, recorded by the meeting's secretary; recorded twice, once."""
    from datetime import timedelta

    import pytest

    from bot.services import build_chat
    from domain.refusals import DomainError
    from handlers import agenda, meetings
    from tests.scenarios import onboard_resident_at

    await onboard_resident_at(talk, "resident", "锦江畔3号楼")
    tree = (await build_chat(services)).deps.router.tree
    async with services.uow() as uow:
        resident = (await uow.people.by_channel("test", "resident")).id
        leader = (await uow.people.by_channel("test", "grid_leader")).id
        now = services.clock.now()
        item, _ = await agenda.raise_item(uow, tree, leader, "JJ-01-01", "楼道堆物清理", "…", now)
        await agenda.convene(uow, tree, leader, item.code, now)
        meeting, _ = await meetings.schedule(uow, tree, leader, "JJ-01-01",
                                             now + timedelta(hours=1), now)
        await meetings.convene(uow, tree, leader, meeting.code, now)
        await meetings.record_attendance(uow, tree, leader, meeting.code, [resident], now)
        assert await meetings.record_attendance(uow, tree, leader, meeting.code, [resident],
                                                now) == []
        await uow.commit()
    async with services.uow() as uow:
        with pytest.raises(DomainError) as stranger:
            await meetings.record_attendance(uow, tree, leader, meeting.code, [10**6], now)
    assert stranger.value.key == "MEETING_NOT_INVITED"
    assert "参与积分：5 分" in (await talk.text("resident", "/points"))[-1].text
