"""The weekly digest as its readers get it: residents, a building's leader, community staff."""
from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.charts import preview_digests, render_chart
from bot.services import build_chat
from handlers.digest import LEADER, RESIDENT, STAFF, build_digests, send_digests, week_before
from handlers.echo_wall import EchoChannels, publish_due
from storage.tables import OutboxRow
from tests import scenarios


async def subscribe_with_home(talk, user: str) -> str:
    await talk.text(user, "/start")
    await talk.press(user, "consent:yes")
    await talk.press(user, "role:resident")
    await talk.press(user, "home:JJ-01-01-03")
    return (await talk.text(user, "/subscribe"))[-1].text


async def a_week_of_work(talk, services, point) -> tuple[str, str]:
    """One order handled and rated 满意, one left open past its deadline; a rider on the board."""
    assert "江畔社区" in await subscribe_with_home(talk, "resident")
    done = await scenarios.resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"sign:{done}")
    await talk.press("leader", f"resolve:{done}")
    await talk.text("leader", "已清运完毕，3号楼2单元门口已打扫")
    await talk.press("leader", f"finish:{done}")
    await talk.press("resident", f"rate:{done}:1:satisfied")
    stuck = await scenarios.resident_files_rubbish(talk, "resident", point)
    await scenarios.onboard_rider(talk, "rider")
    async with services.uow() as uow:
        rider = await uow.people.by_channel("test", "rider")
        rider.nickname = "闪电侠"
        await uow.people.upsert(rider)
        await uow.commit()
    await talk.photo("rider", b"jpeg")
    await talk.location("rider", *point)
    await talk.press("rider", "cat:S02")
    return done, stuck


async def test_each_reader_gets_the_week_that_concerns_them(talk, services, point, tmp_path):
    done, stuck = await a_week_of_work(talk, services, point)
    chat = await build_chat(services)
    await publish_due(services.uow(), chat.deps, EchoChannels(media_dir=tmp_path))
    services.clock.advance(timedelta(days=6, hours=23))          # Monday 09:00 a week later
    now = services.clock.now()
    async with services.uow() as uow:
        digests = {(d.audience, d.unit): d for d in await build_digests(
            uow, chat.deps.router.tree, services.taxonomy, now)}

    community = digests[(RESIDENT, "JJ-01")]
    assert "江畔社区周报" in community.text and "新报事 3 件，办结 1 件" in community.text
    assert "垃圾清运 · 锦江畔小区" in community.text and "（满意）" in community.text
    assert "3号楼" not in community.text and done not in community.text

    leader = digests[(LEADER, "JJ-01-01-03")]
    assert "在办工单 2 件，其中超期 2 件" in leader.text               # 飞线充电 is due in 24 h
    assert f"🔴 {stuck}" in leader.text and leader.text.index("飞线充电") < leader.text.index(stuck)

    staff = digests[(STAFF, "JJ-01")]
    assert "红榜" in staff.text and "1. 锦江畔小区" in staff.text
    assert "超期未办结工单 2 件" in staff.text and stuck in staff.text
    assert "1. 闪电侠 20 分" in staff.text                       # valid +10, urgent +10
    assert [r.external_id for r in community.recipients] == ["resident"]
    assert staff.chart.horizontal and staff.chart.labels == ("锦江畔小区",)


async def test_digests_are_owed_once_with_their_chart_and_paced(talk, services, point, tmp_path):
    await a_week_of_work(talk, services, point)
    chat = await build_chat(services)
    services.clock.advance(timedelta(days=7))
    now = services.clock.now()
    for _ in range(2):                                           # the job runs twice: owed once
        async with services.uow() as uow:
            digests = await build_digests(uow, chat.deps.router.tree, services.taxonomy, now)
            await send_digests(uow, digests, render_chart, tmp_path, now, pace={"test": 2.0})
            await uow.commit()
    async with services.uow() as uow:
        rows = (await uow.session.execute(
            select(OutboxRow.payload, OutboxRow.due_at, OutboxRow.dedupe_key)
            .where(OutboxRow.dedupe_key.like("digest:%")).order_by(OutboxRow.due_at))).all()
    assert len(rows) == sum(len(d.recipients) for d in digests) >= 4
    assert all(Path(r.payload["photo"]).read_bytes().startswith(b"\x89PNG") for r in rows)
    gaps = [b.due_at - a.due_at for a, b in itertools.pairwise(rows)]
    assert all(gap == timedelta(seconds=0.5) for gap in gaps)
    assert f"{week_before(now)[0]:%Y%m%d}" in rows[0].dedupe_key


async def test_subscribing_needs_consent_and_unsubscribing_stops_it(talk):
    assert "/start" in (await talk.text("stranger", "/subscribe"))[-1].text
    await scenarios.onboard_resident(talk, "resident")
    assert "设置住址" in (await talk.text("resident", "/subscribe"))[-1].text
    assert "已退订" in (await talk.text("resident", "/unsubscribe"))[-1].text
    assert "还没有订阅" in (await talk.text("resident", "/unsubscribe"))[-1].text


async def test_preview_writes_text_and_a_picture_per_digest(talk, services, point, tmp_path):
    await a_week_of_work(talk, services, point)
    written = await preview_digests(services, tmp_path / "preview",
                                    services.clock.now() + timedelta(days=7))
    names = {p.name for p in written}
    assert {"resident-JJ-01.txt", "resident-JJ-01.png", "leader-JJ-01-01-03.txt",
            "staff-JJ-01.png"} <= names
    assert "江畔社区周报" in (tmp_path / "preview" / "resident-JJ-01.txt").read_text()
