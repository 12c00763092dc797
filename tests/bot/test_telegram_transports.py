"""Both Telegram transports, on the real libraries, against the loopback Bot API emulator."""
from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from PIL import Image

from bot.delivery import RetryAfter, TransientError
from bot.telegram import CallbackDataTooLong, make_transport
from bot.telegram.limits import Rate, TelegramLimits, overall_share
from handlers.messages import Choice, Inbound, Kind, Outbound
from tests.fakes.telegram_api import SECRET_HEADER, TelegramEmulator

COURIER = 7001


class Inbox:
    """Collects what a transport hands in; `next()` waits on the queue, never sleeps."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Inbound] = asyncio.Queue()

    async def __call__(self, inbound: Inbound) -> None:
        await self._queue.put(inbound)

    async def next(self, timeout: float = 5) -> Inbound:
        return await asyncio.wait_for(self._queue.get(), timeout)

    def empty(self) -> bool:
        return self._queue.empty()


FLAVOURS = {"ptb": ("ptb", {}), "ptb-aiohttp": ("ptb", {"http": "aiohttp"}),
            "aiogram": ("aiogram", {})}


@pytest.fixture(params=list(FLAVOURS))
def build(request: pytest.FixtureRequest, tg, tmp_path):
    """Makes a transport on one library (and HTTP client) talking to the emulator."""
    library, options = FLAVOURS[request.param]

    def make(**overrides):
        return make_transport(library, tg.token, tg.base_url, tmp_path / "media",
                              **{**options, **overrides})
    return make


@pytest.fixture
async def tg():
    async with TelegramEmulator() as emulator:
        yield emulator


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def transport(build, inbox):
    bot = build()
    await bot.start(inbox)
    yield bot
    await bot.stop()


def jpeg(width: int = 640, height: int = 480) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_text_arrives_as_text_from_the_person(tg, transport, inbox):
    update_id = tg.user_sends_text(COURIER, "小区门口有飞线充电")
    got = await inbox.next()
    assert (got.kind, got.text, got.update_id) == (Kind.TEXT, "小区门口有飞线充电", str(update_id))
    assert (got.sender.channel, got.sender.external_id) == ("telegram", str(COURIER))


async def test_command_with_arguments_arrives_as_command(tg, transport, inbox):
    tg.user_sends_text(COURIER, "/start inv_ABC")
    got = await inbox.next()
    assert (got.kind, got.command, got.text) == (Kind.COMMAND, "start", "inv_ABC")


async def test_location_arrives_with_its_coordinates(tg, transport, inbox):
    tg.user_sends_location(COURIER, 39.8631, 124.1552)
    got = await inbox.next()
    assert (got.kind, got.lat, got.lng, got.gcj02) == (Kind.LOCATION, 39.8631, 124.1552, False)


async def test_photo_is_downloaded_in_full_size_before_it_is_handed_in(tg, transport, inbox):
    sent = jpeg()
    tg.user_sends_photo(COURIER, sent, caption="楼道堆物")
    got = await inbox.next()
    assert (got.kind, got.text) == (Kind.PHOTO, "楼道堆物")
    with Image.open(got.photo) as kept:      # re-encoded on receipt, but the full size
        assert kept.size == (640, 480)


async def test_voice_is_stored_and_handed_in_without_transcript(tg, transport, inbox):
    tg.user_sends_voice(COURIER, b"OggS-voice-note")
    got = await inbox.next()
    assert (got.kind, got.text) == (Kind.VOICE, "")
    assert Path(got.photo).read_bytes() == b"OggS-voice-note"


def gps_jpeg(width: int = 160, height: int = 120) -> bytes:
    """A phone photo that tells where it was taken (GPS EXIF)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (30.0, 39.0, 15.0), 3: "E", 4: (104.0, 4.0, 27.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 160, 90)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


async def test_a_photo_with_gps_exif_from_telegram_is_stored_without_exif(tg, transport, inbox):
    tg.user_sends_photo(COURIER, gps_jpeg())
    got = await inbox.next()
    with Image.open(got.photo) as kept:
        assert kept.size == (160, 120)
        assert not kept.getexif() and not kept.getexif().get_ifd(0x8825)
        assert "exif" not in kept.info


@pytest.mark.parametrize("unique_id", ["../../x", "9" * 5000])
async def test_a_crafted_file_unique_id_is_stored_inside_the_media_folder_under_a_hash_name(
        build, tg, inbox, tmp_path, unique_id):
    bot = build(mode="webhook", webhook_secret="right-secret")
    await bot.start(inbox)
    try:
        update = tg.user_sends_photo(COURIER, jpeg(), caption="楼道堆物", unique_id=unique_id)
        body = json.dumps(tg.update(update)).encode()
        assert await bot.handle_webhook(body, "right-secret") is True
        got = await inbox.next()
    finally:
        await bot.stop()
    assert got.kind is Kind.PHOTO
    stored = Path(got.photo).resolve()
    assert stored.parent == (tmp_path / "media").resolve()
    assert re.fullmatch(r"[0-9a-f]{64}\.jpg", stored.name)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [stored]
    assert not (tmp_path.parent / "x.jpg").exists()     # where "../../x" used to land


async def test_a_photo_that_is_not_an_image_arrives_as_unsupported(tg, transport, inbox,
                                                                  tmp_path):
    tg.user_sends_photo(COURIER, b"#!/bin/sh\necho not a photo\n")
    got = await inbox.next()
    assert got.kind is Kind.UNSUPPORTED and got.photo is None
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


async def test_button_press_is_answered_and_handed_in(tg, transport, inbox):
    tg.user_presses(COURIER, "cat:S02", message_id=1)
    got = await inbox.next()
    assert (got.kind, got.button) == (Kind.BUTTON, "cat:S02")
    assert len(tg.answered) == 1   # the spinner on the user's button stops


async def test_sticker_is_unsupported(tg, transport, inbox):
    tg.user_sends_sticker(COURIER)
    assert (await inbox.next()).kind is Kind.UNSUPPORTED


async def test_redelivered_update_comes_again_with_the_same_id(tg, transport, inbox):
    update_id = tg.user_sends_text(COURIER, "你好")
    first = await inbox.next()
    tg.deliver_again(update_id)
    again = await inbox.next()
    assert again.update_id == first.update_id == str(update_id)


async def test_one_persons_updates_stay_in_order_when_handled_concurrently(build, tg, inbox):
    bot = build(concurrency=8)
    await bot.start(inbox)
    try:
        tg.user_sends_photo(COURIER, jpeg())          # slow: a download comes first
        tg.user_sends_location(COURIER, 39.86, 124.15)
        kinds = [(await inbox.next()).kind, (await inbox.next()).kind]
    finally:
        await bot.stop()
    assert kinds == [Kind.PHOTO, Kind.LOCATION]


async def test_choices_arrive_as_an_inline_keyboard(tg, transport):
    choices = (Choice("签收", "sign:WG-1"), Choice("退回", "return:WG-1"), Choice("上报", "up:WG-1"))
    await transport.deliver(Outbound("telegram", str(COURIER), "新工单 WG-1", choices))
    [sent] = await tg.wait_for_sent(1)
    assert (sent.method, sent.chat_id, sent.text) == ("sendMessage", COURIER, "新工单 WG-1")
    assert sent.buttons == [[("签收", "sign:WG-1"), ("退回", "return:WG-1"), ("上报", "up:WG-1")]]


async def test_photo_goes_out_as_upload_with_caption(tg, transport, tmp_path):
    picture = tmp_path / "result.jpg"
    picture.write_bytes(jpeg(320, 240))
    await transport.deliver(Outbound("telegram", str(COURIER), "已办结", photo=str(picture)))
    [sent] = await tg.wait_for_sent(1)
    assert (sent.method, sent.text, sent.photo) == ("sendPhoto", "已办结", picture.read_bytes())


async def test_choice_data_over_64_bytes_is_refused_before_sending(tg, transport):
    too_long = Choice("签收", "sign:" + "x" * 60)
    with pytest.raises(CallbackDataTooLong):
        await transport.deliver(Outbound("telegram", str(COURIER), "新工单", (too_long,)))
    assert tg.calls["sendMessage"] == 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")   # PTB's own, on building RetryAfter
async def test_flood_control_surfaces_as_retry_after(tg, transport):
    tg.rate_limit(per_chat_per_s=1, global_per_s=30, chat_burst=2)
    for text in ("第一条", "第二条"):   # the burst
        await transport.deliver(Outbound("telegram", str(COURIER), text))
    with pytest.raises(RetryAfter) as third:
        await transport.deliver(Outbound("telegram", str(COURIER), "第三条"))
    assert third.value.seconds == 1 and tg.too_many == 1
    tg.fail_next(1, status=429, retry_after=17)
    with pytest.raises(RetryAfter) as fourth:
        await transport.deliver(Outbound("telegram", str(COURIER + 1), "别的会话"))
    assert fourth.value.seconds == 17


async def test_bad_gateway_surfaces_as_transient_error(tg, transport):
    tg.fail_next(1, status=502)
    with pytest.raises(TransientError):
        await transport.deliver(Outbound("telegram", str(COURIER), "你好"))
    await transport.deliver(Outbound("telegram", str(COURIER), "你好"))
    assert [s.text for s in await tg.wait_for_sent(1)] == ["你好"]


async def test_webhook_with_wrong_secret_processes_nothing(build, tg, inbox):
    bot = build(mode="webhook", webhook_secret="right-secret")
    await bot.start(inbox)
    try:
        body = json.dumps(tg.update(tg.user_presses(COURIER, "sign:WG-1", 1))).encode()
        assert await bot.handle_webhook(body, "wrong-secret") is False
        assert await bot.handle_webhook(body, None) is False
        assert inbox.empty() and tg.answered == []
        assert await bot.handle_webhook(body, "right-secret") is True
        assert (await inbox.next()).button == "sign:WG-1"
    finally:
        await bot.stop()


async def test_webhook_mode_receives_what_telegram_posts(build, tg, inbox):
    async def route(request: web.Request) -> web.Response:
        handled = await bot.handle_webhook(await request.read(), request.headers.get(SECRET_HEADER))
        return web.Response(status=200 if handled else 403)

    app = web.Application()
    app.router.add_post("/telegram", route)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
    bot = build(mode="webhook", webhook_secret="right-secret", webhook_url=url)
    await bot.start(inbox)
    try:
        tg.user_sends_text(COURIER, "/my")
        assert (await inbox.next()).command == "my"
        async with ClientSession() as http:   # someone who does not know the secret
            forged = await http.post(url, json=tg.update(tg.user_sends_text(COURIER, "x")),
                                     headers={SECRET_HEADER: "guess"})
        assert forged.status == 403
        assert (await tg.wait_for_webhook_replies(2))[0][1] == 200
    finally:
        await bot.stop()
        await runner.cleanup()


def test_webhook_mode_without_a_secret_is_refused(tg):
    with pytest.raises(ValueError):
        make_transport("ptb", tg.token, tg.base_url, "media", mode="webhook")


class FakeClock:
    """A monotonic clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now, self.slept = 100.0, []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_second_message_to_one_chat_waits_a_second(clock):
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)
    await limits.acquire("7001")
    await limits.acquire("7002")
    assert clock.slept == []
    await limits.acquire("7001")
    assert sum(clock.slept) == pytest.approx(1.0)


async def test_overall_limit_spaces_messages_to_many_chats(clock):
    limits = TelegramLimits(overall=Rate(30, 30), clock=clock, sleep=clock.sleep)
    for chat in range(31):
        await limits.acquire(str(chat))
    assert sum(clock.slept) == pytest.approx(1 / 30)


async def test_no_minute_holds_more_than_twenty_messages_to_a_group(clock):
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)
    sent_at = []
    for _ in range(45):
        await limits.acquire("-100123")
        sent_at.append(clock.now)
    busiest = max(sum(1 for t in sent_at if start <= t < start + 60) for start in sent_at)
    assert 19 <= busiest <= 20
    assert sent_at[9] - sent_at[0] == pytest.approx(9)   # the first ten go one a second


async def test_hold_after_429_delays_that_chat_only(clock):
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)
    limits.hold(17, chat_id="7001")
    assert limits.delay("7001") == pytest.approx(17)
    assert limits.delay("7002") == 0


async def test_workers_sharing_a_bot_keep_to_its_thirty_a_second_together(clock):
    """Telegram counts per bot, the limiter per process: whatever second one looks at, one
    worker alone or three together send no more than 30 messages in it, and nearly 30."""
    async def busiest_second(limiters: list[TelegramLimits]) -> tuple[int, int]:
        sent_at: list[float] = []
        for n in range(600):   # each worker sends to chats of its own, as fast as it is let
            await limiters[n % len(limiters)].acquire(str(n))
            sent_at.append(clock.now)
        busiest = max(sum(1 for t in sent_at if start <= t < start + 1) for start in sent_at)
        return busiest, round(len(sent_at) / (sent_at[-1] - sent_at[0] + 1))

    alone = await busiest_second([TelegramLimits(clock=clock, sleep=clock.sleep)])
    shared = await busiest_second(
        [TelegramLimits(overall=overall_share(3), clock=clock, sleep=clock.sleep)
         for _ in range(3)])
    assert alone[0] <= 30 and shared[0] <= 30       # the busiest second
    assert alone[1] >= 26 and shared[1] >= 26       # the long-run rate
    with pytest.raises(ValueError):
        overall_share(0)
