"""/opinion (民意直报): a resident writes straight to their community or street, not a report."""
from __future__ import annotations

from tests.scenarios import data_for, labels, onboard_resident, onboard_resident_at

PHONE = "13812345678"


async def test_an_opinion_reaches_the_chosen_communitys_staff_as_written_and_no_one_else(talk):
    await onboard_resident_at(talk, "resident", "锦江畔3号楼")
    asked = (await talk.text("resident", "/opinion"))[-1]
    assert labels(asked)[:2] == ["社区：江畔社区", "街道：锦江街道"] and "/report" in asked.text
    prompt = (await talk.press("resident", data_for(asked, "社区：江畔社区")))[-1]
    assert "社区" in prompt.text
    before = {user: len(talk.inbox(user)) for user in ("community", "grid_leader", "leader")}
    sent = (await talk.text("resident", f"建议在小区门口加装充电桩，联系我{PHONE}"))[-1]
    assert "已直报江畔社区" in sent.text
    told = talk.inbox("community")[before["community"]:]
    assert any(PHONE in m.text and "充电桩" in m.text for m in told)
    for other in ("grid_leader", "leader"):
        assert talk.inbox(other)[before[other]:] == []
    # The dialog ended: a sentence now starts a report, not a second opinion.
    assert "已直报" not in (await talk.text("resident", "楼下路灯不亮"))[-1].text


async def test_an_opinion_needs_a_home_and_a_level_on_the_senders_chain(talk):
    await onboard_resident(talk, "nohome")
    assert "住址网格" in (await talk.text("nohome", "/opinion"))[-1].text
    await onboard_resident_at(talk, "resident", "锦江畔3号楼")
    await talk.text("resident", "/opinion")
    refused = (await talk.press("resident", "opto:county"))[-1]
    assert "没有这一级" in refused.text
    assert "类别" in (await talk.text("resident", "路灯不亮"))[-1].text   # no step was opened


async def test_delete_takes_an_opinion_out_of_the_table_and_out_of_the_staffs_messages(talk):
    from sqlalchemy import select

    from storage.agenda_tables import OpinionRow
    from storage.tables import OutboxRow

    words = f"楼道灯坏了很久，微信 wxid_abc123，电话{PHONE}"
    await onboard_resident_at(talk, "resident", "锦江畔3号楼")
    asked = (await talk.text("resident", "/opinion"))[-1]
    await talk.press("resident", data_for(asked, "社区：江畔社区"))
    await talk.text("resident", words)
    assert any(PHONE in m.text for m in talk.inbox("community"))     # told as written
    ask = (await talk.text("resident", "/delete"))[-1]
    await talk.press("resident", data_for(ask, "确认删除"))
    async with talk.uow() as uow:
        kept = [str(v) for v in (await uow.session.execute(select(OpinionRow.text))).scalars()]
        kept += [str(p) for p in (await uow.session.execute(select(OutboxRow.payload))).scalars()]
    assert kept and not [k for k in kept if "wxid_abc123" in k or PHONE in k]
