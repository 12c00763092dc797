"""The privacy notice's promises on the neutral core: /delete, /mydata and the retention sweep."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler.sweeps import RETENTION, Sweeper
from storage.tables import ChannelAccountRow, OrderFollowerRow, OutboxRow, PersonRow, WorkOrderRow
from tests.scenarios import (
    data_for,
    labels,
    onboard_resident,
    onboard_rider,
    order_code,
    phone_photo,
    resident_files_rubbish,
    resident_reaches_confirm,
)

SAID = "楼下垃圾三天没人清运了，我是张秀兰，3单元502室，电话13912345678，微信号：zxl_1988"


async def order_row(services, code: str):
    async with services.uow() as uow:
        table = WorkOrderRow.__table__
        return (await uow.session.execute(select(table).where(table.c.code == code))).one()


async def person_row(services, person_id: int):
    async with services.uow() as uow:
        table = PersonRow.__table__
        return (await uow.session.execute(select(table).where(table.c.id == person_id))).one()


async def figures(services):
    """The new orders per grid of the whole year: what the digest and the wall's rates count."""
    async with services.uow() as uow:
        now = uow.clock.now()
        _, new = await uow.publishing.figures(now - timedelta(days=365), now + timedelta(days=1),
                                              now)
    return new


async def file_said(talk, user: str, point) -> str:
    await resident_reaches_confirm(talk, user, point, SAID)
    return order_code(await talk.press(user, "confirm:"))


async def close(talk, services, code: str, reporter: str = "resident") -> None:
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"resolve:{code}")
    await talk.text("leader", "已清运")
    await talk.press("leader", f"finish:{code}")     # 完成办结: the note is filed
    ask = talk.inbox(reporter)[-1]
    rating = (await talk.press(reporter, data_for(ask, "已解决")))[-1]
    await talk.press(reporter, data_for(rating, "满意"))
    assert (await order_row(services, code)).state == "closed"


# --- /delete -----------------------------------------------------------------------------------

async def test_delete_without_confirmation_changes_nothing(talk, point):
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    held = (await talk.text("resident", "/mydata"))[-1].text

    stray = await talk.press("resident", "delete:yes")          # no question was asked
    assert "没有删除" in stray[-1].text
    ask = (await talk.text("resident", "/delete"))[-1]
    kept = await talk.press("resident", data_for(ask, "不删除"))
    assert "没有删除" in kept[-1].text
    late = await talk.press("resident", data_for(ask, "确认删除"))  # the question was answered
    assert "没有删除" in late[-1].text

    assert (await talk.text("resident", "/mydata"))[-1].text == held
    assert code in (await talk.text("resident", "/my"))[-1].text


async def test_delete_keeps_orders_anonymised_and_the_figures_count_them(talk, services, point):
    await onboard_resident(talk, "resident")
    code = await file_said(talk, "resident", point)
    reporter = (await order_row(services, code)).reporter_id
    before = await figures(services)

    ask = (await talk.text("resident", "/delete"))[-1]
    assert "1 件工单" in ask.text
    await talk.press("resident", data_for(ask, "确认删除"))

    order = await order_row(services, code)
    assert order.reporter_id == reporter                     # still counted as someone's
    for secret in ("张秀兰", "502", "13912345678", "zxl_1988"):
        assert secret not in order.description
    assert order.description == "〔报事人的描述已删除〕"      # the words go, not only their data
    stand_in = await person_row(services, reporter)
    assert (stand_in.name, stand_in.phone, stand_in.consent_at, stand_in.kind) == (
        "已注销用户", None, None, "erased")
    async with services.uow() as uow:
        accounts = (await uow.session.execute(select(ChannelAccountRow).where(
            ChannelAccountRow.person_id == reporter))).all()
        owed = (await uow.session.execute(select(OutboxRow.payload).where(
            OutboxRow.address == "resident"))).scalars().all()
    assert accounts == []
    assert not any("张秀兰" in str(payload) for payload in owed)
    assert await figures(services) == before
    # The leader still has the order to finish, with nobody behind it.
    signed = await talk.press("leader", f"sign:{code}")
    assert any(f"已签收 {code}" in m.text for m in signed)


async def test_a_follower_who_deletes_follows_nothing(talk, services, point):
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await onboard_resident(talk, "neighbour")
    offer = (await resident_reaches_confirm(talk, "neighbour", point, "垃圾堆满了"))
    if code in offer.text:
        await talk.press("neighbour", data_for(offer, labels(offer)[0]))
    async with services.uow() as uow:
        assert await uow.orders.followers(code)
    ask = (await talk.text("neighbour", "/delete"))[-1]
    await talk.press("neighbour", data_for(ask, "确认删除"))
    async with services.uow() as uow:
        assert await uow.orders.followers(code) == []
    seen = len(talk.inbox("neighbour"))
    await talk.press("leader", f"sign:{code}")
    assert talk.inbox("neighbour")[seen:] == []
    assert "签收" in talk.inbox("resident")[-1].text


async def test_staff_are_sent_to_the_community_to_leave_the_public_roster(talk, services):
    refused = (await talk.text("leader", "/delete"))[-1]
    assert "社区管理员" in refused.text and not refused.choices
    await talk.press("leader", "delete:yes")
    assert "网格长" in (await talk.text("leader", "/mydata"))[-1].text
    async with services.uow() as uow:
        assert await uow.memberships.leader_of("JJ-01-01-03") is not None


async def test_nobody_to_delete_before_consent(talk):
    assert "没有保存" in (await talk.text("stranger", "/delete"))[-1].text
    assert "没有保存" in (await talk.text("stranger", "/mydata"))[-1].text


# --- /mydata -----------------------------------------------------------------------------------

async def test_mydata_lists_what_is_held(talk, point):
    await onboard_rider(talk, "rider")
    await talk.photo("rider", phone_photo(), "")
    await talk.location("rider", *point)
    code = order_code(await talk.press("rider", "cat:S02"))
    await talk.text("rider", "/subscribe")
    shown = (await talk.text("rider", "/mydata"))[-1].text
    for line in ("称呼：rider", "身份：流动网格员", "同意隐私说明：2026-11-23 10:", "聊天账号：test",
                 "跑单平台：美团", "上报的工单：1 件", f"{code} 已派单",
                 "本月先锋积分：20 分",   # valid 10 + urgent 10 (飞线充电)
                 "社区周报：已订阅", "关注的工单：无", "办结满 180 天"):
        assert line in shown, (line, shown)


async def test_the_notice_names_the_rights_and_the_window(talk):
    notice = (await talk.text("newcomer", "/start"))[-1].text
    assert "/mydata" in notice and "/delete" in notice and "180 天" in notice
    assert "/mydata" in (await talk.text("newcomer", "/help"))[-1].text


# --- retention ---------------------------------------------------------------------------------

async def test_retention_anonymises_only_orders_closed_longer_than_the_window(talk, services,
                                                                             point):
    clock = services.clock
    await onboard_resident(talk, "resident")
    old = await file_said(talk, "resident", point)
    await onboard_resident(talk, "neighbour")
    offer = await resident_reaches_confirm(talk, "neighbour", point, "垃圾堆满了")
    await talk.press("neighbour", data_for(offer, labels(offer)[0]))
    await close(talk, services, old)
    async with services.uow() as uow:            # everything told so far was delivered
        ids = (await uow.session.execute(select(OutboxRow.id))).scalars().all()
        await uow.outbox.mark_all_sent(list(ids))
        await uow.commit()
    clock.advance(timedelta(days=30))
    young = await file_said(talk, "resident", point)
    sweeper = Sweeper(talk.chat.deps)

    clock.advance(timedelta(days=148))            # 178 days and some minutes after closing
    assert (await sweeper.sweep(RETENTION)).acted == 0
    assert (await order_row(services, old)).reporter_id is not None

    clock.advance(timedelta(days=3))
    counted = await figures(services)
    assert (await sweeper.sweep(RETENTION)).fired == {"retention:anonymised": 1}
    gone = await order_row(services, old)
    assert gone.reporter_id is None and "13912345678" not in gone.description
    assert gone.description == "〔报事人的描述已删除〕"
    async with services.uow() as uow:
        follows = (await uow.session.execute(select(OrderFollowerRow).where(
            OrderFollowerRow.order_code == old))).all()
        told = (await uow.session.execute(select(OutboxRow.payload).where(
            OutboxRow.address == "leader"))).scalars().all()
    assert follows == [] and not any(old in str(payload) for payload in told)
    assert (await order_row(services, young)).reporter_id is not None   # not closed
    assert SAID in (await order_row(services, young)).description
    mine = (await talk.text("resident", "/my"))[-1].text
    assert young in mine and old not in mine
    assert (await sweeper.sweep(RETENTION)).acted == 0                    # idempotent
    assert await figures(services) == counted


# --- consent withdrawn (issue 16, finding 9) ----------------------------------------------------

async def test_old_disagree_press_withdraws_for_real(talk, services, point):
    await onboard_resident(talk, "resident")
    code = await file_said(talk, "resident", point)
    reporter = (await order_row(services, code)).reporter_id
    held = (await talk.text("resident", "/mydata"))[-1].text

    asked = (await talk.press("resident", "consent:no"))[-1]       # the first message's button
    assert "撤回" in asked.text and "不会保存" not in asked.text
    stands = (await talk.press("resident", data_for(asked, "保留，不撤回")))[-1]
    assert "仍然有效" in stands.text and "/delete" in stands.text
    assert (await talk.text("resident", "/mydata"))[-1].text == held

    asked = (await talk.press("resident", "consent:no"))[-1]
    await talk.press("resident", data_for(asked, "撤回同意并删除"))
    assert "没有保存" in (await talk.text("resident", "/mydata"))[-1].text
    assert (await person_row(services, reporter)).name == "已注销用户"
    assert "13912345678" not in (await order_row(services, code)).description
    assert "同意" in (await talk.text("resident", "/report"))[-1].text   # consent asked again
