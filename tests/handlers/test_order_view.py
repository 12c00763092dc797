"""The handler's view: what a new order carries to its holder, and the reporter's number."""
import pytest

from handlers import texts
from handlers.messages import Choice, Inbound, Kind, Outbound, Pin, Sender
from handlers.order_view import phone_number
from tests import scenarios


@pytest.mark.parametrize("typed, kept", [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"), ("028-8888 6666", "02888886666"),
    ("（028）88886666", "02888886666")])
def test_a_typed_phone_number_is_kept_in_one_form(typed, kept):
    assert phone_number(typed) == kept


@pytest.mark.parametrize("typed", ["12345", "110", "我家在3号楼", "1380013800", "23800138000", ""])
def test_what_is_no_phone_number_is_refused(typed):
    assert phone_number(typed) is None


def test_a_number_the_platform_shared_may_be_from_any_country():
    assert phone_number("447700900123", shared=True) == "+447700900123"
    assert phone_number("447700900123") is None


def test_an_outbox_row_written_before_attachments_existed_still_reads():
    old = {"text": "您好", "choices": [["签收", "sign:WG-1"]], "photo": None}
    out = Outbound.from_payload("telegram", "42", old)
    assert (out.text, out.choices, out.photos, out.voice, out.location) == (
        "您好", (Choice("签收", "sign:WG-1"),), (), None, None)
    assert out.as_payload() == old                        # and a plain message writes the same


def test_a_new_orders_attachments_survive_the_outbox():
    out = Outbound("wecom", "leader", "新工单", (), None, ("a.jpg", "b.jpg"), "v.amr",
                   Pin(30.1, 104.2, "锦江畔3号楼"), None)
    assert Outbound.from_payload("wecom", "leader", out.as_payload()) == out


def test_a_shared_contact_can_be_parked_and_handed_in_again():
    contact = Inbound.contact(Sender("telegram", "7"), "8613800138000", "u1")
    assert Inbound.from_payload(contact.as_payload()) == contact
    assert contact.kind is Kind.CONTACT


async def test_the_number_is_stored_only_on_the_reporter_and_never_in_a_message(talk, point,
                                                                                services):
    await scenarios.onboard_resident(talk, "resident")
    await scenarios.resident_files_with(talk, "resident", point, photos=1,
                                        phone=scenarios.PHONE)
    async with services.uow() as uow:
        resident = await uow.people.by_channel("test", "resident")
        assert resident.phone == scenarios.PHONE
    said = [m.text for box in talk.received.values() for m in box]
    assert not any(scenarios.PHONE in text for text in said)


async def test_a_closed_order_no_longer_shows_the_number(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_with(talk, "resident", point, phone=scenarios.PHONE)
    await talk.press("leader", f"sign:{code}")
    signed_hint = talk.inbox("leader")[-1]
    assert "查看联系方式" in [c.label for c in signed_hint.choices]   # offered after 签收 too
    await talk.press("leader", f"resolve:{code}")
    noted = (await talk.text("leader", "已清运"))[-1]
    await talk.press("leader", scenarios.data_for(noted, texts.RESOLVE_FINISH))
    rating = (await talk.press("resident", f"solved:{code}:1"))[-1]
    closed = await talk.press("resident", scenarios.data_for(rating, "满意"))
    assert f"{code} 已结案" in closed[-1].text
    answer = await talk.press("leader", f"contact:{code}")
    assert scenarios.PHONE not in answer[-1].text
    assert await scenarios.contact_views(talk, code) == []


async def test_after_delete_the_holder_finds_no_number(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_with(talk, "resident", point, phone=scenarios.PHONE)
    ask = (await talk.text("resident", "/delete"))[-1]
    await talk.press("resident", scenarios.data_for(ask, "确认删除"))
    answer = await talk.press("leader", f"contact:{code}")
    assert scenarios.PHONE not in answer[-1].text and "没有留电话" in answer[-1].text
    assert await scenarios.contact_views(talk, code) == []
