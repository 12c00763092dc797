"""议事 conversations every channel must carry the same way (the `talk` of tests/scenarios.py).

Staff: "leader" holds 锦江畔3号楼, "grid_leader" 锦江畔小区 (the grid), "community" 江畔社区.
Residents live in 锦江畔3号楼. Every press is of a button the person was offered in their
newest message with buttons (the 公众号 answers numbered options, which only that one has).
"""
from __future__ import annotations

import re
from datetime import timedelta

from domain.categories import default_taxonomy
from handlers import texts
from handlers.column import read_column
from tests.scenarios import (
    data_for,
    labels,
    onboard_resident,
    onboard_resident_at,
    resident_files_rubbish,
)

HOME = "锦江畔3号楼"
GRID, COMMUNITY, STREET = "锦江畔小区", "江畔社区", "锦江街道"
NEIGHBOURS = [f"neighbour{n}" for n in range(10)]
ITEM = re.compile(r"YT-\d{8}-\d{4}")
OPINION = "建议在江边步道加装路灯，我叫张伟，电话13912345678，住5号楼2单元301室"


def item_code(messages) -> str:
    for message in reversed(messages):
        found = ITEM.search(message.text)
        if found:
            return found.group(0)
    raise AssertionError(f"no agenda item number in {[m.text for m in messages]}")


def offered(talk, user: str):
    """The newest message that reached `user` with buttons."""
    return next(m for m in reversed(talk.inbox(user)) if m.choices)


async def press(talk, user: str, label: str):
    """Press `label` in the person's newest message with buttons."""
    message = offered(talk, user)
    assert label in labels(message), (user, label, message.text, labels(message))
    return await talk.press(user, data_for(message, label))


def told(talk, user: str, *words: str) -> bool:
    return any(all(word in m.text for word in words) for m in talk.inbox(user))


async def scenario_agenda_from_proposal_to_rating(talk, point) -> None:
    """提议 → 商议 (ten neighbours +1) → the grid's agenda → 上移 to the community's → 决议 with
    an owner and a deadline → progress → residents told → 评议 → closed."""
    await onboard_resident_at(talk, "resident", HOME)
    for user in NEIGHBOURS:
        await onboard_resident_at(talk, user, HOME)

    listed = (await talk.text("resident", "/agenda"))[-1]
    assert COMMUNITY in listed.text
    await press(talk, "resident", texts.AGENDA_PROPOSE_BUTTON)
    await talk.text("resident", "小区门口加装电动车充电桩")
    done = (await talk.text("resident", "楼道里飞线充电太危险，希望在门口空地集中安装"))[-1]
    code = item_code([done])
    assert done.text.startswith(f"已提交议题 {code}")

    review = offered(talk, "grid_leader")
    assert code in review.text and "充电桩" in review.text
    await press(talk, "grid_leader", texts.AGENDA_OPEN)
    assert told(talk, "resident", code, "已开放商议")

    for n, user in enumerate(NEIGHBOURS):
        invite = offered(talk, user)
        assert code in invite.text and "满 10 人支持" in invite.text
        said = (await press(talk, user, texts.AGENDA_SUPPORT))[-1]
        if n < 9:
            assert f"目前 {n + 1} 人支持" in said.text
        else:
            assert f"列入{GRID}议程" in said.text
        if n == 0:
            await press(talk, user, texts.AGENDA_COMMENT)
            commented = (await talk.text(user, "赞成，晚上充电的人多，建议多装几个"))[-1]
            assert commented.text == texts.AGENDA_COMMENTED_DONE
    assert told(talk, "resident", code, "有新评论", "多装几个")

    on_agenda = offered(talk, "grid_leader")
    assert code in on_agenda.text and f"列入{GRID}议程" in on_agenda.text
    assert "10 人支持" in on_agenda.text
    await press(talk, "grid_leader", texts.AGENDA_MOVE_UP)
    moved = (await talk.text("grid_leader", "需要社区协调场地和供电"))[-1]
    assert f"上移至{COMMUNITY}议程" in moved.text

    reached = offered(talk, "community")
    assert code in reached.text and "需要社区协调场地和供电" in reached.text
    await press(talk, "community", texts.AGENDA_DECIDE)
    await talk.text("community", "在小区门口空地安装 20 个充电桩，物业负责维护")
    owners = offered(talk, "community")
    building = next(label for label in labels(owners) if label.startswith(HOME))
    await talk.press("community", data_for(owners, building))
    await talk.text("community", "30")
    decided = (await talk.text("community", "选址\n安装调试"))[-1]
    assert decided.text.startswith(f"已记录议题 {code} 的决议") and HOME in decided.text

    assert told(talk, "resident", code, "已决议", "20 个充电桩", HOME)
    assert told(talk, "neighbour3", code, "已决议")
    owned = offered(talk, "leader")
    assert code in owned.text and "选址" in owned.text and "安装调试" in owned.text
    ticked = (await press(talk, "leader", "完成第1项"))[-1]
    assert "选址（1/2）" in ticked.text
    await press(talk, "leader", texts.AGENDA_PROGRESS)
    saved = (await talk.text("leader", "60 已完成选址，下周安装"))[-1]
    assert f"{code} 进度 60%" in saved.text
    assert told(talk, "neighbour3", code, "进展 60%", "下周安装")

    card = (await talk.text("resident", f"/agenda {code}"))[-1]
    assert "进度：60%" in card.text and "1. 选址（已完成）" in card.text
    await press(talk, "leader", texts.AGENDA_PROGRESS)
    await talk.text("leader", "100 充电桩已投用")
    asked = offered(talk, "resident")
    assert code in asked.text and "已完成" in asked.text and "满意" in labels(asked)
    assert told(talk, "neighbour5", code, "充电桩已投用")
    thanked = (await press(talk, "resident", "满意"))[-1]
    assert thanked.text == texts.AGENDA_RATED_DONE.format(code=code)
    for user, level in (("neighbour1", "非常满意"), ("neighbour2", "基本满意")):
        await talk.text(user, f"/agenda {code}")          # 评议 from the item's card
        await press(talk, user, level)

    closing = (await talk.text("community", f"/agenda {code}"))[-1]
    assert "评议：3 人参与，3 人满意" in closing.text
    await press(talk, "community", texts.AGENDA_CLOSE)
    assert told(talk, "resident", code, "评议结束", "3 人评议")
    points = (await talk.text("neighbour0", "/points"))[-1]
    assert "参与积分：2 分" in points.text           # a support and a comment


async def scenario_leader_lifts_an_order_into_an_item(talk, point) -> None:
    """转为议题 on the order's card: the item names the order, the order points to the item,
    the reporter hears where the report went."""
    await onboard_resident(talk, "resident")
    order = await resident_files_rubbish(talk, "resident", point)
    todo = (await talk.text("leader", "/todo"))[-1]
    card = (await talk.press("leader", data_for(todo, order)))[-1]
    assert order in card.text and texts.AGENDA_LIFT in labels(card)
    await talk.press("leader", data_for(card, texts.AGENDA_LIFT))
    await talk.text("leader", "3号楼垃圾清运点需要重新规划")
    done = (await press(talk, "leader", texts.SKIP))[-1]
    code = item_code([done])
    assert order in done.text and HOME in done.text

    heard = offered(talk, "resident")
    assert order in heard.text and code in heard.text
    async with talk.uow() as uow:
        assert await uow.agenda.lifted_into(order) == code
        assert (await uow.agenda.get(code)).order_codes == (order,)
    mine = (await talk.text("resident", "/my"))[-1]
    detail = (await talk.press("resident", data_for(mine, order)))[-1]
    assert "提升为议题" in detail.text and texts.AGENDA_ORDER_LIFTED.format(code=code) in labels(
        detail)


async def scenario_opinion_reaches_the_street_and_the_column(talk, point) -> None:
    """/opinion to the street: stored for its staff as written, shown scrubbed in the
    community's 群众反映."""
    await onboard_resident_at(talk, "resident", HOME)
    asked = (await talk.text("resident", "/opinion"))[-1]
    await talk.press("resident", data_for(asked, f"街道：{STREET}"))
    sent = (await talk.text("resident", OPINION))[-1]
    assert f"已直报{STREET}" in sent.text
    async with talk.uow() as uow:
        now = uow.clock.now()
        reached = await uow.opinions.sent_to("JJ", now - timedelta(days=1), now + timedelta(1))
        assert [opinion.text for opinion in reached] == [OPINION]
        column = await read_column(uow, await uow.grids.tree(), default_taxonomy(), "JJ-01",
                                   now - timedelta(days=30), now + timedelta(minutes=1), now)
    samples = " ".join(s for voice in column["voices"] for s in voice["samples"])
    assert "路灯" in samples
    for planted in ("张伟", "13912345678", "301"):
        assert planted not in samples, samples
