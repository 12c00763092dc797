"""Reading a text as people disguise numbers in it, so the privacy rules see through the disguise.

People write a phone number so that a pattern misses it: full-width digits, spaces, dots,
dashes, slashes or underscores between the digits, Chinese numerals (幺三九…, 壹贰叁…), the
letter O for a zero, invisible zero-width characters. `read_through` gives the text as it is
meant — digits joined into one run — together with where each character came from, so a rule
that matches the reading masks the disguised original and the rest of the sentence stays as
written.

What is not joined, because it is not a disguise but an everyday way of writing numbers: a date
(2026-11-23, 2026.11.23, 2026/11/23), an order code (WG-20261122-0042), a range (1350-1680元)
and a decimal (123456.78). A lone Chinese numeral beside digits stays a word (¥10000一次); it
counts between digits, in a row of two or more, or where with it the run is long enough to be a
number that names a person.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Full-width forms (U+FF01..FF5E) and the ideographic space map one-to-one onto ASCII.
HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
_INVISIBLE = re.compile(f"[{ZERO_WIDTH}]")

_CHINESE_DIGITS = {**dict.fromkeys("零〇", "0"), **dict.fromkeys("一壹幺", "1"),
                   **dict.fromkeys("二贰两", "2"), **dict.fromkeys("三叁", "3"),
                   **dict.fromkeys("四肆", "4"), **dict.fromkeys("五伍", "5"),
                   **dict.fromkeys("六陆", "6"), **dict.fromkeys("七柒", "7"),
                   **dict.fromkeys("八捌", "8"), **dict.fromkeys("九玖", "9")}
_CHINESE = "".join(_CHINESE_DIGITS)
_SEPARATORS = " \t\u00a0._/\\-–—·•・"   # a character class: the dash is escaped
# A run: digit-like characters with at most three separators between neighbours.
_RUN = re.compile(rf"[0-9{_CHINESE}Oo](?:[{_SEPARATORS}]{{0,3}}[0-9{_CHINESE}Oo])*")
_UNIT = re.compile(rf"[0-9{_CHINESE}Oo]")
SHORTEST_NUMBER = 7   # digits; fewer are a count, a price, a door or a year, never a person
_DATE = re.compile(r"(?:19|20)[0-9]{2}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12][0-9]|3[01])")
_ORDER_CODE = re.compile(r"[0-9]{8}-[0-9]{4,}")      # after "WG-", see domain.order_codes.order_code
_RANGE = re.compile(r"[0-9]{1,5}[ \t]*[-~][ \t]*[0-9]{1,5}")
_MEASURE = re.compile(r"[ \t]*[元块万千百米平亩%℃度个件次天年月日号人户]")
_DECIMAL = re.compile(r"[0-9]{1,6}\.[0-9]{1,2}")
Stretch = list[tuple[int, str]]


@dataclass(frozen=True)
class Reading:
    """The text as meant, and for each of its characters the index it came from."""

    text: str
    origin: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Where the reading's text[start:end] was written in the original."""
        return self.origin[start], self.origin[end - 1] + 1


def visible(text: str) -> str:
    """The text without zero-width characters: they only ever serve to hide something."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def read_through(text: str) -> Reading:
    """The text half-width, each disguised run of digits joined and read as digits."""
    half = text.translate(HALF_WIDTH)
    runs = [run for run in _RUN.finditer(half) if not _as_written(run.group())]
    if not runs:
        return Reading(half, range(len(half)))
    return _joined(half, runs)


def _as_written(run: str) -> bool:
    """A run that reads as it is written: too short to hide a number, or plain digits (what
    `_worth_joining` would leave alone, known without reading each unit)."""
    return len(run) < SHORTEST_NUMBER or (run.isascii() and run.isdigit())


def _joined(half: str, runs: Iterable[re.Match[str]]) -> Reading:
    chars: list[str] = []
    origin: list[int] = []
    kept = 0
    for run in runs:
        for stretch in _stretches(half, run):
            first = stretch[0][0]
            chars.append(half[kept:first])
            origin.extend(range(kept, first))
            chars.extend(digit for _, digit in stretch)
            origin.extend(index for index, _ in stretch)
            kept = stretch[-1][0] + 1
    chars.append(half[kept:])
    origin.extend(range(kept, len(half)))
    return Reading("".join(chars), tuple(origin))


def _stretches(half: str, run: re.Match[str]) -> list[Stretch]:
    """The stretches of a run to join: digits only, each with its index."""
    units = [(m.start() + run.start(), m.group()) for m in _UNIT.finditer(run.group())]
    found: list[Stretch] = []
    stretch: Stretch = []
    for (index, _), digit in zip(units, _read_units(half, units), strict=True):
        if digit is not None:
            stretch.append((index, digit))
            continue
        found.append(_worth_joining(half, stretch))
        stretch = []
    found.append(_worth_joining(half, stretch))
    return [s for s in found if s]


def _read_units(half: str, units: list[tuple[int, str]]) -> list[str | None]:
    """Each unit as a digit, or None where it is a word (a lone numeral, an O in a word)."""
    kinds = ["d" if c.isdigit() else "o" if c in "Oo" else "c" for _, c in units]
    read: list[str | None] = []
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and kinds[j] == kinds[i]:
            j += 1
        if kinds[i] == "d":
            read.extend(c for _, c in units[i:j])
        elif kinds[i] == "c":
            # A lone numeral at the edge of a run is a word (¥10000一次), unless the run would
            # hide a whole number with it: then it is read, erring towards masking.
            keep = (i > 0 and j < len(units)) or j - i >= 2 or len(units) >= SHORTEST_NUMBER
            read.extend(_CHINESE_DIGITS[c] if keep else None for _, c in units[i:j])
        else:
            keep = (i > 0 or j < len(units)) and not _in_word(half, units[i][0], units[j - 1][0])
            read.extend("0" if keep else None for _ in units[i:j])
        i = j
    return read


def _in_word(half: str, first: int, last: int) -> bool:
    """Whether the O's at first..last touch a Latin letter, as in "NO." or "Room"."""
    def letter(i: int) -> bool:
        return 0 <= i < len(half) and half[i].isascii() and half[i].isalpha()
    return letter(first - 1) or letter(last + 1)


def _worth_joining(half: str, stretch: Stretch) -> Stretch:
    """The stretch if it is long enough to hide a number and not an everyday way of writing."""
    if len(stretch) < SHORTEST_NUMBER:
        return []
    start, end = stretch[0][0], stretch[-1][0] + 1
    written = half[start:end]
    if written.isdigit():
        return []   # nothing to join: the rules read it as it stands
    date = _DATE.match(written)
    if date:
        return _worth_joining(half, [(i, d) for i, d in stretch if i >= start + date.end()])
    if ((half[:start].endswith("WG-") and _ORDER_CODE.fullmatch(written))
            or (_RANGE.fullmatch(written) and _MEASURE.match(half, end))
            or _DECIMAL.fullmatch(written)):
        return []
    return stretch
