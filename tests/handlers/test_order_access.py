"""Orders leak through 'me too': a code proves nothing; a follow and a read are checked when made."""
from __future__ import annotations

from datetime import timedelta

from domain import orders
from handlers import texts
from tests import scenarios


async def followers_and_events(services, code):
    async with services.uow() as uow:
        return (await uow.orders.followers(code),
                [e.kind for e in await uow.events.for_order(code)])


async def test_a_forged_metoo_callback_attaches_nobody_to_an_order(services, talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    await scenarios.onboard_resident(talk, "stranger")
    before = await followers_and_events(services, code)

    forged = await talk.press("stranger", f"metoo:{code}")          # no report at all
    assert forged[-1].text == texts.METOO_REFUSED
    await talk.text("stranger", "/report")                          # a report of another kind,
    await talk.press("stranger", "cat:P03")                         # right there
    await talk.text("stranger", "路灯不亮")
    await talk.press("stranger", "skip:")
    await talk.location("stranger", *point)
    forged = await talk.press("stranger", f"metoo:{code}")
    assert forged[-1].text == texts.METOO_REFUSED
    assert await followers_and_events(services, code) == before


async def test_detail_shows_no_timeline_to_someone_who_only_knows_the_code(services, talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"sign:{code}")
    await talk.press("leader", f"progress:{code}")
    await talk.text("leader", "已联系物业张经理处理")
    await scenarios.onboard_resident(talk, "stranger")
    await talk.press("stranger", f"metoo:{code}")
    peek = await talk.press("stranger", f"detail:{code}")
    assert [m.text for m in peek] == [texts.NO_SUCH_ORDER]
    assert not any("张经理" in m.text for m in talk.inbox("stranger"))
    mine = await talk.press("resident", f"detail:{code}")
    assert "张经理" in mine[-1].text                                 # the reporter still sees it


async def test_handlers_up_the_chain_see_the_timeline_others_do_not(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    for user in ("grid_leader", "community"):                       # above grid A, not assigned
        assert (await talk.press(user, f"detail:{code}"))[-1].text.startswith(f"工单 {code}")


async def test_me_too_is_checked_when_pressed_not_when_offered(services, talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    await scenarios.onboard_resident(talk, "neighbour")
    await talk.text("neighbour", "/report")
    await talk.press("neighbour", "cat:H01")
    await talk.text("neighbour", "垃圾堆满了")
    await talk.press("neighbour", "skip:")
    offer = (await talk.location("neighbour", *point))[-1]
    assert f"metoo:{code}" in [c.data for c in offer.choices]
    services.clock.advance(timedelta(minutes=20))
    async with services.uow() as uow:                               # the order closes meanwhile
        order = await uow.orders.get(code)
        event = orders.mark_invalid(order, None, "重复", services.clock.now(), "other")
        await uow.events.add(event)
        await uow.orders.save(order)
        await uow.commit()
    before = await followers_and_events(services, code)
    late = await talk.press("neighbour", f"metoo:{code}")
    assert late[-1].text == texts.METOO_REFUSED
    assert await followers_and_events(services, code) == before


async def test_an_extension_is_approved_for_the_days_asked_not_the_days_in_the_button(
        services, talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"sign:{code}")
    unasked = await talk.press("community", f"approve:{code}:99")
    assert unasked[-1].text == texts.NO_EXTENSION_PENDING.format(code=code)
    await talk.press("leader", f"extend:{code}")
    await talk.text("leader", "需要协调物业 2")
    async with services.uow() as uow:
        due = (await uow.orders.get(code)).resolve_due
    await talk.press("community", f"approve:{code}:99")
    async with services.uow() as uow:
        extended = (await uow.orders.get(code)).resolve_due
        [event] = [e for e in await uow.events.for_order(code) if e.kind == "extended"]
    assert event.reason == "批准延期 2 天"
    assert extended > due
    again = await talk.press("community", f"approve:{code}:99")      # decided: nothing pending
    assert again[-1].text == texts.NO_EXTENSION_PENDING.format(code=code)


async def test_a_refusal_by_the_order_rules_is_a_sentence_the_user_can_read(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    await talk.press("leader", f"sign:{code}")
    twice = await talk.press("leader", f"sign:{code}")
    # Pressed after its moment: the sentence names the order and where it now stands.
    assert twice[-1].text == texts.STALE_ORDER.format(code=code, state="办理中")
