"""Issue 16, finding 7: a QR scan's de-duplication key holds neither the openid nor the raw
invite code (invite codes are stored only as hashes), and still de-duplicates."""
from __future__ import annotations

from sqlalchemy import select

from storage.tables import DeadLetterRow, InboundRow
from tests.wechat.talk import OPENID

INVITE = "inv_Zq8RkT2mW9xY4pLs"


async def test_qr_scan_inbound_key_holds_no_raw_invite(talk, rig):
    scanned = await rig.official.event(OPENID + "staffer", "subscribe", f"qrscene_{INVITE}",
                                       create_time=1_790_000_000)
    again = await rig.official.event(OPENID + "staffer", "subscribe", f"qrscene_{INVITE}",
                                     create_time=1_790_000_000)     # WeChat's retry
    async with rig.services.uow() as uow:
        keys = (await uow.session.execute(select(InboundRow.external_id).where(
            InboundRow.channel == "wechat"))).scalars().all()
        parked = (await uow.session.execute(select(DeadLetterRow.update_id))).scalars().all()
    assert len(keys) == 1, keys                                    # one scan, one record
    for key in [*keys, *parked]:
        assert INVITE not in key and INVITE.removeprefix("inv_") not in key
        assert OPENID not in key
    assert scanned.body and again.body
