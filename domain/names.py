"""People's names in free text, found without a context word (业主李建国已整改).

A Chinese segmenter (jieba) cuts the text into words. A word is taken for a name when
- the segmenter's dictionary tags it as a person's name ("nr") and knows it only as a rare
  word, and it starts with a usual surname: its dictionary also tags many everyday words as
  names (张贴, 李子, 胡同, 马路边), which are common or start with a surname that is a word too;
- the segmenter's model found it outside the dictionary — a new word — and it starts with a
  usual surname (刘德明, 陈静), erring towards masking; 小李 and 老王 are how people address
  each other, not a name to hide;
- it starts with a compound surname (欧阳, 司马, 诸葛 …): the given name after it goes too;
- it is a usual surname the segmenter split from a given name its dictionary tags as a name
  (王 + 秀英, 刘 + 红梅).
A word before a place word (李子园小区, 向阳路) or ending like a place (宋家庄, 徐汇区) is a
place; a three-character word that starts with a common word (陈列柜, 何时能) is not a name.

Tagging the whole text with jieba's part-of-speech model would find names more surely but
takes a large fraction of a second on text of rare characters — a price anyone could make the
echo wall pay — so the tag is taken from the dictionary and only the fast segmenter runs.
The dictionary takes a second or two to load, so it loads once, on the first text that needs it.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Any

# The usual surnames (about nine in ten people) and the compound ones still in use.
SURNAMES = ("王李张刘陈杨黄赵吴徐孙朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
            "苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦付邹孟熊秦邱尹薛闫段雷侯陶贺顾郝龚邵钱覃"
            "戴莫孔汤康施葛鲁樊")
# Not those that are everyday words too (周末, 马路, 高空, 方便, 金地, 石板 …), nor those that
# begin everyday words (东方, 西门, 南宫, 百里).
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                     "宇文", "司徒", "夏侯", "令狐", "端木", "独孤", "呼延", "澹台", "申屠",
                     "轩辕", "万俟", "钟离")
# Above this many uses in the dictionary's corpus a word tagged as a name is an everyday word
# (张贴, 李子, 黎明) or a figure of history, not a neighbour.
COMMON_WORD_FREQUENCY = 50
# A character this common after a compound surname is a word of its own (欧阳明已…: 已).
_GIVEN_NAME_FREQUENCY = 5000
_PLACE_WORDS = frozenset(
    ["小区", "园", "苑", "府", "庄", "村", "路", "街", "巷", "里", "大街", "大道", "胡同", "花园", "广场", "大厦", "公寓", "家园", "新村", "社区", "附近", "中心", "公园", "市场", "医院", "学校", "小学", "中学", "商场", "超市", "酒店", "饭店", "宾馆", "公司", "集团", "银行", "站", "桥", "湖", "山", "城", "镇", "乡", "县", "区", "市", "省", "店", "馆", "厂"])
# The last character of a place's name (宋家庄, 徐汇区); names ending so are rare.
_PLACE_ENDINGS = frozenset("区庄村坡岭场湾口路街园苑桥镇乡屯营堡沟店巷寺塘洲岛府厂坊院")
_TITLES = frozenset(["师傅", "阿姨", "大爷", "大妈", "大姐", "大哥", "叔叔", "婶婶", "奶奶", "爷爷", "老师", "先生", "女士", "同志", "老板", "医生", "主任", "书记"])
_NAME_TAGS = ("nr", "nrfg", "nrt")
_HAN = re.compile(r"[\u4e00-\u9fff]{2}")
_ALL_HAN = re.compile(r"[\u4e00-\u9fff]+")
# Every name starts with a surname: text without one is not cut into words at all.
_MAY_HOLD_NAME = re.compile(f"[{SURNAMES}{''.join(c[0] for c in COMPOUND_SURNAMES)}]")
_lock = threading.Lock()
_jieba: Any = None


def _loaded() -> Any:
    """jieba with its dictionary loaded once; it says nothing while it loads."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
        return _jieba


def name_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where people's names are in the text, as (start, end) pairs."""
    return _spans(text) if _HAN.search(text) and _MAY_HOLD_NAME.search(text) else ()


@lru_cache(maxsize=4096)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    words = _loaded().lcut(text)
    spans = []
    at = 0
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        size = _name_size(before, word, after)
        if size:
            spans.append((at, at + size))
        at += len(word)
    return tuple(spans)


def _name_size(before: str, word: str, after: str) -> int:
    """How many characters from `word` on are a name (reaching into `after`), or 0."""
    if not _ALL_HAN.fullmatch(word) or after in _PLACE_WORDS or (
            after[:1] in _PLACE_WORDS and len(after) <= 2):
        return 0
    given = after if _ALL_HAN.fullmatch(after or "-") else ""
    if word[:2] in COMPOUND_SURNAMES:
        joined = bool(given) and (_frequency(given) or 0) < _GIVEN_NAME_FREQUENCY
        return min(len(word) + len(given), 4) if joined else (len(word) if len(word) > 2 else 0)
    if word[0] not in SURNAMES or before in ("小", "老"):
        return 0
    frequency = _frequency(word)
    if len(word) == 1:
        # A surname alone, then a given name the dictionary tags as a name (王 + 秀英).
        return 1 + len(given) if 1 <= len(given) <= 2 and given not in _TITLES and (
            _tag(given) in _NAME_TAGS) else 0
    if not 2 <= len(word) <= 3 or word in _TITLES:
        return 0
    if word[-1] in _PLACE_ENDINGS:
        return 0                   # 宋家庄, 徐汇区, 唐家岭
    if len(word) == 3 and (_frequency(word[:2]) or 0) > COMMON_WORD_FREQUENCY:
        return 0                   # starts with a common word: 陈列柜, 何时能, 朱红色
    if frequency is None:
        return len(word)           # a new word the segmenter's model found
    return len(word) if _tag(word) in _NAME_TAGS and _rare(word) else 0


def _frequency(word: str) -> int | None:
    found: int | None = _loaded().get_FREQ(word)
    return found


def _rare(word: str) -> bool:
    return (_frequency(word) or 0) <= COMMON_WORD_FREQUENCY


@lru_cache(maxsize=4096)
def _tag(word: str) -> str:
    """The dictionary's part of speech for a word it knows."""
    pairs = _loaded().posseg.lcut(word, HMM=False)
    return str(pairs[0].flag) if len(pairs) == 1 else ""
