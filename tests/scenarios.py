"""Conversations every channel must carry the same way; each test module supplies a `talk`.

A `talk` drives one channel: `await talk.text(user, "…")`, `press`, `location`, `photo` return
the messages that reached `user` in answer; `talk.inbox(user)` is everything `user` received.
Users named leader / grid_leader / community are bound to staff of the sample district by invite.
"""
from __future__ import annotations

import io
import re

from PIL import Image

BUILDING = "JJ-01-01-03"          # 锦江畔3号楼, its leader plays "leader"
CODE = re.compile(r"WG-\d{8}-\d{4}")


def phone_photo(exif: bool = True) -> bytes:
    """A small real JPEG (larger than the 90 px thumbnail Telegram adds), as a phone sends it: with GPS EXIF telling where it was taken."""
    tags = Image.Exif()
    if exif:
        tags[0x8825] = {1: "N", 2: (30.0, 39.0, 15.0), 3: "E", 4: (104.0, 4.0, 27.0)}
    buffer = io.BytesIO()
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
    asked = (await talk.location(user, *point))[-1]
    assert "留个电话" in asked.text                    # a first report asks for a number
    return (await talk.text(user, "跳过"))[-1]


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
    await talk.press("grid_leader", target)
    assert code in talk.inbox("leader")[-1].text or code in talk.inbox("grid_leader")[-1].text


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
