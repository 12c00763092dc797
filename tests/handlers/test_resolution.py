"""办结 collects a note and photos until 完成办结; the button finishes only its own order."""
from __future__ import annotations

from handlers import texts
from tests.scenarios import onboard_resident, order_code, phone_photo, resident_files_rubbish


async def _held(talk, point, times: int) -> list[str]:
    """Orders the building's leader has signed for: rubbish, then a broken street lamp."""
    await onboard_resident(talk, "resident")
    codes = [await resident_files_rubbish(talk, "resident", point)]
    if times > 1:
        await talk.text("resident", "/report")
        await talk.press("resident", "cat:P03")
        await talk.text("resident", "路灯不亮")
        await talk.press("resident", "skip:")
        await talk.location("resident", *point)
        codes.append(order_code(await talk.press("resident", "confirm:")))
    for code in codes:
        await talk.press("leader", f"sign:{code}")
    return codes


async def _state(talk, code: str) -> str:
    async with talk.chat.deps.uow() as uow:
        return (await uow.orders.get(code)).state.value


async def test_an_old_finish_button_never_finishes_another_resolution(talk, point):
    first, second = await _held(talk, point, 2)
    await talk.press("leader", f"resolve:{first}")
    await talk.text("leader", "已清运完毕")
    await talk.press("leader", f"resolve:{second}")          # changed their mind: the other one
    await talk.text("leader", "已清运")
    stale = await talk.press("leader", f"finish:{first}")
    assert stale[-1].text == texts.NOTHING_TO_CANCEL
    assert await _state(talk, first) == "accepted" and await _state(talk, second) == "accepted"
    done = await talk.press("leader", f"finish:{second}")
    assert done[-1].text == texts.RESOLVED.format(code=second)
    assert await _state(talk, second) == "resolved"


async def test_finishing_without_a_note_asks_for_it_and_keeps_the_photo(talk, point):
    [code] = await _held(talk, point, 1)
    await talk.press("leader", f"resolve:{code}")
    await talk.photo("leader", phone_photo(), "")
    asked = await talk.text("leader", "完成")
    assert asked[-1].text == texts.RESOLVE_NEED_NOTE and await _state(talk, code) == "accepted"
    noted = await talk.text("leader", "已清运完毕")
    assert "已附 1 张照片" in noted[-1].text
    await talk.text("leader", "完成")
    assert await _state(talk, code) == "resolved"
    assert talk.inbox("resident")[-1].photo is not None
