"""议事 in chat when things go wrong: presses after their moment, people outside the scope,
residents without a home, half-finished decisions. Each answer is a catalogue sentence and
changes nothing."""
from __future__ import annotations

from handlers import texts
from tests.handlers.conftest import point, services, talk  # noqa: F401 — fixtures
from tests.scenarios import data_for, labels, onboard_resident, onboard_resident_at
from tests.scenarios_agenda import HOME, item_code, offered, press

ELSEWHERE = "翠湖园2号楼"          # another community's building


async def _open_item(talk) -> str:  # noqa: F811
    """A resident's proposal at 锦江畔3号楼, opened by the grid's leader."""
    await onboard_resident_at(talk, "resident", HOME)
    await talk.text("resident", "/agenda")
    await press(talk, "resident", texts.AGENDA_PROPOSE_BUTTON)
    await talk.text("resident", "楼道加装声控灯")
    code = item_code(await press(talk, "resident", texts.SKIP))
    await press(talk, "grid_leader", texts.AGENDA_OPEN)
    return code


async def _state(talk, code: str) -> str:  # noqa: F811
    async with talk.uow() as uow:
        return (await uow.agenda.get(code)).state.value


async def test_a_resident_without_a_home_is_asked_to_set_one(talk):  # noqa: F811
    await onboard_resident(talk, "resident")
    listed = (await talk.text("resident", "/agenda"))[-1]
    assert listed.text == texts.AGENDA_NO_HOME


async def test_the_menu_offers_the_agenda_and_it_lists_the_communitys_items(talk):  # noqa: F811
    code = await _open_item(talk)
    await onboard_resident_at(talk, "neighbour", HOME)
    menu = next(m for m in reversed(talk.inbox("neighbour")) if m.text == texts.MENU)
    assert texts.MENU_AGENDA in labels(menu)
    listed = (await talk.press("neighbour", data_for(menu, texts.MENU_AGENDA)))[-1]
    assert code in listed.text and "楼道加装声控灯" in listed.text and code in labels(listed)
    card = (await talk.press("neighbour", data_for(listed, code)))[-1]
    assert "支持：0/10 人" in card.text
    assert labels(card) == [texts.AGENDA_SUPPORT, texts.AGENDA_COMMENT]


async def test_someone_outside_the_scope_reads_the_card_but_cannot_support(talk):  # noqa: F811
    code = await _open_item(talk)
    await onboard_resident_at(talk, "stranger", ELSEWHERE)
    card = (await talk.text("stranger", f"/agenda {code}"))[-1]
    assert code in card.text and labels(card) == []
    refused = await talk.press("stranger", f"yt_up:{code}")
    assert refused[-1].text == texts.AGENDA_NOT_ALLOWED
    async with talk.uow() as uow:
        assert (await uow.agenda.get(code)).supporters == set()


async def test_the_proposer_cannot_support_their_own_item_nor_anyone_twice(talk):  # noqa: F811
    code = await _open_item(talk)
    own = await talk.press("resident", f"yt_up:{code}")
    assert own[-1].text == texts.AGENDA_OWN_ITEM
    await onboard_resident_at(talk, "neighbour", HOME)
    await talk.text("neighbour", f"/agenda {code}")
    await press(talk, "neighbour", texts.AGENDA_SUPPORT)
    again = await talk.press("neighbour", f"yt_up:{code}")
    assert again[-1].text == texts.AGENDA_SUPPORTED_TWICE


async def test_an_old_support_button_after_the_decline_changes_nothing(talk):  # noqa: F811
    code = await _open_item(talk)
    await onboard_resident_at(talk, "neighbour", HOME)
    invite = (await talk.text("neighbour", f"/agenda {code}"))[-1]
    await talk.press("grid_leader", f"yt_no:{code}:JJ-01-01")
    await talk.text("grid_leader", "已纳入物业年度计划，无需议事")
    assert "已纳入物业年度计划" in talk.inbox("resident")[-1].text     # told, with the reason
    stale = await talk.press("neighbour", data_for(invite, texts.AGENDA_SUPPORT))
    assert stale[-1].text == f"这个按钮已过时：议题 {code} 当前为「未通过」，没有做任何更改。"
    assert await _state(talk, code) == "declined"


async def test_a_leaders_button_from_below_after_the_move_up_is_out_of_date(talk):  # noqa: F811
    code = await _open_item(talk)
    await talk.press("grid_leader", f"yt_move:{code}:JJ-01-01")
    await talk.text("grid_leader", "超出网格职权")
    stale = await talk.press("grid_leader", f"yt_no:{code}:JJ-01-01")
    assert stale[-1].text == f"这个按钮已过时：议题 {code} 已由江畔社区负责，没有做任何更改。"
    assert await _state(talk, code) == "on_agenda"


async def test_a_resident_cannot_open_decide_or_move_an_item(talk):  # noqa: F811
    code = await _open_item(talk)
    for data in (f"yt_meet:{code}:JJ-01-01", f"yt_decide:{code}:JJ-01-01",
                 f"yt_move:{code}:JJ-01-01"):
        refused = await talk.press("resident", data)
        assert refused[-1].text == texts.AGENDA_NOT_ALLOWED
    assert await _state(talk, code) == "open"


async def test_tabling_an_item_short_of_supports_needs_a_reason(talk):  # noqa: F811
    code = await _open_item(talk)
    asked = (await talk.press("grid_leader", f"yt_meet:{code}:JJ-01-01"))[-1]
    assert "支持人数还未达到 10 人" in asked.text
    await talk.text("grid_leader", "涉及消防安全，需尽快议定")
    timed = (await talk.text("grid_leader", "12-05 14:30"))[-1]
    assert timed.text.startswith(f"已将议题 {code} 列入锦江畔小区议程（会议时间 12-05 14:30）")
    assert await _state(talk, code) == "on_agenda"


async def test_a_decision_without_a_deadline_asks_again_and_back_keeps_the_words(talk):  # noqa: F811
    code = await _open_item(talk)
    await talk.press("grid_leader", f"yt_meet:{code}:JJ-01-01")
    await talk.text("grid_leader", "涉及消防安全")
    await press(talk, "grid_leader", texts.SKIP)
    await talk.press("grid_leader", f"yt_decide:{code}:JJ-01-01")
    await talk.text("grid_leader", "每层加装声控灯")
    owners = offered(talk, "grid_leader")
    typed = await talk.text("grid_leader", "我自己负责")
    assert typed[0].text == texts.AGENDA_OWNER_BY_BUTTON
    await talk.press("grid_leader", data_for(owners, labels(owners)[0]))
    unclear = (await talk.text("grid_leader", "尽快"))[-1]
    assert unclear.text == texts.AGENDA_DEADLINE_NOT_UNDERSTOOD
    back = (await press(talk, "grid_leader", texts.BACK))[-1]
    assert back.text == texts.AGENDA_ASK_OWNER
    await talk.press("grid_leader", data_for(back, labels(back)[0]))
    await talk.text("grid_leader", "14天")
    done = (await talk.text("grid_leader", "采购；安装"))[-1]
    assert done.text.startswith(f"已记录议题 {code} 的决议")
    assert labels(done)[:3] == [texts.AGENDA_PROGRESS, "完成第1项", "完成第2项"]  # the owner
    async with talk.uow() as uow:
        item = await uow.agenda.get(code)
    assert item.tasks == ("采购", "安装") and item.decision == "每层加装声控灯"


async def test_a_leader_raises_an_item_and_the_residents_of_the_level_are_invited(talk):  # noqa: F811
    await onboard_resident_at(talk, "neighbour", HOME)
    listed = (await talk.text("community", "/agenda"))[-1]
    assert listed.text.startswith("您负责的范围内目前没有议题")
    await press(talk, "community", texts.AGENDA_RAISE_BUTTON)
    await talk.text("community", "社区广场晚间噪音治理")
    done = (await talk.text("community", "广场舞音响太响，影响休息"))[-1]
    code = item_code([done])
    assert done.text.startswith(f"已发起议题 {code}") and "江畔社区" in done.text
    invite = offered(talk, "neighbour")
    assert code in invite.text and "噪音" in invite.text and "满 " not in invite.text
    assert labels(invite) == [texts.AGENDA_SUPPORT, texts.AGENDA_COMMENT, texts.AGENDA_VIEW]


async def test_a_cluster_of_reports_is_lifted_into_one_item_and_each_points_to_it(
        talk, point):  # noqa: F811
    from tests.scenarios import order_code, resident_files_rubbish
    await onboard_resident(talk, "resident")
    first = await resident_files_rubbish(talk, "resident", point)
    await onboard_resident(talk, "other")
    await talk.text("other", "/report")
    await talk.press("other", "cat:H01")
    await talk.text("other", "垃圾点又满了")
    await talk.press("other", "skip:")
    offer = (await talk.location("other", *point))[-1]
    assert first in offer.text                          # not the same report: its own order
    await talk.press("other", data_for(offer, texts.METOO_NO))
    await talk.text("other", "跳过")
    second = order_code(await talk.press("other", "confirm:"))
    await talk.press("grid_leader", f"yt_lift:{first}")
    await talk.text("grid_leader", f"锦江畔垃圾点扩容 {second.lower()}")
    done = (await press(talk, "grid_leader", texts.SKIP))[-1]
    code = item_code([done])
    assert first in done.text and second in done.text and "锦江畔小区" in done.text
    for user, order in (("resident", first), ("other", second)):
        assert order in offered(talk, user).text and code in offered(talk, user).text
    async with talk.uow() as uow:
        assert [await uow.agenda.lifted_into(o) for o in (first, second)] == [code, code]
    again = await talk.press("grid_leader", f"yt_lift:{first}")
    assert again[-1].text == texts.AGENDA_ALREADY_LIFTED.format(code=first)


async def outbox_texts(talk, address: str) -> list[str]:  # noqa: F811
    from sqlalchemy import select

    from storage.tables import OutboxRow
    async with talk.uow() as uow:
        payloads = (await uow.session.execute(select(OutboxRow.payload).where(
            OutboxRow.address == address).order_by(OutboxRow.id))).scalars().all()
    return [str(payload.get("text", "")) for payload in payloads]


async def test_delete_erases_a_residents_words_from_what_others_were_told(talk):  # noqa: F811
    """/delete: the proposal quoted in every neighbour's invitation and the comment quoted to
    the proposer go with the person who wrote them; the item's other news stays."""
    await onboard_resident_at(talk, "neighbour", HOME)
    await onboard_resident_at(talk, "resident", HOME)
    await talk.text("resident", "/agenda")
    await press(talk, "resident", texts.AGENDA_PROPOSE_BUTTON)
    await talk.text("resident", "楼道加装声控灯")
    code = item_code(await talk.text("resident", "晚上楼道太黑，老人上下楼不方便"))
    await press(talk, "grid_leader", texts.AGENDA_OPEN)
    await press(talk, "neighbour", texts.AGENDA_COMMENT)
    await talk.text("neighbour", "同意，三楼的灯坏了很久")
    assert any("三楼的灯" in t for t in await outbox_texts(talk, "resident"))
    assert any("老人上下楼" in t for t in await outbox_texts(talk, "neighbour"))

    await talk.text("neighbour", "/delete")
    await press(talk, "neighbour", texts.DELETE_YES)
    assert not any("三楼的灯" in t for t in await outbox_texts(talk, "resident"))
    await talk.text("resident", "/delete")
    await press(talk, "resident", texts.DELETE_YES)
    told = await outbox_texts(talk, "grid_leader") + await outbox_texts(talk, "neighbour")
    assert not any("老人上下楼" in t or "声控灯" in t for t in told)
    assert any(code in t for t in await outbox_texts(talk, "grid_leader"))
