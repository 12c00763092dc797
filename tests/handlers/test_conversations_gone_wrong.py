"""Conversations that go wrong, tried as a newcomer would: old buttons, dead ends, stuck steps.

Each test is named after the finding it checks. An old button is one pressed after its moment:
it must answer one sentence naming the order or step, change nothing, and leave the
conversation where it was, so that the next ordinary message is served as if it never came.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any, get_type_hints

from domain.orders import State
from handlers import actions, texts, use_cases
from handlers.work import Work
from tests.scenarios import (
    BUILDING,
    data_for,
    labels,
    onboard_resident,
    resident_files_rubbish,
    resident_reaches_confirm,
)

MENU_DATA = ["menu:report", "menu:my", "menu:grid", "menu:agenda"]


def datas(message) -> list[str]:
    return [c.data for c in message.choices]


async def state_of(talk, code: str) -> State:
    async with talk.uow() as uow:
        order = await uow.orders.get(code)
    assert order is not None
    return order.state


async def resolved_order(talk, point) -> str:
    """A rubbish report taken through 签收 and 办结: the reporter is asked to rate."""
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"resolve:{code}")
    await talk.text("leader", "已清运完毕")
    await talk.press("leader", f"finish:{code}")
    return code


async def closed_order(talk, point) -> str:
    """A rubbish report taken through 签收 and 办结 to a satisfied rating."""
    code = await resolved_order(talk, point)
    await talk.press("resident", f"solved:{code}:1")
    done = await talk.press("resident", f"rate:{code}:1:satisfied")
    assert f"{code} 已结案" in done[-1].text
    return code


async def test_stuck_after_an_old_button(talk, point):
    code = await closed_order(talk, point)
    old = (await talk.press("resident", f"solved:{code}:0"))[-1]
    assert code in old.text and "过时" in old.text
    assert not any(d.startswith("rate:") for d in datas(old))          # no rating offered again
    old = (await talk.press("resident", f"rate:{code}:0:unsatisfied"))[-1]
    assert code in old.text and texts.ASK_UNSATISFIED_REASON not in old.text
    # The next ordinary message is served as ever: a new report starts.
    answer = (await talk.text("resident", "小区门口路灯不亮"))[-1]
    assert "已结案" not in answer.text and "类别" in answer.text
    cancelled = (await talk.text("resident", "取消"))[-1]
    assert cancelled.text == texts.CANCELLED
    assert await state_of(talk, code) is State.CLOSED


async def test_unsatisfied_step_does_not_outlive_its_order(talk, point, services):
    """A reason asked for an order that closed meanwhile: one sentence, then free again."""
    code = await resolved_order(talk, point)
    await talk.press("resident", f"solved:{code}:0")
    asked = (await talk.press("resident", f"rate:{code}:0:unsatisfied"))[-1]
    assert asked.text == texts.ASK_UNSATISFIED_REASON
    async with talk.uow() as uow:          # the rating window closes the order meanwhile
        await use_cases.close_unrated(Work(uow, talk.chat.deps), code)
        await uow.commit()
    gone = (await talk.text("resident", "还是很脏"))[-1]
    assert code in gone.text
    answer = (await talk.text("resident", "小区门口路灯不亮"))[-1]
    assert "类别" in answer.text


async def home_of(talk, user: str) -> str | None:
    async with talk.uow() as uow:
        return (await uow.people.by_channel(talk.channel, user)).home_grid


async def test_old_buttons_act_on_the_present_home(talk, point):
    await talk.text("resident", "/start")
    await talk.press("resident", "consent:yes")
    await talk.press("resident", "role:resident")
    offered = (await talk.text("resident", "锦江畔小区三栋"))[-1]
    await talk.press("resident", data_for(offered, labels(offered)[0]))
    home = await home_of(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:P03")                  # now at the description
    old = (await talk.press("resident", "home:JJ-01"))[-1]
    assert "过时" in old.text and "设置常住网格" in old.text
    assert await home_of(talk, "resident") == home != "JJ-01"
    going_on = (await talk.text("resident", "路灯不亮"))[-1]     # the report goes on
    assert going_on.text == texts.ASK_PHOTOS.format(n=3)


async def test_old_buttons_act_on_the_present_confirm_after_cancel(talk, point):
    await onboard_resident(talk, "resident")
    await resident_reaches_confirm(talk, "resident", point)
    assert (await talk.press("resident", "cancel"))[-1].text == texts.CANCELLED
    old = (await talk.press("resident", "confirm:"))[-1]
    assert "过时" in old.text and "确认提交" in old.text
    assert not any(d.startswith("cat:") for d in datas(old))
    mine = (await talk.text("resident", "/my"))[-1]
    assert mine.text == texts.MY_EMPTY


async def test_old_buttons_act_on_the_present_sign_after_return(talk, point):
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"return:{code}")
    await talk.text("leader", "这是隔壁小区的垃圾点")
    old = (await talk.press("leader", f"sign:{code}"))[-1]
    assert code in old.text and old.text != texts.NOT_ALLOWED and "过时" in old.text
    assert await state_of(talk, code) is State.DISPATCHED


async def test_typed_cancel_at_the_location_step(talk, point):
    await onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    await talk.text("resident", "楼下垃圾三天没人清运了")
    where = (await talk.press("resident", "skip:"))[-1]
    assert "位置" in where.text or "地点" in where.text
    cancelled = (await talk.text("resident", "取消"))[-1]
    assert cancelled.text == texts.CANCELLED
    assert (await talk.text("resident", "/cancel"))[-1].text == texts.NOTHING_TO_CANCEL
    for word in ("退出", "取消"):
        await talk.text("resident", "/report")
        await talk.press("resident", "cat:H01")
        assert (await talk.text("resident", word))[-1].text == texts.CANCELLED


async def test_typed_cancel_at_the_leaders_reason_step(talk, point):
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    for word in ("取消", "退出", "返回"):
        await talk.press("leader", f"return:{code}")
        assert (await talk.text("leader", word))[-1].text == texts.CANCELLED
    assert await state_of(talk, code) is State.DISPATCHED
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"resolve:{code}")
    assert (await talk.text("leader", "返回"))[-1].text == texts.CANCELLED
    assert await state_of(talk, code) is State.ACCEPTED


async def test_way_back_from_a_sub_category_list(talk, services):
    await onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    tops = (await talk.press("resident", "cats:"))[-1]
    top = services.taxonomy.top_levels()[-1]
    sub = (await talk.press("resident", data_for(tops, top)))[-1]
    assert texts.BACK in labels(sub) and texts.CANCEL in labels(sub)
    up = (await talk.text("resident", "返回"))[-1]
    assert up.text != texts.BACK_FIRST and f"cats:{top}" in datas(up)
    up = (await talk.text("resident", "返回"))[-1]
    assert "cat:H01" in datas(up)                            # the common categories again


async def test_dead_ends_after_filing_and_cancelling(talk, point):
    await onboard_resident(talk, "resident")
    await resident_reaches_confirm(talk, "resident", point)
    filed = (await talk.press("resident", "confirm:"))[-1]
    assert filed.text.startswith("已提交工单") and datas(filed) == MENU_DATA
    await talk.text("resident", "/report")
    cancelled = (await talk.press("resident", "cancel"))[-1]
    assert cancelled.text == texts.CANCELLED and datas(cancelled) == MENU_DATA


async def test_dead_ends_after_rating(talk, point):
    await closed_order(talk, point)
    rated = [m for m in talk.inbox("resident") if "已结案" in m.text and "感谢" in m.text]
    assert rated and datas(rated[-1]) == MENU_DATA


async def test_dead_ends_after_progress(talk, point):
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"progress:{code}")
    saved = (await talk.text("leader", "已联系保洁公司"))[-1]
    assert saved.text == texts.PROGRESS_SAVED
    assert f"resolve:{code}" in datas(saved) and f"progress:{code}" in datas(saved)


async def test_deadlines_without_their_name(talk, point):
    await onboard_resident(talk, "resident")
    first = await resident_files_rubbish(talk, "resident", point)
    mine = (await talk.text("resident", "/my"))[-1]
    line = next(x for x in mine.text.splitlines() if first in x)
    assert "签收时限" in line
    await talk.press("leader", f"sign:{first}")
    line = next(x for x in (await talk.text("resident", "/my"))[-1].text.splitlines() if first in x)
    assert "办结时限" in line
    await talk.press("leader", f"resolve:{first}")
    await talk.text("leader", "已清运完毕")
    await talk.press("leader", f"finish:{first}")
    await talk.press("resident", f"solved:{first}:1")
    await talk.press("resident", f"rate:{first}:1:satisfied")
    await talk.press("resident", "menu:report")
    second = await _file_again(talk, point)
    lines = [x for x in (await talk.text("resident", "/my"))[-1].text.splitlines()
             if first in x or second in x]
    assert len(lines) == 2
    assert len({line.index("WG-") for line in lines}) == 1     # aligned, dot or none
    todo = (await talk.text("leader", "/todo"))[-1]
    assert "签收时限" in todo.text


async def _file_again(talk, point) -> str:
    from tests.scenarios import order_code
    await talk.press("resident", "cat:P03")
    await talk.text("resident", "路灯不亮")
    await talk.press("resident", "skip:")
    answer = (await talk.location("resident", *point))[-1]
    if texts.ASK_PHONE in answer.text:
        await talk.text("resident", "跳过")
    return order_code(await talk.press("resident", "confirm:"))


# --- every button after its moment ---------------------------------------------------------------

def _sample(kind: type[actions.Action], code: str, services) -> list[actions.Action]:
    """Instances of `kind` as an old message would carry them, acting on `code`."""
    given: dict[str, Any] = {"code": code, "place": BUILDING, "grid": "JJ-01",
                             "category": "H01", "top": services.taxonomy.top_levels()[0],
                             "kind": "rider", "platform": "美团", "item": "my",
                             "unit": BUILDING, "level": "unsatisfied", "days": 3}
    hints = get_type_hints(kind)
    variants: list[dict[str, Any]] = [{}]
    for spec in fields(kind):
        hint = hints[spec.name]
        if hint is bool:
            variants = [{**v, spec.name: flag} for v in variants for flag in (False, True)]
        elif isinstance(hint, type) and issubclass(hint, actions.StrEnum):
            variants = [{**v, spec.name: value} for v in variants for value in hint]
        else:
            variants = [{**v, spec.name: given.get(spec.name, code)} for v in variants]
    return [kind(**values) for values in variants]


async def test_every_button_after_its_moment(talk, point, services):
    code = await closed_order(talk, point)
    for kind in actions.kinds().values():
        for action in _sample(kind, code, services):
            for user in ("resident", "leader"):
                answer = await talk.press(user, action.encode())
                assert answer, (user, action)
                assert all("没太明白" not in m.text for m in answer), (user, action)
                served = (await talk.text(user, "小区门口路灯不亮"))[-1]
                assert "类别" in served.text, (user, action, [m.text for m in answer], served.text)
                await talk.text(user, "/cancel")
            assert await state_of(talk, code) is State.CLOSED, action


async def test_old_buttons_act_on_the_present_sign_after_escalation(talk, point):
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"up:{code}")
    await talk.text("leader", "需要网格统一协调清运车辆")
    for old in (f"sign:{code}", f"return:{code}", f"up:{code}"):
        answer = (await talk.press("leader", old))[-1]
        assert code in answer.text and "过时" in answer.text, old
    assert (await talk.text("leader", "小区门口路灯不亮"))[-1].text != texts.STALE_ORDER


async def test_every_order_button_after_its_moment_leaves_a_report_where_it_was(
        talk, point, services):
    code = await closed_order(talk, point)
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:P03")                          # at the description
    for kind in actions.kinds().values():
        if "code" not in {spec.name for spec in fields(kind)}:
            continue
        for action in _sample(kind, code, services):
            answer = await talk.press("resident", action.encode())
            # One sentence (out of date, or a refusal), no question of its own.
            assert len(answer) == 1 and not answer[0].choices, (action, answer)
    going_on = (await talk.text("resident", "路灯不亮"))[-1]
    assert going_on.text == texts.ASK_PHOTOS.format(n=3)
