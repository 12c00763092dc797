"""What an attacker still finds: private orders opened by 'me too', staff acting outside their subtree.

A private category (disputes, 举报, family matters, …) is never published, so its reporter must
never share it with anyone: the person reported on files the same category at the same spot and
is offered nothing. Staff targets (a merge target, a dispatch unit) are checked at the press:
within the actor's own subtree, never a private order.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.config import SAMPLE_DISTRICT
from domain import invites
from domain.routing import grids_from_geojson
from handlers import texts
from tests import scenarios


def inside(code: str) -> tuple[float, float]:
    grids = {g.code: g for g in grids_from_geojson(json.loads(SAMPLE_DISTRICT.read_text()))}
    spot = grids[code].geometry.representative_point()
    return spot.y, spot.x


async def bind(services, talk, user: str, grid: str, role: str = "leader") -> None:
    code = invites.new_code()
    async with services.uow() as uow:
        now = services.clock.now()
        key = services.settings.invite_key
        uow.invites.add(invites.Invite(invites.hash_code(code, key), grid, role, now,
                                       now + timedelta(hours=72)))
        await uow.commit()
    assert "绑定成功" in (await talk.text(user, f"/start inv_{code}"))[-1].text


async def report_until_offer_or_summary(talk, user: str, category: str, text: str, point):
    """A report up to the me-too offer or the summary; every message it drew."""
    await talk.text(user, "/report")
    said = await talk.press(user, f"cat:{category}")
    said += await talk.text(user, text)
    said += await talk.press(user, "skip:")
    said += await talk.location(user, *point)
    if scenarios.asks(said[-1], texts.ASK_PHONE):
        said += await talk.text(user, "跳过")
    return said


async def file(talk, user: str, category: str, text: str, point) -> str:
    said = await report_until_offer_or_summary(talk, user, category, text, point)
    assert "请确认" in said[-1].text, [m.text for m in said]
    filed = await talk.press(user, "confirm:")
    assert filed[-1].text.startswith("已提交工单 WG-")
    return scenarios.order_code(filed)


async def state_of(services, code: str):
    async with services.uow() as uow:
        order = await uow.orders.get(code)
        return (order.state, order.unit_code, order.assignee_id, order.merged_into,
                sorted(await uow.orders.followers(code)),
                [e.kind for e in await uow.events.for_order(code)])


# --- finding 1: 'me too' opens private orders -------------------------------------------------

async def test_me_too_is_not_offered_for_a_private_category(services, talk, point):
    await scenarios.onboard_resident(talk, "victim")
    code = await file(talk, "victim", "M02", "隔壁家里天天吵架动手，孩子哭", point)
    await talk.press("community", f"sign:{code}")
    await talk.press("community", f"progress:{code}")
    await talk.text("community", "已上门找当事人谈话")
    await scenarios.onboard_resident(talk, "reported")
    before = await state_of(services, code)

    said = await report_until_offer_or_summary(talk, "reported", "M02", "邻居乱报我家", point)

    assert not any(code in m.text for m in said)                      # not even its existence
    assert not any(c.data.startswith("metoo:") for m in said for c in m.choices)
    assert "请确认" in said[-1].text
    assert await state_of(services, code) == before                   # no follower row
    peek = await talk.press("reported", f"detail:{code}")
    assert [m.text for m in peek] == [texts.NO_SUCH_ORDER]
    assert not any("谈话" in m.text for m in talk.inbox("reported"))


async def test_a_forged_me_too_press_on_a_private_order_is_refused(services, talk, point):
    await scenarios.onboard_resident(talk, "victim")
    code = await file(talk, "victim", "M06", "楼下棋牌室有人聚众赌博", point)
    await scenarios.onboard_resident(talk, "reported")
    await report_until_offer_or_summary(talk, "reported", "M06", "有人举报我", point)
    before = await state_of(services, code)

    forged = await talk.press("reported", f"metoo:{code}")            # 是, forged

    assert forged[-1].text == texts.METOO_REFUSED
    assert await state_of(services, code) == before
    peek = await talk.press("reported", f"detail:{code}")
    assert [m.text for m in peek] == [texts.NO_SUCH_ORDER]


# --- finding 4: staff act outside their subtree -----------------------------------------------

async def merge(talk, user: str, code: str, into: str):
    said = await talk.press(user, f"merge:{code}")
    if said and said[-1].text == texts.ASK_MERGE_TARGET:
        said += await talk.text(user, into)
    return said


async def test_merge_refuses_a_target_outside_the_subtree(services, talk, point):
    await scenarios.onboard_resident(talk, "resident")
    await scenarios.onboard_resident(talk, "far")
    mine = await file(talk, "resident", "H01", "楼下垃圾三天没人清运了", point)
    theirs = await file(talk, "far", "H01", "垃圾桶满了没人管", inside("JJ-02-01"))
    before = await state_of(services, mine), await state_of(services, theirs)

    said = await merge(talk, "community", mine, theirs)                 # 江畔 into 月湾

    assert said[-1].text == texts.MERGE_TARGET_REFUSED.format(code=theirs)
    assert (await state_of(services, mine), await state_of(services, theirs)) == before
    assert not any(theirs in m.text for m in talk.inbox("resident"))


async def test_merge_into_a_target_inside_the_subtree_still_works(services, talk, point):
    await scenarios.onboard_resident(talk, "resident")
    await scenarios.onboard_resident(talk, "near")
    original = await file(talk, "resident", "H01", "楼下垃圾三天没人清运了", point)
    duplicate = await file(talk, "near", "H02", "楼道口堆满了杂物", inside("JJ-01-02"))

    said = await merge(talk, "community", duplicate, original)

    assert said[-1].text == texts.MERGED.format(code=duplicate, into=original)
    async with services.uow() as uow:
        near = await uow.people.by_channel(talk.channel, "near")
        assert near.id in await uow.orders.followers(original)


@pytest.mark.parametrize("private", ["target", "merged"])
async def test_merge_refuses_a_private_target(services, talk, point, private):
    await scenarios.onboard_resident(talk, "resident")
    await scenarios.onboard_resident(talk, "victim")
    rubbish = await file(talk, "resident", "H01", "楼下垃圾三天没人清运了", point)
    dispute = await file(talk, "victim", "M02", "隔壁家里天天吵架动手", point)
    code, into = (rubbish, dispute) if private == "target" else (dispute, rubbish)
    before = await state_of(services, rubbish), await state_of(services, dispute)

    said = await merge(talk, "community", code, into)

    assert said[-1].text == texts.MERGE_PRIVATE_REFUSED
    assert (await state_of(services, rubbish), await state_of(services, dispute)) == before


async def test_forged_dispatch_to_another_community_is_refused(services, talk, point):
    await bind(services, talk, "yuewan", "JJ-02-01")                  # 月亮湾's leader
    await scenarios.onboard_resident(talk, "resident")
    code = await file(talk, "resident", "H01", "楼下垃圾三天没人清运了", point)
    before = await state_of(services, code)

    forged = await talk.press("community", f"to:{code}:JJ-02-01")

    assert forged[-1].text == texts.DISPATCH_TARGET_REFUSED
    assert await state_of(services, code) == before
    assert not any(code in m.text for m in talk.inbox("yuewan"))      # no photos, pin, contact
    menu = await talk.press("community", f"assign:{code}")
    offered = [c.data for m in menu for c in m.choices if c.data.startswith("to:")]
    assert f"to:{code}:JJ-02-01" not in offered
    ok = await talk.press("community", offered[0])                    # what the menu offers
    assert ok[-1].text.startswith(f"已将 {code} 派给")


async def test_a_private_order_in_a_queue_is_offered_without_merge(services, talk, point):
    await bind(services, talk, "street", "JJ", "dispatcher")
    await scenarios.onboard_resident(talk, "victim")
    code = await file(talk, "victim", "M02", "隔壁家里天天吵架动手", point)
    await talk.press("community", f"return:{code}")
    await talk.text("community", "需要街道综治中心协调")
    [queued] = [m for m in talk.inbox("street") if code in m.text]
    offered = [c.data for c in queued.choices]
    assert f"assign:{code}" in offered and f"merge:{code}" not in offered
    refused = await talk.press("street", f"merge:{code}")               # forged all the same
    assert refused[-1].text == texts.MERGE_PRIVATE_REFUSED
