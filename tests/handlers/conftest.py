"""A chat over a fresh SQLite copy of the sample district, with staff bound by invite."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.services import build_chat, open_services
from domain import invites
from domain.calendar import SHANGHAI
from handlers.messages import Inbound, Kind, Outbound, Sender
from storage.clock import FixedClock
from storage.importer import import_grids, import_people

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
STAFF = {"leader": "JJ-01-01-03", "grid_leader": "JJ-01-01", "community": "JJ-01"}


class CoreTalk:
    """Drives the neutral chat core directly: what every transport must reproduce."""

    channel = "test"

    def __init__(self, chat, clock):
        self.chat, self.clock = chat, clock
        self.received: dict[str, list[Outbound]] = {}
        self._ids = itertools.count(1)

    async def _send(self, inbound: Inbound) -> list[Outbound]:
        written = await self.chat.receive(inbound)
        mine = []
        for message in written:
            out = Outbound.from_payload(message.channel, message.address, message.payload)
            self.received.setdefault(message.address, []).append(out)
            if message.address == inbound.sender.external_id:
                mine.append(out)
        self.clock.advance(timedelta(seconds=30))
        return mine

    def _sender(self, user: str) -> Sender:
        return Sender(self.channel, user, user)

    def _id(self, given: str | None) -> str:
        return given or f"u{next(self._ids)}"

    async def text(self, user, text, update_id=None):
        return await self._send(Inbound.text_message(self._sender(user), text, self._id(update_id)))

    async def press(self, user, data, update_id=None):
        return await self._send(Inbound.pressed(self._sender(user), data, self._id(update_id)))

    async def location(self, user, lat, lng, update_id=None):
        return await self._send(Inbound.location(self._sender(user), lat, lng, self._id(update_id)))

    async def photo(self, user, content: bytes, caption="", update_id=None):
        return await self._send(Inbound.photo_message(self._sender(user), "media/test.jpg", caption,
                                                      self._id(update_id)))

    async def voice(self, user, content: bytes, update_id=None):
        return await self._send(Inbound(self._sender(user), Kind.VOICE, self._id(update_id),
                                        photo="media/voice.ogg"))

    async def contact(self, user, phone: str, update_id=None):
        """The core has no share button: a number arrives as the Inbound a transport makes."""
        return await self._send(Inbound.contact(self._sender(user), phone, self._id(update_id)))

    async def press_unoffered(self, user, data, update_id=None):
        return await self.press(user, data, update_id)

    def inbox(self, user) -> list[Outbound]:
        return self.received.get(user, [])

    def uow(self):
        return self.chat.deps.uow()

    def account(self, user: str) -> tuple[str, str]:
        return self.channel, user

    def pin_expected(self, point: tuple[float, float]) -> tuple[float, float]:
        return point              # WGS-84, as sent


async def open_district(database_url: str):
    """Services over the sample district and its staff, the clock at Monday 10:00."""
    services = await open_services(Settings(database_url=database_url),
                                   clock=FixedClock(MONDAY_10))
    async with services.uow() as uow:
        await import_grids(uow, SAMPLE_DISTRICT, progress=False)
        await import_people(uow, SAMPLE_PEOPLE, progress=False)
        await uow.commit()
    return services


@pytest.fixture
async def services(tmp_path):
    services = await open_district(f"sqlite:///{tmp_path / 'chat.db'}")
    yield services
    await services.close()


@pytest.fixture
async def district(db_url):
    """`services` on SQLite and on PostgreSQL."""
    services = await open_district(db_url)
    yield services
    await services.close()


async def bind_staff(services, talk) -> None:
    for user, grid in STAFF.items():
        code = invites.new_code()
        async with services.uow() as uow:
            uow.invites.add(invites.Invite(invites.hash_code(code, services.settings.invite_key),
                                           grid, "leader",
                                           services.clock.now(),
                                           services.clock.now() + timedelta(hours=72)))
            await uow.commit()
        bound = await talk.text(user, f"/start inv_{code}")
        assert "绑定成功" in bound[-1].text, bound


@pytest.fixture
async def talk(services):
    talk = CoreTalk(await build_chat(services), services.clock)
    await bind_staff(services, talk)
    return talk


@pytest.fixture
def point(services):
    """A spot inside 锦江畔3号楼."""
    import json

    from domain.routing import grids_from_geojson
    grids = {g.code: g for g in grids_from_geojson(json.loads(SAMPLE_DISTRICT.read_text()))}
    inside = grids["JJ-01-01-03"].geometry.representative_point()
    return inside.y, inside.x
