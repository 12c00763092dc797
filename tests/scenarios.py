"""Conversations every channel must carry the same way; each test module supplies a `talk`.

A `talk` drives one channel: `await talk.text(user, "…")`, `press`, `location`, `photo` return
the messages that reached `user` in answer; `talk.inbox(user)` is everything `user` received.
Users named leader / grid_leader / community are bound to staff of the sample district by invite.
"""
from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import delete

from handlers import texts
from storage.tables import MembershipRow

BUILDING = "JJ-01-01-03"          # 锦江畔3号楼, its leader plays "leader"
BUILDING_CHAIN = (BUILDING, "JJ-01-01", "JJ-01", "JJ")
OPERATOR = "P0002"                # a roster entry with a chat account: the one "community" plays
CODE = re.compile(r"WG-\d{8}-\d{4}")


def phone_photo(exif: bool = True) -> bytes:
    """A small real JPEG, as a phone sends it: with GPS EXIF telling where it was taken."""
    tags = Image.Exif()
    if exif:
        tags[0x8825] = {1: "N", 2: (30.0, 39.0, 15.0), 3: "E", 4: (104.0, 4.0, 27.0)}
    buffer = io.BytesIO()
    # Larger than the 90-pixel thumbnail Telegram offers beside it, as any real photo is.
    Image.new("RGB", (160, 120), (200, 80, 40)).save(buffer, "JPEG", exif=tags.tobytes())
    return buffer.getvalue()


def labels(message) -> list[str]:
    return [c.label for c in message.choices]


def data_for(message, label: str) -> str:
    return next(c.data for c in message.choices if c.label == label)


def order_code(messages) -> str:
    for message in reversed(messages):
        found = CODE.search(message.text)
        if found:
            return found.group(0)
    raise AssertionError(f"no order number in {[m.text for m in messages]}")


async def onboard_resident(talk, user: str) -> None:
    notice = (await talk.text(user, "/start"))[-1]
    assert "隐私" in notice.text or "我们保存" in notice.text
    await talk.press(user, "consent:yes")
    await talk.press(user, "role:resident")
    await talk.press(user, "home:skip")


async def onboard_rider(talk, user: str) -> None:
    await talk.text(user, "/start")
    await talk.press(user, "consent:yes")
    await talk.press(user, "role:rider")
    await talk.press(user, "platform:美团")


async def resident_reaches_confirm(talk, user: str, point, text: str = "楼下垃圾三天没人清运了"):
    """A rubbish report up to its summary; returns the summary."""
    await talk.text(user, "/report")
    await talk.press(user, "cat:H01")
    await talk.text(user, text)
    await talk.press(user, "skip:")
    answer = (await talk.location(user, *point))[-1]     # the phone question, or a me-too offer
    if asks(answer, texts.ASK_PHONE):
        return (await talk.text(user, "跳过"))[-1]
    return answer


async def resident_files_rubbish(talk, user: str, point) -> str:
    summary = await resident_reaches_confirm(talk, user, point)
    assert "请确认" in summary.text and "锦江畔3号楼" in summary.text
    filed = await talk.press(user, "confirm:")
    assert filed[-1].text.startswith("已提交工单 WG-")
    return order_code(filed)


def reporter_told_signed(news, code: str) -> bool:
    """Among messages that arrived after a 签收, the notice that the order is being handled."""
    return any(f"工单 {code} 已由" in m.text and "签收，正在办理" in m.text for m in news)


async def scenario_report_to_close(talk, point) -> None:
    """A resident's report reaches the building's leader → 签收 → 进展 → 办结 → rating → closed."""
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    new = talk.inbox("leader")[-1]
    assert code in new.text and labels(new) == ["签收", "退回", "上报"]

    told_before = len(talk.inbox("resident"))
    signed = await talk.press("leader", data_for(new, "签收"))
    assert any(f"已签收 {code}" in m.text for m in signed)
    # The notice itself (the filing confirmation already says "签收时限"):
    assert reporter_told_signed(talk.inbox("resident")[told_before:], code)

    await talk.press("leader", f"progress:{code}")
    await talk.text("leader", "已联系保洁公司，今天下午清运")
    assert "今天下午清运" in talk.inbox("resident")[-1].text

    await talk.press("leader", f"resolve:{code}")
    await talk.text("leader", "已清运完毕")
    await talk.press("leader", f"finish:{code}")
    ask = talk.inbox("resident")[-1]
    assert "已清运完毕" in ask.text and labels(ask) == ["已解决", "未解决"]
    rating = (await talk.press("resident", data_for(ask, "已解决")))[-1]
    assert labels(rating)[:3] == ["非常满意", "满意", "基本满意"]
    done = await talk.press("resident", data_for(rating, "满意"))
    assert f"{code} 已结案" in done[-1].text
    mine = (await talk.text("resident", "/my"))[-1]
    assert code in mine.text and "已结案" in mine.text


async def scenario_rider_quick_path(talk, point) -> None:
    """Photo + pin + one tap on a category files it."""
    await onboard_rider(talk, "rider")
    await talk.photo("rider", phone_photo(), "")
    categories = (await talk.location("rider", *point))[-1]
    assert "类别" in categories.text
    filed = await talk.press("rider", "cat:S02")
    assert filed[-1].text.startswith("已提交工单 WG-")
    assert "飞线充电" in talk.inbox("leader")[-1].text


async def scenario_address_disambiguation(talk) -> None:
    await onboard_resident(talk, "resident")
    await talk.text(talk_user := "resident", "/report")
    await talk.press(talk_user, "cat:P03")
    await talk.text(talk_user, "路灯不亮")
    await talk.press(talk_user, "skip:")
    offered = (await talk.text(talk_user, "锦江畔小区三栋"))[-1]
    assert labels(offered)[0] == "锦江畔3号楼"
    await talk.press(talk_user, data_for(offered, "锦江畔3号楼"))
    summary = (await talk.text(talk_user, "跳过"))[-1]               # no phone left
    assert "锦江畔3号楼" in summary.text
    await talk.press(talk_user, "confirm:")
    assert "路灯不亮" in talk.inbox("leader")[-1].text


async def scenario_me_too(talk, point) -> None:
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await onboard_resident(talk, "neighbour")
    await talk.text("neighbour", "/report")
    await talk.press("neighbour", "cat:H01")
    await talk.text("neighbour", "垃圾堆满了")
    await talk.press("neighbour", "skip:")
    offer = (await talk.location("neighbour", *point))[-1]
    assert code in offer.text and "同一个问题" in labels(offer)[0]
    followed = await talk.press("neighbour", data_for(offer, labels(offer)[0]))
    assert f"已为您关注工单 {code}" in followed[-1].text
    told_before = len(talk.inbox("neighbour"))
    await talk.press("leader", f"sign:{code}")
    # A follower is told like the reporter, by a message of its own after the leader's 签收.
    assert reporter_told_signed(talk.inbox("neighbour")[told_before:], code)


async def scenario_return_and_redispatch(talk, point) -> None:
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"return:{code}")
    await talk.text("leader", "这是隔壁小区的垃圾点")
    queued = talk.inbox("grid_leader")[-1]
    assert code in queued.text and "退单" in queued.text and "派单" in labels(queued)
    menu = (await talk.press("grid_leader", data_for(queued, "派单")))[-1]
    target = next(c.data for c in menu.choices if c.data.startswith(f"to:{code}:JJ-01-01-"))
    assert target == f"to:{code}:{BUILDING}"               # the order's own place is offered first
    told_before = len(talk.inbox("leader"))
    await talk.press("grid_leader", target)
    # The building's leader gets the order again (the dispatcher's own "已将…派给" is not it).
    redispatched = talk.inbox("leader")[told_before:]
    assert any(code in m.text and "签收" in labels(m) for m in redispatched)


async def scenario_escalation(talk, point) -> None:
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"up:{code}")
    await talk.text("leader", "需要网格统一协调清运车辆")
    up = talk.inbox("grid_leader")[-1]
    assert code in up.text and "需要网格统一协调" in up.text
    assert "上报" in talk.inbox("resident")[-1].text


async def scenario_unauthorised_action_refused(talk, point) -> None:
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await onboard_resident(talk, "stranger")
    refused = await talk.press("stranger", f"sign:{code}")
    assert "无权" in refused[-1].text
    peek = await talk.press("stranger", f"detail:{code}")
    assert "无权查看" in peek[-1].text
    mine = (await talk.text("resident", "/my"))[-1]
    assert code in mine.text and "已派单" in mine.text          # nobody signed for it


async def scenario_duplicate_delivery_makes_one_order(talk, point) -> None:
    await onboard_resident(talk, "resident")
    await resident_reaches_confirm(talk, "resident", point, "垃圾")
    first = await talk.press("resident", "confirm:", update_id="same-tap")
    again = await talk.press("resident", "confirm:", update_id="same-tap")
    assert first[-1].text.startswith("已提交工单") and again == []
    mine = (await talk.text("resident", "/my"))[-1]
    assert len(CODE.findall(mine.text)) == 1


async def scenario_delete_then_my(talk, point) -> None:
    """/delete, confirmed, forgets the person: /my then shows a stranger, /start asks consent."""
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    assert code in (await talk.text("resident", "/my"))[-1].text
    ask = (await talk.text("resident", "/delete"))[-1]
    assert labels(ask) == ["确认删除", "不删除"]
    done = (await talk.press("resident", data_for(ask, "确认删除")))[-1]
    assert "已删除您的个人信息" in done.text
    mine = (await talk.text("resident", "/my"))[-1]
    assert code not in mine.text and "还没有上报过工单" in mine.text
    notice = (await talk.text("resident", "/start"))[-1]
    assert "我们保存" in notice.text and "同意并继续" in labels(notice)


async def leave_chain_unstaffed(services, deps) -> None:
    """No one on the building's chain up to the street; the operator is set (to "community")."""
    async with services.uow() as uow:
        await uow.session.execute(
            delete(MembershipRow).where(MembershipRow.grid_code.in_(BUILDING_CHAIN)))
        await uow.commit()
    deps.operator = OPERATOR


async def scenario_unstaffed_order_reaches_the_operator(talk, point) -> None:
    """Run after `leave_chain_unstaffed`: the operator gets the order with a clock and signs."""
    await onboard_resident(talk, "resident")
    await resident_reaches_confirm(talk, "resident", point)
    filed = (await talk.press("resident", "confirm:"))[-1]
    code = order_code([filed])
    assert "负责：值班员（锦江畔3号楼所在网格及上级暂无负责人）" in filed.text
    assert re.search(r"签收时限：\d\d-\d\d \d\d:\d\d", filed.text)      # a real deadline
    new = talk.inbox("community")[-1]
    assert code in new.text and labels(new) == ["签收", "退回", "上报"]
    assert re.search(r"签收时限：\d\d-\d\d \d\d:\d\d", new.text)
    signed = await talk.press("community", data_for(new, "签收"))
    assert any(f"已签收 {code}" in m.text for m in signed)
    assert "正在办理" in talk.inbox("resident")[-1].text


# --- Dialogs people can finish: back, three photos, 办结 in any order, district examples -------

def asks(message, prompt: str) -> bool:
    """The message is the question `prompt` (a catalogue sentence, its example filled in)."""
    return message.text.split("\n")[-1].startswith(prompt.split("{")[0])


async def scenario_back_at_every_step(talk, point) -> None:
    """返回上一步 from each step of a report asks the step before again, keeping what was given."""
    await onboard_resident(talk, "resident")
    first = (await talk.text("resident", "/report"))[-1]
    assert asks(first, texts.ASK_CATEGORY) and texts.BACK not in labels(first)
    described = (await talk.press("resident", "cat:H01"))[-1]
    assert asks(described, texts.ASK_DESCRIPTION) and texts.BACK in labels(described)
    again = (await talk.press("resident", "back:"))[-1]                  # description → category
    assert asks(again, texts.ASK_CATEGORY) and "垃圾" in again.text     # the category is kept
    await talk.press("resident", "cat:H01")
    photos = (await talk.text("resident", "楼下垃圾三天没人清运了"))[-1]
    assert asks(photos, texts.ASK_PHOTOS)
    again = (await talk.press("resident", "back:"))[-1]                  # photos → description
    assert asks(again, texts.ASK_DESCRIPTION) and "楼下垃圾三天没人清运了" in again.text
    photos = (await talk.press("resident", data_for(again, texts.KEEP)))[-1]
    assert asks(photos, texts.ASK_PHOTOS)
    await talk.photo("resident", phone_photo(), "")
    where = (await talk.press("resident", "skip:"))[-1]
    assert asks(where, texts.ASK_LOCATION)
    again = (await talk.press("resident", "back:"))[-1]                  # location → photos
    assert "已收到 1 张照片" in again.text, [m.text for m in talk.inbox("resident")[-6:]]
    where = (await talk.press("resident", "skip:"))[-1]
    assert asks(where, texts.ASK_LOCATION)
    phone = (await talk.location("resident", *point))[-1]
    assert asks(phone, texts.ASK_PHONE)
    summary = (await talk.text("resident", "跳过"))[-1]
    assert "请确认" in summary.text and texts.BACK in labels(summary)
    again = (await talk.text("resident", "返回"))[-1]                     # confirm → phone, typed
    assert asks(again, texts.ASK_PHONE)
    again = (await talk.press("resident", "back:"))[-1]                  # phone → location
    assert asks(again, texts.ASK_LOCATION) and "锦江畔3号楼" in again.text
    offered = (await talk.text("resident", "锦江畔小区三栋"))[-1]
    assert labels(offered)[0] == "锦江畔3号楼" and texts.BACK in labels(offered)
    again = (await talk.press("resident", "back:"))[-1]                  # address list → location
    assert asks(again, texts.ASK_LOCATION) and "锦江畔3号楼" in again.text
    phone = (await talk.press("resident", data_for(again, texts.KEEP)))[-1]
    assert asks(phone, texts.ASK_PHONE)                # gone back past it: asked again
    summary = (await talk.text("resident", "跳过"))[-1]
    assert "请确认" in summary.text
    assert "楼下垃圾三天没人清运了" in summary.text and "照片：1 张" in summary.text
    filed = await talk.press("resident", "confirm:")
    assert filed[-1].text.startswith("已提交工单 WG-")
    assert "楼下垃圾三天没人清运了" in talk.inbox("leader")[-1].text


async def scenario_back_on_rider_quick_path(talk, point) -> None:
    """A rider's category question goes back to the pin; the first question has nothing before."""
    await onboard_rider(talk, "rider")
    where = (await talk.photo("rider", phone_photo(), ""))[-1]
    assert asks(where, texts.ASK_LOCATION) and texts.BACK not in labels(where)
    categories = (await talk.location("rider", *point))[-1]
    assert "类别" in categories.text and texts.BACK in labels(categories)
    again = (await talk.press("rider", "back:"))[-1]
    assert asks(again, texts.ASK_LOCATION) and "锦江畔3号楼" in again.text
    first = await talk.text("rider", "上一步")
    assert first[0].text == texts.BACK_FIRST and asks(first[-1], texts.ASK_LOCATION)
    categories = (await talk.press("rider", data_for(again, texts.KEEP)))[-1]
    assert "类别" in categories.text
    filed = await talk.press("rider", "cat:S02")
    assert filed[-1].text.startswith("已提交工单 WG-")


async def scenario_three_photos_collected(talk, point) -> None:
    """Photos sent one by one (as an album arrives) are all kept, up to three, then it moves on."""
    await onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    await talk.text("resident", "垃圾桶满了")
    first = (await talk.photo("resident", phone_photo(), ""))[-1]
    assert "已收到第 1 张照片" in first.text and texts.PHOTOS_DONE in labels(first)
    second = (await talk.photo("resident", phone_photo(), ""))[-1]
    assert "已收到第 2 张照片" in second.text and texts.PHOTOS_DONE in labels(second)
    third = await talk.photo("resident", phone_photo(), "")
    assert any("已收到第 3 张照片" in m.text for m in third)
    assert asks(third[-1], texts.ASK_LOCATION)                            # moved on by itself
    await talk.location("resident", *point)
    summary = (await talk.text("resident", "跳过"))[-1]                   # no phone left
    assert "照片：3 张" in summary.text


async def _leader_holds_an_order(talk, point) -> str:
    await onboard_resident(talk, "resident")
    code = await resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"resolve:{code}")
    return code


async def scenario_resolve_photo_then_note(talk, point) -> None:
    """办结: a photo without a caption is kept, then the note; 完成办结 files both."""
    code = await _leader_holds_an_order(talk, point)
    kept = (await talk.photo("leader", phone_photo(), ""))[-1]
    assert "已收到第 1 张办结照片" in kept.text
    noted = (await talk.text("leader", "已清运完毕"))[-1]
    assert texts.RESOLVE_FINISH in labels(noted) and "已附 1 张照片" in noted.text
    await talk.press("leader", data_for(noted, texts.RESOLVE_FINISH))
    assert any(f"已办结 {code}" in m.text for m in talk.inbox("leader")[-2:])
    ask = talk.inbox("resident")[-1]
    assert "已清运完毕" in ask.text and labels(ask) == ["已解决", "未解决"]
    assert ask.photo, "the reporter sees the leader's photo with the question"


async def scenario_resolve_note_then_photo(talk, point) -> None:
    """办结: the note first, then a photo: the photo joins the same resolution, no new report."""
    code = await _leader_holds_an_order(talk, point)
    noted = (await talk.text("leader", "已清运完毕"))[-1]
    assert texts.RESOLVE_FINISH in labels(noted)
    kept = (await talk.photo("leader", phone_photo(), ""))[-1]
    assert "已附 1 张照片" in kept.text and "类别" not in kept.text     # not a new report
    await talk.press("leader", data_for(kept, texts.RESOLVE_FINISH))
    ask = talk.inbox("resident")[-1]
    assert code in ask.text and "已清运完毕" in ask.text
    assert ask.photo, "the photo sent after the note is part of the resolution"


async def onboard_resident_at(talk, user: str, building: str) -> str:
    """A resident who gives their building at /start; returns the home question they saw."""
    await talk.text(user, "/start")
    await talk.press(user, "consent:yes")
    asked = (await talk.press(user, "role:resident"))[-1]
    offered = (await talk.text(user, building))[-1]
    await talk.press(user, data_for(offered, building))
    return asked.text


async def scenario_example_from_home_grid(talk) -> None:
    """The address example is the resident's own building, not the sample's 锦江畔3号楼."""
    home = await onboard_resident_at(talk, "resident", "翠湖园2号楼")
    assert "锦江畔3号楼" not in home
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:P03")
    await talk.text("resident", "路灯不亮")
    where = (await talk.press("resident", "skip:"))[-1]
    assert asks(where, texts.ASK_LOCATION) and "如“翠湖园2号楼”" in where.text


# --- The handler's view: photos, voice note, pin and the reporter's phone -----------------------
PHONE = "13800138000"
OGG = b"OggS\x00\x02" + bytes(40)     # the first bytes of a voice note; nobody plays it here


def near(pin, expected, tolerance: float = 1e-5) -> bool:
    return (pin is not None and abs(pin.lat - expected[0]) < tolerance
            and abs(pin.lng - expected[1]) < tolerance)


async def resident_files_with(talk, user: str, point, photos: int = 0, voice: bool = False,
                              phone: str | None = None) -> str:
    """A rubbish report with photos or a voice note, and the phone step answered."""
    await talk.text(user, "/report")
    await talk.press(user, "cat:H01")
    if voice:
        await talk.voice(user, OGG)
    else:
        await talk.text(user, "井盖边上堆了一大堆垃圾")
    for n in range(photos):
        await talk.photo(user, phone_photo(exif=n % 2 == 0))
    if not photos:
        await talk.press(user, "skip:")
    asked = (await talk.location(user, *point))[-1]
    assert "留个电话" in asked.text
    summary = (await (talk.contact(user, phone) if phone else talk.text(user, "跳过")))[-1]
    assert "请确认" in summary.text, summary
    return order_code(await talk.press(user, "confirm:"))


async def scenario_leader_receives_photos_and_pin(talk, point) -> None:
    """The new order reaches its leader with the reporter's two photos and the pin."""
    await onboard_resident(talk, "resident")
    code = await resident_files_with(talk, "resident", point, photos=2)
    new = talk.inbox("leader")[-1]
    assert code in new.text and labels(new) == ["签收", "退回", "上报"]
    assert len(new.photos) == 2, new
    assert near(new.location, talk.pin_expected(point)), new.location
    assert "锦江畔3号楼" in new.location.title


async def scenario_voice_note_reaches_leader_as_audio(talk, point) -> None:
    await onboard_resident(talk, "resident")
    code = await resident_files_with(talk, "resident", point, voice=True)
    new = talk.inbox("leader")[-1]
    assert code in new.text and new.voice, new


async def scenario_contact_shared_then_viewed_by_the_holder_only(talk, point) -> None:
    """The reporter leaves a number; the leader sees only that one was left, presses 查看联系方式
    and reads it (the look recorded); the leader's superior pressing the same is refused."""
    await onboard_resident(talk, "resident")
    code = await resident_files_with(talk, "resident", point, phone=PHONE)
    new = talk.inbox("leader")[-1]
    assert code in new.text and PHONE not in new.text and "查看联系方式" in labels(new)
    assert not any(PHONE in m.text for m in talk.inbox("grid_leader"))

    refused = await talk.press_unoffered("grid_leader", f"contact:{code}")
    assert refused and not any(PHONE in m.text for m in refused)
    assert await contact_views(talk, code) == []

    shown = await talk.press("leader", data_for(new, "查看联系方式"))
    assert any(PHONE in m.text for m in shown)
    assert await contact_views(talk, code) == [await person_of(talk, "leader")]


async def contact_views(talk, code: str) -> list[int]:
    """Who looked at the reporter's number of order `code`, one entry per look."""
    async with talk.uow() as uow:
        return [e.actor_id for e in await uow.events.for_order(code)
                if e.kind == "contact_viewed" and e.at is not None]


async def person_of(talk, user: str) -> int:
    async with talk.uow() as uow:
        return (await uow.people.by_channel(*talk.account(user))).id
