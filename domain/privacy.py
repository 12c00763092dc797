"""Privacy (个人信息保护法): scrub free text, coarsen places, anonymise old reports.

Scrubbing masks mainland phone numbers, resident ID numbers, vehicle plates, e-mail addresses,
WeChat ids, room numbers and people's names said in context before any free text is shown
beyond the handler (the echo wall, digests). It errs on the side of masking, but leaves order
codes, dates, times, money and building numbers alone. Public service numbers (110, 119, 120,
12345) are too short to be taken for a phone.

It reads the text as people disguise it (see domain.disguise): full-width forms, separators
and zero-width characters between digits, Chinese numerals and the letter O for digits; then any
run of seven or more digits left is masked too (a bank card, a QQ number, a number with no
known shape). QQ numbers and WeChat ids are found behind their labels (加我qq, 扣扣, 加v, 薇信号),
e-mail addresses also when written "at … dot" or 艾特 … 点.

Names are found three ways: the names the caller knows (reporter, followers, roster), passed as
`names`; a heuristic for names said in context — a common surname and one or two characters of
a given name before 家, 说 or a title (张三家门口, 王阿姨), after a verb of contact (联系了李四)
or an introduction (我是张秀兰); and a segmenter's person-name tag for names with no context
word (业主李建国已整改, see domain.names).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

from domain.disguise import SHORTEST_NUMBER, read_through, visible
from domain.names import name_spans

PHONE_MASK = "[电话]"
ID_MASK = "[身份证号]"
PLATE_MASK = "[车牌]"
EMAIL_MASK = "[邮箱]"
WECHAT_MASK = "[微信号]"
ROOM_MASK = "[门牌]"
NAME_MASK = "[姓名]"
CARD_MASK = "[银行卡号]"
QQ_MASK = "[QQ号]"
NUMBER_MASK = "[号码]"

_SEP = r"(?:[ \t]?-[ \t]?|[ \t])?"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
# An e-mail address written out: "at" / 艾特 / (at) for @, "dot" / 点 / (dot) for the dot.
_AT = r"(?:[ \t]*@[ \t]*|[ \t]*[(\[{（【][ \t]*(?i:at)[ \t]*[)\]}）】][ \t]*|[ \t]+(?i:at)[ \t]+|[ \t]*艾特[ \t]*)"
_DOT = r"(?:\.|[ \t]*[(\[{（【][ \t]*(?i:dot)[ \t]*[)\]}）】][ \t]*|[ \t]+(?i:dot)[ \t]+|[ \t]*点[ \t]*)"
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

_PATTERNS = {
    # Starting only at the head of a run keeps a long word without "@" linear to scan.
    "email": rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+{_AT}"
             rf"[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}[A-Za-z]{{2,}}",
    "qq": r"(?P<qq_label>(?:(?<![A-Za-z])[Qq][Qq]|扣扣|企鹅|(?<![A-Za-z])[Qq](?=号))[ \t]*(?:号码?)?"
          r"[ \t]*[:：]?[ \t]*)[1-9][0-9]{4,11}(?![0-9])",
    # After a contact word any long run of digits is a number, even without an area code.
    "contact": r"(?P<label>(?:电话|手机|座机|联系方式|联系电话|[Tt][Ee][Ll])[:：]?[ \t]*)"
               r"[0-9](?:[ \t-]?[0-9]){6,}(?![0-9])(?:[ \t]*(?:转|分机|ext\.?)[ \t]*[0-9]{1,5})?",
    "id18": rf"(?<![0-9])[1-9][0-9]{{5}}[ \t]?(?:18|19|20)[0-9]{{2}}{_MONTH}{_DAY}"
            rf"[ \t]?[0-9]{{3}}[0-9Xx](?![0-9A-Za-z])",
    "id15": rf"(?<![0-9])[1-9][0-9]{{5}}[0-9]{{2}}{_MONTH}{_DAY}[0-9]{{3}}(?![0-9A-Za-z])",
    "mobile": rf"(?:(?<![0-9])[(（]?(?:\+|00)?86[)）]?{_SEP}|(?<![0-9]))"
              rf"1[3-9][0-9]{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}(?![0-9])",
    "landline": rf"(?<![0-9])(?:[(（]0[1-9][0-9]{{1,2}}[)）][ \t]?|0[1-9][0-9]{{1,2}}{_SEP})"
                r"[1-9][0-9]{2,3}[ \t-]?[0-9]{4}(?![0-9])"
                r"(?:[ \t]*(?:-|转|分机|ext\.?)[ \t]*[0-9]{1,5}(?![0-9]))?",
    # A civil plate's serial holds at least one digit; new-energy plates have six characters.
    "plate": rf"[{_PROVINCES}][A-HJ-NP-Za-hj-np-z][ \t]{{0,2}}[·•・.-]?[ \t]{{0,2}}"
             r"(?=[A-Za-z0-9]{0,5}[0-9])[A-HJ-NP-Za-hj-np-z0-9]{5,6}(?![A-Za-z0-9@])",
    # Whatever number is left, once read through its disguise. An order code is not one.
    "card": r"(?<![0-9])(?<!WG-)[0-9]{16,19}(?![0-9])",
    "digits": rf"(?<![0-9])(?<!WG-)[0-9]{{{SHORTEST_NUMBER},}}(?![0-9])",
}
_MASKS = {"email": EMAIL_MASK, "contact": PHONE_MASK, "id18": ID_MASK, "id15": ID_MASK,
          "mobile": PHONE_MASK, "landline": PHONE_MASK, "plate": PLATE_MASK, "qq": QQ_MASK,
          "card": CARD_MASK, "digits": NUMBER_MASK}
_LABELS = {"contact": "label", "qq": "qq_label"}
# Order matters where two kinds could start at the same place: an e-mail may hold digits, an
# ID number may begin like a phone number. The leading look-ahead lets most characters fail at
# once instead of trying every branch (about 8x faster on Chinese text).
_PII = re.compile(rf"(?=[0-9A-Za-z(（+电手座联扣企{_PROVINCES}])(?:"
                  + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS.items())
                  + ")")
# Text with none of these holds no number, disguised or not, and no e-mail address.
_MAY_HOLD_PII = re.compile(r"[0-9@０-９＠零〇一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖]|艾特|(?i:at)")


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """Mask phone, ID, card and QQ numbers, plates, e-mail addresses, WeChat ids, rooms and
    names — the `names` given (the people the caller knows of) and any other found."""
    return _scrubbed(mask_names(visible(text), names))


# The echo wall and the digest scrub the same entries again and again.
@lru_cache(maxsize=4096)
def _scrubbed(text: str) -> str:
    return _mask_found_names(_mask_names(_mask_rooms(_mask_wechat(_mask_numbers(text)))))


def _mask_numbers(text: str) -> str:
    if not _MAY_HOLD_PII.search(text):
        return text
    reading = read_through(text)
    parts: list[str] = []
    kept = 0
    for match in _PII.finditer(reading.text):
        kind = match.lastgroup or ""
        # A label (电话, QQ) stays readable; only the number after it goes.
        label = _LABELS.get(kind)
        start, end = reading.span(match.end(label) if label else match.start(), match.end())
        parts.append(text[kept:start])
        parts.append(_MASKS[kind])
        kept = end
    parts.append(text[kept:])
    return "".join(parts)


# WeChat ids: the system form (wxid_…) anywhere, and a chosen id (6–20 letters, digits, _ or -,
# starting with a letter) after a word that says it is one (微信号：abc_123, VX abc123, 加v
# abc123, or a homophone of 微信: 薇信, 威信).
_WECHAT = re.compile(
    r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_-]+"
    # A bare "v" only after 加 or before a colon or a space: "visitors" is a word.
    r"|(?P<label>(?:[微薇威徽维]信号?|[Vv]信|(?<![A-Za-z])(?:[VvWw][Xx]|[Ww]e[Cc]hat)"
    r"|(?<=加)[Vv]|(?<![A-Za-z])[Vv](?=\s|[:：号]))"
    r"\s*(?:号|ID|id)?\s*[:：]{0,2}\s*)"
    r"[A-Za-z][A-Za-z0-9_-]{5,19}(?![A-Za-z0-9_-])", re.IGNORECASE)
_D = "[0-9０-９]"
# A room: digits before 室/房 ("502室", "3单元502室"), or 3–4 digits after a unit or floor
# ("5楼502", "7栋1单元302"). A building or unit alone ("3号楼", "2单元") is a place, not a door.
_ROOM = re.compile(
    rf"(?:{_D}{{1,3}}\s*(?:号楼|栋|幢|座|单元|楼|层)\s*[-－—]?\s*)*{_D}{{2,5}}\s*(?:号房|室|房)"
    rf"|(?:{_D}{{1,3}}\s*(?:号楼|栋|幢|座|单元|楼|层)\s*[-－—]?\s*)+{_D}{{3,4}}(?!{_D}|\s*[号栋幢座楼层])")
# The heuristic for names said in context (see the module's docstring).
_SURNAMES = ("王李张刘陈杨黄赵吴徐孙朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
             "苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦付邹孟熊秦邱尹薛闫段雷侯陶贺顾郝龚邵钱覃"
             "戴莫孔汤")
_WORDLIKE_SURNAMES = "周马高方于任向万白金石江龙程史文严武毛黎"
_TITLES = "师傅|阿姨|大爷|大妈|大姐|大哥|叔叔|婶婶|奶奶|爷爷|老师|先生|女士|同志|老板|医生|主任"
# Characters that end a name: function words, punctuation and the context words themselves.
_GIVEN = r"(?:[\u4e00-\u9fff](?<![和与及跟同的了说讲家在是把被给对向也都就还又已人们]))"
# Led by a look-ahead for a surname, so most characters fail at once.
_NAME = re.compile(
    rf"(?=[{_SURNAMES}{_WORDLIKE_SURNAMES}])(?:(?:(?<=联系)|(?<=联系了)|(?<=通知)|(?<=通知了)|(?<=告诉)|(?<=致电)|(?<=转告)"
    rf"|(?<=我是)|(?<=我叫)|(?<=本人)|(?<=姓名)|(?<=姓名：)|(?<=姓名:))"
    rf"[{_SURNAMES}]{_GIVEN}{{1,2}}"
    rf"|[{_SURNAMES}{_WORDLIKE_SURNAMES}](?:{_TITLES})"
    # Not where a surname and a title follow: 感谢王阿姨 names 王阿姨, not 谢王.
    rf"|[{_SURNAMES}](?!{_GIVEN}?[{_SURNAMES}{_WORDLIKE_SURNAMES}](?:{_TITLES}))"
    rf"{_GIVEN}{{1,2}}?(?=家|说|讲|反映|{_TITLES}))")
# Cheap checks first: text without a context word holds no name, without these no WeChat id.
_MAY_HOLD_NAME = re.compile(rf"家|说|讲|反映|{_TITLES}|联系|通知|告诉|致电|转告|我是|我叫|本人|姓名")
_MAY_HOLD_WECHAT = re.compile(r"wxid_|[微薇威徽维Vv]信|[VvWw][Xx]|[Ww]e[Cc]hat|[Vv]")


def _mask_wechat(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        return (match.group("label") or "") + WECHAT_MASK
    return _WECHAT.sub(mask, text) if _MAY_HOLD_WECHAT.search(text) else text


def _mask_rooms(text: str) -> str:
    return _ROOM.sub(ROOM_MASK, text) if _MAY_HOLD_PII.search(text) else text


def _mask_names(text: str) -> str:
    return _NAME.sub(NAME_MASK, text) if _MAY_HOLD_NAME.search(text) else text


def _mask_found_names(text: str) -> str:
    parts: list[str] = []
    kept = 0
    for start, end in name_spans(text):
        if start >= kept:
            parts.extend((text[kept:start], NAME_MASK))
            kept = end
    parts.append(text[kept:])
    return "".join(parts)


_METRES_PER_DEGREE = 111_320.0
MIN_GRID_METRES = 100.0


def coarse_point(lat: float, lng: float, metres: float = MIN_GRID_METRES) -> tuple[float, float]:
    """The centre of the grid cell (at least 100 m a side) that holds the point."""
    size = max(float(metres), MIN_GRID_METRES)
    lat_step = size / _METRES_PER_DEGREE
    lat_cell = math.floor(lat / lat_step)
    centre_lat = (lat_cell + 0.5) * lat_step
    # The east-west step widens with latitude so a cell stays `size` metres wide on the ground.
    lng_step = size / (_METRES_PER_DEGREE * max(math.cos(math.radians(centre_lat)), 0.01))
    centre_lng = (math.floor(lng / lng_step) + 0.5) * lng_step
    return round(centre_lat, 6), round(centre_lng, 6)


_NUMERAL = r"[0-9０-９A-Za-z零〇一二三四五六七八九十百两]"
_BUILDING = re.compile(
    rf"{_NUMERAL}+(?:号楼|号房|栋|幢|座|单元|门栋|室|层|楼|户|房)"
    rf"|[0-9０-９]+(?:[-－—][0-9０-９]+)+"
    rf"|(?<=[^\W\d_])[0-9０-９]+\s*$"
)
_STREET_NUMBER = re.compile(rf"[甲乙丙]?{_NUMERAL}+号(?![楼院线房])")
_TRAILING = re.compile(r"[\s,，、;；:：()（）·\-－—#]+$")


def strip_house_number(address: str) -> str:
    """The address without building, unit, room or street numbers: fit for the echo wall."""
    cut = _BUILDING.search(address)
    place = address[: cut.start()] if cut else address
    place = _STREET_NUMBER.sub("", place)
    return _TRAILING.sub("", place).strip()


def mask_names(text: str, names: Iterable[str]) -> str:
    """Every occurrence of the given names (longest first) masked."""
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, NAME_MASK)
    return text


def anonymised_report(description: str, address: str | None, lat: float | None,
                      lng: float | None, names: Iterable[str] = ()
                      ) -> tuple[str, str | None, float | None, float | None]:
    """A report as kept for the statistics once its reporter is gone (deleted or past
    retention): the text scrubbed of anyone's data, the address without its door, the point
    snapped to a 100 m cell. Category, grid, times and states are untouched, so figures hold.
    """
    names = list(names)
    text = scrub(description, names)
    place = scrub(strip_house_number(address), names) if address else address
    if lat is not None and lng is not None:
        lat, lng = coarse_point(lat, lng)
    return text, place or None, lat, lng
