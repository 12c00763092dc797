"""Bad input gets a clear answer and changes nothing; a restart loses nothing."""
from datetime import timedelta

from sqlalchemy import text

from bot.services import build_chat
from domain import orders
from handlers.chat import ROUTES
from handlers.messages import Inbound, Kind, Sender
from tests import scenarios
from tests.handlers.conftest import CoreTalk


async def test_a_restart_mid_dialog_continues_where_it_stood(services, talk, point):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    restarted = CoreTalk(await build_chat(services), services.clock)   # a new process
    restarted.received, restarted._ids = talk.received, talk._ids
    await restarted.text("resident", "垃圾桶满了")
    await restarted.press("resident", "skip:")
    await restarted.location("resident", *point)
    summary = (await restarted.text("resident", "跳过"))[-1]          # no phone left
    assert "垃圾桶满了" in summary.text and "垃圾清运" in summary.text


async def test_an_idle_dialog_expires_politely_after_30_minutes(services, talk):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    services.clock.advance(timedelta(minutes=31))
    answer = await talk.text("resident", "/my")
    assert "超过 30 分钟" in answer[0].text


async def test_cancel_works_at_any_step(talk):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    assert (await talk.text("resident", "/cancel"))[-1].text == "已取消。"
    assert "没有进行中" in (await talk.text("resident", "/cancel"))[-1].text


async def test_a_flood_of_reports_is_refused_politely(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    for n in range(10):
        await talk.photo("resident", b"x")
        categories = await talk.text("resident", f"楼道堆物第{n}处")
        await talk.press("resident", "cat:X01")
        await talk.press("resident", "skip:")
        last = (await talk.location("resident", point[0] + n * 0.002, point[1]))[-1]
        if last.choices and last.choices[0].data.startswith("metoo:"):
            last = (await talk.press("resident", "metoo:"))[-1]
        filed = await talk.press("resident", "confirm:")
        assert filed[-1].text.startswith("已提交工单"), (n, categories, filed)
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:X01")
    await talk.text("resident", "又一处")
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    refused = await talk.press("resident", "confirm:")
    assert "较多" in refused[-1].text
    mine = (await talk.text("resident", "/my"))[-1]
    assert len(scenarios.CODE.findall(mine.text)) == 8          # /my shows the newest eight


async def test_over_long_text_is_cut_with_a_notice(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    answer = await talk.text("resident", "脏" * 2000)
    assert "已截取前 500 个字" in answer[0].text
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    summary = (await talk.text("resident", "跳过"))[-1]               # no phone left
    assert "脏" * 500 in summary.text and "脏" * 501 not in summary.text


async def test_stickers_and_files_get_a_hint_and_change_nothing(talk):
    await scenarios.onboard_resident(talk, "resident")
    sticker = Inbound(Sender("test", "resident"), Kind.UNSUPPORTED, "s1")
    written = await talk.chat.receive(sticker)
    assert "暂不支持" in written[0].payload["text"]


async def test_danger_words_show_the_emergency_numbers_at_once(talk):
    await scenarios.onboard_resident(talk, "resident")
    answer = await talk.text("resident", "楼道里有很大的煤气味")
    assert any("119" in m.text and "120" in m.text and "110" in m.text for m in answer)


async def test_a_wrong_or_used_invite_changes_nothing_and_says_why(services, talk):
    assert "不正确" in (await talk.text("someone", "/start inv_WRONGCODE"))[-1].text
    async with services.uow() as uow:
        assert await uow.people.by_channel("test", "someone") is None


async def test_emergency_category_alarms_grid_community_and_street(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    warned = await talk.press("resident", "cat:P01")          # 井盖缺失: emergency
    assert any("119" in m.text for m in warned)
    await talk.text("resident", "路中间井盖没了")
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    await talk.press("resident", "confirm:")
    assert "特急" in talk.inbox("leader")[-1].text
    assert "特急" in talk.inbox("grid_leader")[-1].text
    assert "特急" in talk.inbox("community")[-1].text


async def test_a_voice_note_without_transcript_stands_as_the_description(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    voice = Inbound(Sender("test", "resident", "resident"), Kind.VOICE, "v1", photo="media/v.ogg")
    written = await talk.chat.receive(voice)
    assert "语音" in written[0].payload["text"]
    await talk.press("resident", "skip:")
    await talk.location("resident", *point)
    summary = (await talk.text("resident", "跳过"))[-1]               # no phone left
    assert "语音留言" in summary.text



async def test_a_message_that_fails_half_way_changes_nothing_and_is_not_handled_twice(
        services, talk, point, monkeypatch):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    await talk.text("resident", "/report")

    async def writes_then_breaks(turn):
        order = await turn.uow.orders.get(code)
        await turn.uow.orders.save(order)
        await turn.uow.events.add(orders.remark(order, "commented", turn.now, reason="half"))
        turn.say("never sent")
        raise RuntimeError("a bug")

    async def state():
        async with services.uow() as uow:
            version = (await uow.session.execute(
                text("SELECT version FROM work_order WHERE code = :c"), {"c": code})).scalar()
            return (version, await uow.events.for_order(code),
                    await uow.dialogs.get(talk.channel, "resident"))

    before = await state()
    monkeypatch.setitem(ROUTES.commands, "broken", writes_then_breaks)
    answer = await talk.text("resident", "/broken", update_id="u-broken")
    assert [a.text for a in answer] == ["抱歉，系统出了点问题，您的这条消息没有处理成功，请稍后再试。"]
    assert await talk.text("resident", "/broken", update_id="u-broken") == []   # redelivered
    after = await state()
    assert after[:2] == before[:2]
    assert after[2]["step"] == before[2]["step"]      # the report goes on where it stood
