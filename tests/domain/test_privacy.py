"""Privacy: what the echo wall shows never carries a phone, an ID, a plate, an e-mail, a WeChat
id, a door or a name said in context."""
import math
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.disguise import read_through
from domain.order_codes import order_code
from domain.privacy import anonymised_report, coarse_point, scrub, strip_house_number

DIGITS = "0123456789"


@pytest.fixture(autouse=True, scope="module")
def name_tagger_loaded():
    """The name tagger's dictionary loads once, on first use: not inside a timed example."""
    scrub("业主李建国已整改")

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


# Words of a report, not random characters: random characters can spell a name, and a name
# is masked wherever it stands.
report_words = st.lists(st.sampled_from(["楼道", "堆物", "垃圾", "清运", "路灯", "井盖", "松动", "漏水",
                                         "噪音", "占道", "经营", "已", "处理", "，", "。", " "]),
                        max_size=8).map("".join)


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 9999),
       st.integers(1, 40), st.integers(1, 9), st.integers(0, 999_999), report_words)
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


# Issue 16, finding 5: the scrubber reads a text as people disguise it.

def digits_left(shown: str, value: str) -> None:
    """Neither the value nor its last seven digits can be read back from what is shown."""
    wanted = re.sub(r"\D", "", value)
    assert wanted[-7:] not in re.sub(r"\D", "", reading(shown))


@pytest.mark.parametrize("text", [
    "电话139 1234 5678找物业", "打139  1234  5678", "号码139.1234.5678", "139/1234/5678",
    "139-1234-5678", "1 3 9 1 2 3 4 5 6 7 8", "139_1234_5678", "139—1234—5678", "139\u00a01234\u00a05678",
])
def test_scrub_phone_with_separators(text):
    shown = scrub(text)
    digits_left(shown, "13912345678")
    assert "[电话]" in shown


def test_scrub_phone_with_zero_width():
    text = "有事打1\u200b3\u200b9\u200b1\u200c2\u200d3\ufeff4\u20605678，谢谢"
    shown = scrub(text)
    digits_left(shown, "13912345678")
    assert shown.endswith("，谢谢")


@pytest.mark.parametrize("text", [
    "联系幺三九一二三四五六七八", "电话一三九 一二三四 五六七八", "壹叁玖壹贰叁肆伍陆柒捌",
    "139一二三四5678", "一三九零〇〇〇〇五六七",
])
def test_scrub_phone_with_chinese_numerals(text):
    shown = scrub(text)
    assert "[电话]" in shown or "[号码]" in shown
    assert not re.search(r"[一二三四五六七八九零〇幺壹贰叁肆伍陆柒捌玖]{4}", shown)


def test_scrub_letter_o_for_zero():
    shown = scrub("电话138OO13800O，楼道灯坏了")
    assert "O" not in shown and shown.endswith("，楼道灯坏了")
    shown = scrub("找我1390o123456")
    assert "[电话]" in shown and "o" not in shown


@pytest.mark.parametrize("text", [
    "身份证210102-19900101-123X", "身份证号 210102 1990 0101 123X",
    "二一〇一〇二一九九〇〇一〇一一二三X",
])
def test_scrub_id_with_dashes(text):
    shown = scrub(text)
    assert "123X" not in shown and "[身份证号]" in shown


@pytest.mark.parametrize("text, expected", [
    ("京A 12345占道", "[车牌]占道"),
    ("川A·12345停在消防通道", "[车牌]停在消防通道"),
    ("粤B  D12345 飞线充电", "[车牌] 飞线充电"),
])
def test_scrub_plate_with_space(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text, hidden", [
    ("加我qq 123456789详聊", "123456789"), ("QQ：87654321", "87654321"),
    ("扣扣号 5566778", "5566778"), ("加v：zhang_888", "zhang_888"), ("加V zhang888", "zhang888"),
    ("薇信号：lisi_2020", "lisi_2020"), ("威信 wangwu123", "wangwu123"),
    ("徽信:abc_def_1", "abc_def_1"), ("wx: zhaoliu99", "zhaoliu99"),
])
def test_scrub_labelled_qq_and_wechat(text, hidden):
    assert hidden not in scrub(text)


@pytest.mark.parametrize("text", [
    "发到zhangsan at example dot com", "邮箱 zhangsan(at)example(dot)com",
    "zhangsan艾特example点com", "zhangsan [at] example [dot] com",
])
def test_scrub_obfuscated_email(text):
    shown = scrub(text)
    assert "zhangsan" not in shown and "[邮箱]" in shown


@pytest.mark.parametrize("text", [
    "退款打到6222 0212 3456 7890 123", "卡号6222-0212-3456-7890", "6217000010012345678收款",
])
def test_scrub_bank_card(text):
    shown = scrub(text)
    assert "[银行卡号]" in shown
    assert not re.search(r"\d{4}", shown)


@pytest.mark.parametrize("text, name", [
    ("业主李建国已整改", "李建国"), ("昨天王秀英在楼下堆了杂物", "王秀英"),
    ("楼道里的东西是刘德明放的", "刘德明"), ("刘红梅在楼道堆物", "刘红梅"),
    ("物业经理黄志强没来", "黄志强"),
])
def test_scrub_name_without_context_word(text, name):
    assert name not in scrub(text)


@pytest.mark.parametrize("text, name", [
    ("欧阳明华占用了消防通道", "欧阳明华"), ("业主司马光已整改", "司马光"),
    ("诸葛亮乱停车", "诸葛亮"),
])
def test_scrub_compound_surname(text, name):
    assert name not in scrub(text)


@pytest.mark.parametrize("text", [
    "有人在电梯里张贴小广告", "高空抛物砸坏了车", "路灯不亮，井盖松动", "李子园小区门口积水",
    "马路上有坑", "周末有人在楼下烧烤", "王府井附近占道经营", "楼道堆物已清理，感谢物业",
    "黄金海岸小区垃圾满溢", "雷雨天树枝倒伏", "白天噪音很大", "高楼层水压不足，请尽快处理",
    "金地花园3号楼电梯故障", "石板路破损", "2026.11.23 报修", "2026/11/23 09:30 报修",
    "面积约1350-1680平方米", "价格100~2000元", "宋家庄地铁站口有人发小广告", "陈列柜玻璃碎了",
    "何时能修好？", "徐汇区的朱红色围墙", "一张桌子挡住了消防通道", "visitors停车占道",
])
def test_ordinary_reports_stay_intact(text):
    assert scrub(text) == text


def test_known_names_are_masked_wherever_they_occur():
    assert scrub("欧阳修说过几天来修", names=["欧阳修"]) == "[姓名]说过几天来修"
    assert scrub("小明已整改", names=["小明"]) == "[姓名]已整改"


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
CN_DIGITS = ["零〇", "一壹幺", "二贰两", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖"]
WIDE = {str(d): chr(0xFF10 + d) for d in range(10)}


@st.composite
def disguised(draw, value: str) -> str:
    """Each digit kept, widened, written in Chinese, or (a zero) as the letter O; random
    separators and zero-width characters between them."""
    out = []
    for i, ch in enumerate(value):
        if ch.isdigit():
            way = draw(st.sampled_from(["plain", "wide", "chinese", "o"]))
            if way == "wide":
                ch = WIDE[ch]
            elif way == "chinese":
                ch = draw(st.sampled_from(CN_DIGITS[int(ch)]))
            elif way == "o" and ch == "0":
                ch = draw(st.sampled_from("Oo"))
        out.append(ch)
        if i < len(value) - 1:
            out.append(draw(st.sampled_from(["", "", " ", "  ", ".", "-", "/", "_",
                                             *ZERO_WIDTH])))
    return "".join(out)


@st.composite
def disguised_values(draw) -> tuple[str, str]:
    """(the text as written, the digits it hides)."""
    kind = draw(st.sampled_from(["mobile", "id", "card", "qq", "wechat", "email", "plate"]))
    if kind == "mobile":
        value = "1" + draw(st.sampled_from("3456789")) + draw(digits(9))
    elif kind == "id":
        value = draw(st.sampled_from("123456789")) + draw(digits(5)) + draw(
            st.dates(date(1920, 1, 1), date(2020, 12, 31))).strftime("%Y%m%d") + draw(digits(4))
    elif kind == "card":
        value = "62" + draw(digits(draw(st.integers(14, 17))))
    elif kind == "qq":
        value = draw(st.sampled_from("123456789")) + draw(digits(draw(st.integers(6, 10))))
        label = draw(st.sampled_from(["qq", "QQ", "加我qq", "扣扣", "Q号", "qq号："]))
        return label + draw(disguised(value)), value
    elif kind == "wechat":
        value = draw(st.sampled_from("abcdefgh")) + draw(digits(draw(st.integers(6, 9))))
        label = draw(st.sampled_from(["加v", "V:", "vx", "wx：", "微信", "薇信号", "威信", "徽信"]))
        return label + draw(st.sampled_from(["", " ", "：", ":"])) + value, value
    elif kind == "email":
        user = draw(st.sampled_from("abcdefgh")) + draw(digits(7))
        at = draw(st.sampled_from(["@", " at ", "(at)", "艾特", "[at]", "＠"]))
        dot = draw(st.sampled_from([".", " dot ", "(dot)", "点", "[dot]"]))
        return user + at + "qq" + dot + "com", user
    else:
        head = draw(st.sampled_from(PROVINCES)) + draw(st.sampled_from(PLATE_CHARS[:24]))
        value = draw(digits(5))
        return head + draw(st.sampled_from([" ", "  ", "·", " · ", "-"])) + value, head + value
    return draw(disguised(value)), value


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(gap, disguised_values()), min_size=1, max_size=3), gap)
def test_disguised_personal_data_never_survives_scrubbing(pieces, tail):
    text = "".join(before + planted for before, (planted, _) in pieces) + tail
    shown = scrub(text)
    assert not re.search(r"\d{7}", re.sub(r"\[[^\]]*\]", "|", reading(shown)))
    for _, (planted, hidden) in pieces:
        assert planted not in shown
        assert hidden[-6:] not in reading(shown)


def reading(text: str) -> str:
    return read_through(text).text
