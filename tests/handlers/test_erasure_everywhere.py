"""Issue 16, finding 3: /delete and the retention sweep leave nothing of the person behind.

A resident with a real name, an openid-like account, a phone, a door number written in
Chinese numerals, photos and a voice note files two orders; the leader reads the number;
the resident sends one back (重办) with a reason that repeats who and where they are. Then,
after /delete (or once the retention window has passed), every text and JSON column of every
table and the media folder are searched for any of it.
"""
from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import select

from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.services import build_chat, open_services
from handlers.messages import Inbound, Kind, Sender
from scheduler.sweeps import RETENTION, Sweeper
from storage.clock import FixedClock
from storage.importer import import_grids, import_people
from storage.media import MediaKind, MediaVault
from storage.tables import EventRow, OutboxRow, metadata
from tests.handlers.conftest import MONDAY_10, CoreTalk, bind_staff
from tests.scenarios import OGG, data_for, onboard_resident, order_code, phone_photo

NAME = "张秀兰"
RESIDENT = "oZxl7Q-reporter-openid-1988"      # the account id, as an openid would be
PHONE = "13912345678"
SAID = "楼下垃圾三天没人清运了，我家在三单元五零二，电话一三九一二三四五六七八"
REASON = f"根本没清干净，我是{NAME}，3单元502室，电话{PHONE}"
SECRETS = (NAME, RESIDENT, PHONE, "五零二", "一三九一二三四五六七八", "楼下垃圾三天没人清运",
           "根本没清干净", "3单元502")


class VaultTalk(CoreTalk):
    """The core chat with named senders and media kept in a real vault, as transports do."""

    def __init__(self, chat, clock, vault: MediaVault):
        super().__init__(chat, clock)
        self.vault, self.kept = vault, []

    def _sender(self, user: str) -> Sender:
        return Sender(self.channel, user, NAME if user == RESIDENT else user)

    async def photo(self, user, content: bytes, caption="", update_id=None):
        path = str(self.vault.keep(content, MediaKind.IMAGE))
        self.kept.append(path)
        return await self._send(Inbound.photo_message(self._sender(user), path, caption,
                                                      self._id(update_id)))

    async def voice(self, user, content: bytes, update_id=None):
        path = str(self.vault.keep(content, MediaKind.AUDIO, suffix=".ogg"))
        self.kept.append(path)
        return await self._send(Inbound(self._sender(user), Kind.VOICE, self._id(update_id),
                                        photo=path))


async def open_talk(db_url, tmp_path):
    media = tmp_path / "media"
    services = await open_services(Settings(database_url=db_url, media_dir=media),
                                   clock=FixedClock(MONDAY_10))
    async with services.uow() as uow:
        await import_grids(uow, SAMPLE_DISTRICT, progress=False)
        await import_people(uow, SAMPLE_PEOPLE, progress=False)
        await uow.commit()
    talk = VaultTalk(await build_chat(services), services.clock, MediaVault(media))
    await bind_staff(services, talk)
    return services, talk


def inside_jinjiangpan_3():
    from domain.routing import grids_from_geojson
    grids = {g.code: g for g in grids_from_geojson(json.loads(SAMPLE_DISTRICT.read_text()))}
    inside = grids["JJ-01-01-03"].geometry.representative_point()
    return inside.y, inside.x


async def file(talk, point, *, voice: bool) -> str:
    await talk.text(RESIDENT, "/report")
    await talk.press(RESIDENT, "cat:H01")
    if voice:
        await talk.voice(RESIDENT, OGG + b"a voice of " + NAME.encode())
    else:
        await talk.text(RESIDENT, SAID)
        await talk.photo(RESIDENT, phone_photo())
        await talk.photo(RESIDENT, phone_photo(exif=False))
    await talk.location(RESIDENT, *point)
    await talk.contact(RESIDENT, PHONE)
    return order_code(await talk.press(RESIDENT, "confirm:"))


async def resolve(talk, code: str) -> None:
    await talk.press("leader", f"resolve:{code}")
    await talk.text("leader", "已清运")
    await talk.press("leader", f"finish:{code}")


async def everything_told(services, talk):
    """The scenario: two orders, the number read, one 重办 with a reason, both closed.
    Messages up to the 重办 are delivered; the 重办 notice to the leader is still owed."""
    point = inside_jinjiangpan_3()
    await onboard_resident(talk, RESIDENT)
    codes = [await file(talk, point, voice=False), await file(talk, point, voice=True)]
    first = codes[0]
    new = next(m for m in talk.inbox("leader") if first in m.text and m.choices)
    shown = await talk.press("leader", data_for(new, "查看联系方式"))
    assert any(PHONE in m.text for m in shown)
    for code in codes:
        await talk.press("leader", f"sign:{code}")
        await resolve(talk, code)
    async with services.uow() as uow:
        ids = (await uow.session.execute(select(OutboxRow.id))).scalars().all()
        await uow.outbox.mark_all_sent(list(ids))
        await uow.commit()
    await talk.press(RESIDENT, f"rate:{first}:0:unsatisfied")
    await talk.text(RESIDENT, REASON)
    assert any("根本没清干净" in m.text for m in talk.inbox("leader"))
    await resolve(talk, first)
    for code in codes:
        await talk.press(RESIDENT, f"rate:{code}:1:satisfied")
    return codes


async def found(services, talk, secrets, *, spare=()) -> list[str]:
    """Where any secret still is: `table.column` of every text or JSON column of every table
    (except the `spare` tables), and the reporter's files still on disk."""
    hits = []
    async with services.uow() as uow:
        for table in metadata.sorted_tables:
            if table.name in spare:
                continue
            columns = [c for c in table.columns
                       if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
            for column in columns:
                for value in (await uow.session.execute(select(column))).scalars():
                    shown = (json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list)
                             else str(value or ""))
                    hits += [f"{table.name}.{column.name}: {s}" for s in secrets if s in shown]
    hits += [f"media: {p}" for p in talk.vault.folder.glob("*") if str(p) in talk.kept]
    return hits


async def history_kinds(services, codes):
    async with services.uow() as uow:
        return [(e.order_code, e.kind, e.at) for e in
                (await uow.session.execute(select(EventRow).where(EventRow.order_code.in_(codes))
                                           .order_by(EventRow.id))).scalars()]


async def test_delete_leaves_nothing_of_the_person_anywhere(db_url, tmp_path):
    services, talk = await open_talk(db_url, tmp_path)
    try:
        codes = await everything_told(services, talk)
        assert await found(services, talk, SECRETS)          # the scenario left them
        facts = await history_kinds(services, codes)

        ask = (await talk.text(RESIDENT, "/delete"))[-1]
        await talk.press(RESIDENT, data_for(ask, "确认删除"))

        assert await found(services, talk, SECRETS) == []
        assert await history_kinds(services, codes) == facts  # facts stay, words go
        # The 重办 notice still owed to the leader still tells them, without the words.
        async with services.uow() as uow:
            owed = (await uow.session.execute(select(OutboxRow.payload).where(
                OutboxRow.address == "leader", OutboxRow.sent_at.is_(None)))).scalars().all()
        assert any(codes[0] in p["text"] and "〔内容已按报事人要求删除〕" in p["text"]
                   for p in owed), owed
    finally:
        await services.close()


async def test_retention_leaves_nothing_of_the_reporter_on_old_orders(db_url, tmp_path):
    services, talk = await open_talk(db_url, tmp_path)
    try:
        codes = await everything_told(services, talk)
        facts = await history_kinds(services, codes)
        services.clock.advance(timedelta(days=181))
        report = await Sweeper(talk.chat.deps).sweep(RETENTION)

        assert report.fired == {"retention:anonymised": 2}
        words = [s for s in SECRETS if s not in (NAME, RESIDENT)]
        assert await found(services, talk, words) == []
        # The person still uses the bot: only their own row and account keep who they are.
        assert await found(services, talk, (NAME, RESIDENT),
                           spare=("person", "channel_account")) == []
        assert await history_kinds(services, codes) == facts
    finally:
        await services.close()
