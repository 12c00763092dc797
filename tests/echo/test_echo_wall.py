"""The echo wall publishes closed orders and nothing private: 3,000 orders full of planted data."""
from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import select

from bot.services import build_chat
from domain import orders
from domain.grids import Level
from domain.orders import Due, Satisfaction, Urgency, WorkOrder
from handlers.echo_wall import EchoChannels, coarse_place, public_text, publish_due
from storage.records import Person
from storage.tables import OutboxRow
from tests.echo.stories import add_all
from web.app import create_app

CHANNEL, ROBOT = "-1001234567890", "robot-key-0001"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("秀英", "建国", "志强", "桂兰", "海燕", "振华", "玉梅", "德明", "晓燕", "文博")
COUNT = 3000
REPORTERS = 300


def gps_jpeg(path: Path) -> Path:
    """A phone photo that tells where it was taken (GPS EXIF) and by what camera."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (30.0, 39.0, 15.0), 3: "E", 4: (104.0, 4.0, 27.0)}
    image = Image.new("RGB", (120, 90), (40, 160, 90))
    image.save(path, "JPEG", exif=exif.tobytes())
    assert Image.open(path).getexif().get_ifd(0x8825)
    return path


def planted(i: int) -> dict[str, str]:
    """One order's private data, unique to it so a leak is traced to a rule."""
    return {
        "name": SURNAMES[i % 20] + GIVEN[i // 20 % 10] + "甲乙丙丁"[i // 200 % 4],
        "nickname": f"跑腿侠{i:04d}号",
        "phone": f"139{i:08d}",
        "id": f"{110101 + i % 90}{1950 + i % 50}{i % 12 + 1:02d}{i % 28 + 1:02d}"
              f"{i % 1000:03d}{'X' if i % 2 else i % 10}",
        "plate": f"京{'ABCDEFGHJK'[i % 10]}{i:05d}",
        "house": f"{i % 30 + 1}号楼{i % 6 + 1}单元{i % 20 + 101 + i // 20 % 9 * 100}室",
        "dashed": f"{i % 30 + 1}-{i % 6 + 1}-{i % 20 + 101 + i // 20 % 9 * 100}",
    }


def found(values: set[str], corpus: str) -> list[str]:
    """The values that occur in the corpus.

    A value lies inside one run of the characters the values are made of, so searching the
    distinct runs is exact, and far quicker than searching the whole corpus for each value.
    """
    alphabet = re.escape("".join(set("".join(values))))
    runs = "\n".join(set(re.findall(f"[{alphabet}]+", corpus)))
    return sorted(value for value in values if value in runs)


async def seed(services, tmp_path: Path) -> dict[str, object]:
    """3,000 orders through the repositories in one transaction, moved by the domain actions."""
    taxonomy = services.taxonomy
    public = [c.code for c in taxonomy if c.publishable][:8]
    private = [c.code for c in taxonomy if not c.publishable]
    now = services.clock.now()
    photo = gps_jpeg(tmp_path / "after.jpg")
    expected, hidden, secrets, made = [], [], [], []
    async with services.uow() as uow:
        tree = await uow.grids.tree()
        grids = [g.code for g in tree if g.level is Level.MICRO_GRID]
        leader = await uow.memberships.leader_of(grids[0])
        reporters = []
        for i in range(REPORTERS):
            p = planted(i)
            reporters.append(await uow.people.upsert(Person(
                name=p["name"], nickname=p["nickname"], phone=p["phone"], kind="rider")))
        for i in range(COUNT):
            reporter = reporters[i % REPORTERS]
            p = {**planted(i), "name": reporter.name, "nickname": reporter.nickname}
            secrets.append(p)
            category = private[i % len(private)] if i % 10 == 9 else public[i % len(public)]
            born = now - timedelta(days=6, minutes=i)
            order = WorkOrder(
                f"WG-20261117-{i:04d}", category, Urgency.NORMAL, reporter.id,
                f"{p['name']}反映{p['house']}门口堆物，电话{p['phone']}，身份证{p['id']}，"
                f"车牌{p['plate']}", born, grid_code=grids[i % len(grids)] if i % 4 else None,
                lat=30.65 + i * 1e-5, lng=104.06, address=f"人民路88号{p['house']}（{p['name']}家）")
            events = [orders.submit(order, ("media/report-photo.jpg",))]
            if i % 50 == 7:
                events.append(orders.mark_invalid(order, leader, f"{p['name']}的重复举报", born))
                hidden.append(order.code)
            elif i % 50 == 8:
                events.append(orders.merge(order, "WG-20261117-0000", leader, born))
                hidden.append(order.code)
            else:
                step = born + timedelta(hours=1)
                due = Due(step + timedelta(hours=2), step + timedelta(days=2 if i % 3 else 0))
                events.append(orders.dispatch(order, grids[0], leader, due, step))
                events.append(orders.sign_for(order, leader, step + timedelta(minutes=20)))
                note = (f"已联系{p['name']}（{p['nickname']}），清理{p['house']}门口堆物；"
                        f"回访电话 {p['phone'][:3]} {p['phone'][3:7]} {p['phone'][7:]}，"
                        f"身份证号{p['id']}，涉事车辆{p['plate']}已挪走，{p['dashed']}已复查")
                events.append(orders.resolve(order, leader, note, step + timedelta(days=1),
                                             photo=str(photo) if i == 1 else None))
                if i % 5:
                    events.append(orders.rate(order, reporter.id, True, Satisfaction.SATISFIED,
                                              step + timedelta(days=1, hours=2)))
                else:
                    events.append(orders.close_unrated(order, step + timedelta(days=4)))
                (hidden if category in private else expected).append(order.code)
            made.append((order, events))
        await add_all(uow, made)
        await uow.commit()
    return {"expected": expected, "hidden": hidden, "secrets": secrets}


async def published_corpus(services, chat) -> str:
    """Everything the public can see: the posts owed, the page and the JSON of every filter."""
    async with services.uow() as uow:
        posts = [json.dumps(p, ensure_ascii=False) for p in
                 (await uow.session.execute(select(OutboxRow.payload))).scalars()]
    app = create_app(services, chat)
    communities = [g.code for g in chat.deps.router.tree if g.level is Level.COMMUNITY]
    pages = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://web.test") as client:
        for community in [None, *communities]:
            params = {"limit": 500, **({"community": community} if community else {})}
            for path in ("/echo-wall", "/api/echo-wall.json"):
                response = await client.get(path, params=params)
                assert response.status_code == 200
                pages.append(response.text if path == "/echo-wall"
                             else json.dumps(response.json(), ensure_ascii=False))
    return "\n".join(posts + pages)


async def test_three_thousand_orders_go_public_without_one_planted_secret(services, tmp_path):
    seeded = await seed(services, tmp_path)
    chat = await build_chat(services)
    channels = EchoChannels(CHANNEL, ROBOT, media_dir=tmp_path / "media")
    published: list[str] = []
    while batch := await publish_due(services.uow(), chat.deps, channels, limit=1000):
        published += batch
    assert sorted(published) == sorted(seeded["expected"])

    corpus = await published_corpus(services, chat)
    assert "回音壁" in corpus and seeded["expected"][0] in corpus
    secrets = {value for p in seeded["secrets"] for value in p.values()}
    assert found(secrets | set(seeded["hidden"]), corpus) == []
    # "反映" marks the raw reports; the column's section title 群众反映 is no report's words.
    assert "反映" not in corpus.replace("群众反映", "") and "report-photo" not in corpus and "人民路88号" not in corpus

    [kept] = (tmp_path / "media" / "echo").iterdir()     # named by its hash, not the code
    assert re.fullmatch(r"[0-9a-f]{64}\.jpg", kept.name)
    clean = Image.open(kept)
    assert not clean.getexif() and "exif" not in clean.info
    assert clean.size == (120, 90)


async def test_posts_are_paced_for_the_channel_and_the_robot(services, tmp_path):
    await seed_few(services, 5)
    chat = await build_chat(services)
    await publish_due(services.uow(), chat.deps, EchoChannels(CHANNEL, ROBOT, tmp_path))
    async with services.uow() as uow:
        rows = (await uow.session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars()
        due = {}
        for row in rows:
            due.setdefault((row.channel, row.address), []).append(row.due_at)
    assert set(due) == {("telegram", CHANNEL), ("wecom_robot", ROBOT)}
    for times in due.values():
        assert len(times) == 5
        assert all(b - a >= timedelta(seconds=3) for a, b in itertools.pairwise(times))


async def seed_few(services, count: int) -> None:
    async with services.uow() as uow:
        leader = await uow.memberships.leader_of("JJ-01-01-03")
        now = services.clock.now()
        made = []
        for i in range(count):
            order = WorkOrder(f"WG-20261118-{i:04d}", "H01", Urgency.NORMAL, None, "垃圾",
                              now - timedelta(days=2), grid_code="JJ-01-01-03")
            events = [orders.submit(order), orders.dispatch(
                order, "JJ-01-01-03", leader, Due(None, None), now - timedelta(days=2))]
            events.append(orders.sign_for(order, leader, now - timedelta(days=2)))
            events.append(orders.resolve(order, leader, "已清运", now - timedelta(days=1)))
            events.append(orders.close_unrated(order, now))
            made.append((order, events))
        await add_all(uow, made)
        await uow.commit()


def test_free_text_loses_house_numbers_names_and_numbers_but_keeps_its_sense():
    text = ("已联系王秀英，3号楼2单元501室门口堆物已清，7栋1单元302、12-3-402 同步整改；"
            "电话13812345678，2026-11-23 完成")
    shown = public_text(text, ["王秀英"])
    assert shown == ("已联系[姓名]，[门牌]门口堆物已清，[门牌]、[门牌] 同步整改；电话[电话]，"
                     "2026-11-23 完成")


async def test_a_report_in_a_building_shows_its_compound_and_an_address_loses_its_numbers(
        services):
    async with services.uow() as uow:
        tree = await uow.grids.tree()
    in_building = WorkOrder("WG-1", "H01", Urgency.NORMAL, 1, "", services.clock.now(),
                            grid_code="JJ-01-01-03", address="锦江畔3号楼2单元501室")
    assert coarse_place(in_building, tree) == "锦江畔小区"
    nowhere = WorkOrder("WG-2", "H01", Urgency.NORMAL, 1, "", services.clock.now(),
                        address="人民路88号3号楼2单元501室（王秀英家）")
    assert coarse_place(nowhere, tree) == "未定位"          # typed text never goes public
    queued = WorkOrder("WG-3", "H01", Urgency.NORMAL, 1, "", services.clock.now(),
                       unit_code="queue:JJ-01", address="幸福路张三家门口")
    assert coarse_place(queued, tree) == tree.get("JJ-01").name


async def test_echo_wall_place_is_never_typed_text_and_a_leaders_note_is_scrubbed(
        services, tmp_path):
    """An address that matched no grid ("幸福路张三家门口") was published as the place, and a
    leader's note with a WeChat id word for word."""
    async with services.uow() as uow:
        leader = await uow.memberships.leader_of("JJ-01-01-03")
        now = services.clock.now()
        order = WorkOrder("WG-20261118-0100", "H01", Urgency.NORMAL, None, "门口垃圾",
                          now - timedelta(days=2), address="幸福路张三家门口")
        events = [orders.submit(order), orders.dispatch(
            order, "queue:JJ-01", leader, Due(None, None), now - timedelta(days=2))]
        events.append(orders.sign_for(order, leader, now - timedelta(days=2)))
        events.append(orders.resolve(order, leader, "已通过微信wxid_abc123联系上报人，已清运",
                                     now - timedelta(days=1)))
        events.append(orders.close_unrated(order, now))
        await add_all(uow, [(order, events)])
        await uow.commit()
        tree = await uow.grids.tree()
    chat = await build_chat(services)
    assert await publish_due(services.uow(), chat.deps, EchoChannels(CHANNEL, None, tmp_path))
    async with services.uow() as uow:
        [entry] = await uow.publishing.wall()
    assert entry["place"] == tree.get("JJ-01").name
    assert "wxid_abc123" not in entry["summary"] and "联系上报人" in entry["summary"]
    corpus = await published_corpus(services, chat)
    assert "幸福路" not in corpus and "张三" not in corpus and "wxid_abc123" not in corpus
