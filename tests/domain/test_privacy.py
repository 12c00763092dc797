"""Privacy: what the echo wall shows never carries a phone, an ID, a plate, an e-mail, a WeChat
id, a door or a name said in context."""
import math
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.orders import order_code
from domain.privacy import anonymised_report, coarse_point, scrub, strip_house_number

DIGITS = "0123456789"
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ" + DIGITS
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

hanzi = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
filler = st.text(alphabet=st.one_of(hanzi, st.sampled_from("，。！？：、（） ")), max_size=20)
# Planted values are kept apart by at least one character, as words are in a real report.
gap = st.builds(lambda words, last: words + last, filler, hanzi)


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS, min_size=n, max_size=n)


@st.composite
def mobiles(draw) -> str:
    number = "1" + draw(st.sampled_from("3456789")) + draw(digits(9))
    sep = draw(st.sampled_from(["", " ", "-"]))
    prefix = draw(st.sampled_from(["", "+86 ", "+86-", "+86", "0086 ", "(+86)"]))
    return prefix + number[:3] + sep + number[3:7] + sep + number[7:]


@st.composite
def landlines(draw) -> str:
    area = draw(st.sampled_from(["010", "021", "020", "0411", "0755", "0571"]))
    local = draw(st.sampled_from("23456789")) + draw(digits(draw(st.sampled_from([6, 7]))))
    shape = draw(st.sampled_from(["{a}-{l}", "({a}){l}", "（{a}）{l}", "{a} {l}", "{a}{l}"]))
    ext = draw(st.sampled_from(["", "转8", "-123", " 转 6021"]))
    return shape.format(a=area, l=local) + ext


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.sampled_from("123456789")) + draw(digits(5))
    born = draw(st.dates(date(1920, 1, 1), date(2020, 12, 31)))
    serial = draw(digits(3))
    if draw(st.booleans()):
        return region + born.strftime("%y%m%d") + serial  # the old 15-digit card
    check = draw(st.sampled_from(DIGITS + "Xx"))
    sep = draw(st.sampled_from(["", " "]))
    return region + sep + born.strftime("%Y%m%d") + sep + serial + check


@st.composite
def plates(draw) -> str:
    head = draw(st.sampled_from(PROVINCES)) + draw(st.sampled_from(PLATE_CHARS[:24]))
    sep = draw(st.sampled_from(["", "·", " "]))
    kind = draw(st.sampled_from(["civil", "energy_small", "energy_large"]))
    if kind == "civil":
        serial = draw(st.text(alphabet=PLATE_CHARS, min_size=4, max_size=4)) + draw(digits(1))
    elif kind == "energy_small":
        serial = draw(st.sampled_from("DF")) + draw(digits(5))
    else:
        serial = draw(digits(5)) + draw(st.sampled_from("DF"))
    return head + sep + serial


emails = st.from_regex(r"[a-z][a-z0-9._]{0,10}[a-z0-9]@[a-z0-9]{1,8}\.(com|cn|net|com\.cn)",
                       fullmatch=True)
personal_data = st.one_of(mobiles(), landlines(), id_numbers(), plates(), emails)


def without_separators(text: str) -> str:
    return re.sub(r"[\s\-·()（）+]", "", text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(gap, personal_data), min_size=1, max_size=4), gap)
def test_planted_personal_data_never_survives_scrubbing(pieces, tail):
    text = "".join(before + planted for before, planted in pieces) + tail
    shown = scrub(text)
    for _, planted in pieces:
        assert planted not in shown
        assert without_separators(planted)[-7:] not in without_separators(shown)


@pytest.mark.parametrize("text, expected", [
    ("电话：13912345678，找物业", "电话：[电话]，找物业"),
    ("联系139-1234-5678或139 1234 5678", "联系[电话]或[电话]"),
    ("物业（010）12345678转6021", "物业[电话]"),
    ("座机 8888 8888", "座机 [电话]"),
    ("身份证21010219900101123X", "身份证[身份证号]"),
    ("辽F·12345占消防通道", "[车牌]占消防通道"),
    ("粤B D12345 飞线充电", "[车牌] 飞线充电"),
    ("发到zhang.san@example.com。", "发到[邮箱]。"),
    ("手机１３９１２３４５６７８", "手机[电话]"),
])
def test_known_personal_data_is_masked_by_kind(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", [
    "工单WG-20261122-0042已办结",
    "3号楼2单元门口堆物",
    "2026年11月23日 09:30 报修",
    "2026-11-23 09:30:00",
    "维修费¥120，另收120元",
    "燃气泄漏请拨打110、119、120，或12345热线",
    "1350-1680元一平",
    "京东快递",
    "地铁1号线B口",
])
def test_everyday_text_survives_scrubbing_unchanged(text):
    assert scrub(text) == text


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 9999),
       st.integers(1, 40), st.integers(1, 9), st.integers(0, 999_999), filler)
def test_order_codes_dates_buildings_and_money_survive(day, seq, building, unit, yuan, words):
    text = (f"{words}{order_code(day, seq)}，{building}号楼{unit}单元，"
            f"{day.year}年{day.month}月{day.day}日 {seq % 24:02d}:{seq % 60:02d}，¥{yuan}{words}")
    assert scrub(text) == text


@pytest.mark.parametrize("address, place", [
    ("锦江畔小区3号楼2单元501室", "锦江畔小区"),
    ("锦江畔小区3-2-501", "锦江畔小区"),
    ("SOHO现代城A座1203", "SOHO现代城"),
    ("人民路12号锦江畔小区5栋", "人民路锦江畔小区"),
    ("百万庄大街11号院3楼", "百万庄大街11号院"),
    ("幸福里二期东门", "幸福里二期东门"),
    ("鼓楼区钟楼街道", "鼓楼区钟楼街道"),
])
def test_strip_house_number_keeps_the_compound_and_drops_the_door(address, place):
    assert strip_house_number(address) == place


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    return math.hypot((a[0] - b[0]) * 111_320, (a[1] - b[1]) * 111_320 * math.cos(lat))


@given(st.floats(18.0, 53.0), st.floats(73.0, 135.0), st.sampled_from([1, 50, 100, 250, 1000]))
def test_coarse_point_stays_near_and_is_stable(lat, lng, metres):
    shown = coarse_point(lat, lng, metres)
    cell = max(metres, 100)
    assert metres_between(shown, (lat, lng)) <= cell * 0.71 + 1
    assert coarse_point(*shown, metres) == shown


def test_coarse_points_are_never_closer_than_a_hundred_metres():
    spots = {coarse_point(39.9 + i * 0.00009, 116.4 + j * 0.00012, metres=10)
             for i in range(30) for j in range(30)}  # 10 m steps over ~300 m x 300 m
    assert 4 <= len(spots) <= 25
    for a in spots:
        for b in spots:
            assert a == b or metres_between(a, b) >= 99


@pytest.mark.parametrize("text, expected", [
    ("已通过微信wxid_abc123联系上报人", "已通过微信[微信号]联系上报人"),
    ("微信号：abc_123", "微信号：[微信号]"),
    ("加VX: zhangsan88 详谈", "加VX: [微信号] 详谈"),
    ("回复到li.si@example.cn", "回复到[邮箱]"),
    ("3单元502室漏水", "[门牌]漏水"),
    ("502室漏水", "[门牌]漏水"),
    ("5楼502门口", "[门牌]门口"),
    ("7栋1单元302堆物", "[门牌]堆物"),
    ("幸福路张三家门口", "幸福路[姓名]家门口"),
    ("已联系了李四，明天处理", "已联系了[姓名]，明天处理"),
    ("王阿姨说楼道灯坏了", "[姓名]说楼道灯坏了"),
    ("马师傅来修了", "[姓名]来修了"),
    ("刘先生反映噪音", "[姓名]反映噪音"),
    ("我是张秀兰，住3楼", "我是[姓名]，住3楼"),
    ("感谢王阿姨的反映", "感谢[姓名]的反映"),
    ("张秀兰阿姨家门口", "[姓名]阿姨家门口"),
])
def test_wechat_ids_rooms_and_names_in_context_are_masked(text, expected):
    assert scrub(text) == expected


planted_names = st.builds(str.__add__, st.sampled_from("王李张刘陈杨黄赵吴徐孙朱胡郭何林罗郑梁谢"),
                          st.text(alphabet="秀英建国志强桂兰海燕振华玉梅德明", min_size=1, max_size=2))
name_contexts = st.sampled_from(["{n}家门口", "联系了{n}", "通知{n}", "{n}说", "{n}反映",
                                 "{n}师傅", "{n}阿姨", "我是{n}", "姓名：{n}"])


@settings(max_examples=300, deadline=None)
@given(filler, planted_names, name_contexts, filler)
def test_a_name_said_in_context_never_survives_scrubbing(before, name, context, after):
    shown = scrub(f"{before}，{context.format(n=name)}，{after}")
    assert name not in shown


@pytest.mark.parametrize("text", [
    "本周三家门口清扫",            # 周 is a word here, not a surname before a title
    "马路边的井盖松动",
    "任何人说都没用",
    "已联系保洁公司，今天下午清运",
    "通知物业明天处理",
    "3号楼2单元，楼道堆物",       # a building and a unit are places, not doors
    "高楼层水压不足",
])
def test_everyday_words_are_not_taken_for_names_or_rooms(text):
    assert scrub(text) == text


def test_a_leaders_note_never_reaches_the_wall_word_for_word():
    note = "已通过微信wxid_abc123联系上报人"
    assert "wxid_abc123" not in scrub(note) and scrub(note) != note


def test_an_anonymised_report_keeps_its_sense_but_nobody_in_it():
    text, place, lat, lng = anonymised_report(
        "我是张秀兰，3单元502室门口漏水，电话13912345678，微信号：zxl_1988",
        "锦江畔小区3号楼2单元502室", 30.654321, 104.065432, names=["张秀兰"])
    assert text == "我是[姓名]，[门牌]门口漏水，电话[电话]，微信号：[微信号]"
    assert place == "锦江畔小区"
    assert (lat, lng) == coarse_point(30.654321, 104.065432) != (30.654321, 104.065432)
    assert anonymised_report("漏水", None, None, None) == ("漏水", None, None, None)
