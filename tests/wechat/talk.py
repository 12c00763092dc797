"""`ChannelTalk`: the scenario driver over the real callbacks — residents on the 公众号, staff on
WeCom — with the same interface as tests/handlers/conftest.py's CoreTalk.

Each step posts a signed (and encrypted) callback over HTTP, drains the outbox through the
transports to the loopback fakes, and reads back what the fakes recorded as neutral Outbounds.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import unquote

from sqlalchemy import select

from bot.sender import OutboxSender
from bot.wechat.choices import options_of
from bot.wecom.cards import card_text
from domain.geo import wgs84_to_gcj02
from handlers import texts
from handlers.messages import Choice, Outbound, Pin
from storage.tables import OutboxRow
from tests.fakes.wechat_api import WeChatApiFake
from tests.fakes.wechat_client import Answer, OfficialAccountClient, WeComClient
from tests.fakes.wecom_api import WeComApiFake

STAFF = ("leader", "grid_leader", "community")
OPENID = "o-"


class ChannelTalk:
    def __init__(self, services, wechat, wecom, official: OfficialAccountClient,
                 work: WeComClient, wechat_fake: WeChatApiFake, wecom_fake: WeComApiFake):
        self.services, self.clock = services, services.clock
        self.wechat, self.wecom = wechat, wecom
        self.official, self.work = official, work
        self.wechat_fake, self.wecom_fake = wechat_fake, wecom_fake
        self.senders = [OutboxSender(services.uow, "wechat", wechat.transport),
                        OutboxSender(services.uow, "wecom", wecom.transport),
                        OutboxSender(services.uow, "wecom_robot", wecom.robot)]
        self.received: dict[str, list[Outbound]] = {}
        self.last_answer: Answer | None = None
        self._seen = {"wechat": 0, "wecom": 0}
        self._photos: dict[str, list[tuple[str, str]]] = {}   # images and voice, by address
        self._pin: dict[str, Pin | None] = {}                  # a map link sent ahead
        self._ids = itertools.count(7_000_000_001)
        self._given: dict[str, int] = {}
        self._stamps: dict[str, int] = {}
        self._cards: set[int] = set()
        self._retyped: dict[str, int] = {}

    # ---- what a person does ---------------------------------------------------------------
    async def text(self, user, text, update_id=None):
        if user in STAFF:
            return await self._after(user, await self.work.text(user, text, self._id(update_id)))
        self.wechat_fake.user_wrote(OPENID + user)
        return await self._after(user, await self.official.text(OPENID + user, text,
                                                                self._id(update_id)))

    async def press(self, user, data, update_id=None):
        # A redelivered update is the same message: the number typed then, whatever came since.
        number = self._retyped.get(update_id) if update_id else None
        number = number or self._number_offered(user, data)
        if number is not None:
            if update_id:
                self._retyped[update_id] = number
            return await self.text(user, str(number), update_id)
        if user in STAFF and self._on_a_card(user, data):
            first = int(self.clock.now().timestamp())
            created = self._stamps.setdefault(update_id, first) if update_id else None
            return await self._after(user, await self.work.click(user, data,
                                                                 create_time=created))
        raise AssertionError(f"{user} was never offered {data!r}")

    async def location(self, user, lat, lng, update_id=None):
        lat, lng = wgs84_to_gcj02(lat, lng)       # WeChat and WeCom send GCJ-02
        if user in STAFF:
            return await self._after(user, await self.work.location(user, lat, lng,
                                                                    self._id(update_id)))
        self.wechat_fake.user_wrote(OPENID + user)
        return await self._after(user, await self.official.location(OPENID + user, lat, lng,
                                                                    self._id(update_id)))

    async def photo(self, user, content: bytes, caption="", update_id=None):
        if user in STAFF:
            media = self.wecom_fake.add_media(content)
            return await self._after(user, await self.work.image(user, media, self._id(update_id)))
        self.wechat_fake.user_wrote(OPENID + user)
        media = self.wechat_fake.add_media(content)
        return await self._after(user, await self.official.image(
            OPENID + user, media, self.wechat_fake.pic_url(media), self._id(update_id)))

    async def voice(self, user, content: bytes, update_id=None):
        """A voice note without WeChat's transcript: gridbot keeps the AMR file itself."""
        self.wechat_fake.user_wrote(OPENID + user)
        media = self.wechat_fake.add_media(content)
        return await self._after(user, await self.official.voice(OPENID + user, media, "",
                                                                 self._id(update_id)))

    async def contact(self, user, phone: str, update_id=None):
        """WeChat has no share button: the number is typed."""
        return await self.text(user, phone, update_id)

    async def press_unoffered(self, user, data, update_id=None):
        """A WeCom click on a key this member was never offered (a forged or stale card)."""
        assert user in STAFF
        return await self._after(user, await self.work.click(user, data))

    def inbox(self, user) -> list[Outbound]:
        return self.received.get(user, [])

    def uow(self):
        return self.services.uow()

    def account(self, user: str) -> tuple[str, str]:
        return ("wecom", user) if user in STAFF else ("wechat", OPENID + user)

    def pin_expected(self, point: tuple[float, float]) -> tuple[float, float]:
        return wgs84_to_gcj02(*point)      # the map link is GCJ-02, as Chinese map apps expect

    # ---- reading what reached them ----------------------------------------------------------
    async def drain(self) -> list[tuple[str, str, Outbound]]:
        """Send everything due through the transports; what reached whom, as Outbounds."""
        await self.wechat.settle()
        await self.wecom.settle()
        for sender in self.senders:
            while await sender.drain_once():
                pass
        return await self._recorded()

    async def _after(self, user: str, answer: Answer) -> list[Outbound]:
        assert answer.status == 200, answer
        self.last_answer = answer
        mine: list[Outbound] = []
        if answer.reply and answer.reply.get("MsgType") == "text":
            mine.append(await self._keep("wechat", OPENID + user, answer.reply["Content"]))
        for _, address, out in await self.drain():
            if self._user(address) == user:
                mine.append(out)
        self.clock.advance(timedelta(seconds=30))
        return mine

    async def _recorded(self) -> list[tuple[str, str, Outbound]]:
        found = []
        for sent in self.wechat_fake.sent[self._seen["wechat"]:]:
            if sent.msgtype in ("image", "voice"):
                self._attached(sent.touser, sent.msgtype, f"wechat:{sent.media_id}")
                continue
            found.append(("wechat", sent.touser,
                          await self._keep("wechat", sent.touser, sent.text)))
        self._seen["wechat"] = len(self.wechat_fake.sent)
        for sent in self.wecom_fake.sent[self._seen["wecom"]:]:
            if sent.msgtype in ("image", "voice", "file"):
                self._attached(sent.touser, sent.msgtype, f"wecom:{sent.body['media_id']}")
                continue
            if sent.msgtype == "text" and _map_line(sent.text)[0] == "":
                self._pin[sent.touser] = _map_line(sent.text)[1]    # the pin sent ahead
                continue
            if sent.msgtype == "template_card":
                buttons = tuple(Choice(b["text"], b["key"]) for b in sent.body["button_list"])
                out = self._store(self._with_attached(Outbound(
                    "wecom", sent.touser, card_text(sent.body), buttons)))
                self._cards.add(id(out))
            else:
                out = await self._keep("wecom", sent.touser, sent.text)
            found.append(("wecom", sent.touser, out))
        self._seen["wecom"] = len(self.wecom_fake.sent)
        return found

    async def _keep(self, channel: str, address: str, rendered: str) -> Outbound:
        """A text as read on the phone: its numbered options become choices again."""
        body, options = options_of(rendered)
        body, pin = _map_line(body)
        choices = await self._choice_data(channel, address, body, [label for _, label in options])
        return self._store(self._with_attached(Outbound(channel, address, body, choices,
                                                        location=pin)))

    def _attached(self, address: str, msgtype: str, media: str) -> None:
        """A photo or voice note sent ahead of a text: it belongs to that text."""
        self._photos.setdefault(address, []).append((msgtype, media))

    def _with_attached(self, out: Outbound) -> Outbound:
        if out.location is None:
            out, pin = _lines_off(out)
            out = replace(out, location=pin or self._pin.pop(out.external_id, None))
        attached = self._photos.pop(out.external_id, [])
        photos = tuple(media for kind, media in attached if kind == "image")
        voice = next((media for kind, media in attached if kind != "image"), None)
        return replace(out, photo=photos[0] if photos else None, photos=photos, voice=voice)

    def _store(self, out: Outbound) -> Outbound:
        self.received.setdefault(self._user(out.external_id), []).append(out)
        return out

    async def _choice_data(self, channel, address, body, labels) -> tuple[Choice, ...]:
        """The data behind numbered labels: the outbox row this message was sent from."""
        if not labels:
            return ()
        query = (select(OutboxRow.payload)
                 .where(OutboxRow.channel == channel, OutboxRow.address == address,
                        OutboxRow.sent_at.is_not(None)).order_by(OutboxRow.id.desc()).limit(50))
        async with self.services.uow() as uow:
            payloads = (await uow.session.execute(query)).scalars().all()
        for payload in payloads:
            out = Outbound.from_payload(channel, address, payload)
            if out.text == body and [c.label for c in out.choices] == labels:
                return out.choices
        raise AssertionError(f"no sent message to {address} reads {body!r} with {labels}")

    def _number_offered(self, user: str, data: str) -> int | None:
        """A person answers numbered options by the number shown in the last such message."""
        for out in reversed(self.inbox(user)):
            if out.choices and not self._is_card(out):
                datas = [c.data for c in out.choices]
                return datas.index(data) + 1 if data in datas else None
        return None

    def _on_a_card(self, user: str, data: str) -> bool:
        """WeCom cards stay clickable: any card the person got may be pressed."""
        return any(self._is_card(out) and data in [c.data for c in out.choices]
                   for out in self.inbox(user))

    def _is_card(self, out: Outbound) -> bool:
        return id(out) in self._cards

    def _user(self, address: str) -> str:
        return address.removeprefix(OPENID)

    def _id(self, given: str | None) -> int:
        if given is None:
            return next(self._ids)
        return self._given.setdefault(given, next(self._ids))


MAP_LINE = re.compile(r"📍 (?P<title>.*)地图：https://uri\.amap\.com/marker\?position="
                      r"(?P<lng>[-\d.]+),(?P<lat>[-\d.]+)&name=(?P<name>[^&\s]*)\S*")


def _map_line(body: str) -> tuple[str, Pin | None]:
    """The text as gridbot wrote it, and the pin its map link (GCJ-02) pointed at."""
    lines, pin = [], None
    for line in body.split("\n"):
        found = MAP_LINE.fullmatch(line)
        if found:
            pin = Pin(float(found["lat"]), float(found["lng"]), unquote(found["name"]))
        elif line != texts.VOICE_NOT_SENT:
            lines.append(line)
    return "\n".join(lines), pin


def _lines_off(out: Outbound) -> tuple[Outbound, Pin | None]:
    text, pin = _map_line(out.text)
    return replace(out, text=text), pin
