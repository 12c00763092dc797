"""Address matching: rank the grids a free-text address may name (锦江畔小区三栋 → 锦江畔3号楼).

Every name and alias is normalised once into a *stem* (the place name) and an optional building
number. A query is normalised the same way; stems are compared fuzzily (rapidfuzz), building
numbers exactly, so 3号楼 never matches 13号楼.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import cn2an
from rapidfuzz import fuzz

from domain.grids import Grid, GridTree

BUILDING = "号楼"  # the one canonical building token that 栋/幢/座/号/号楼 become
FILLER = ("小区",)  # a word that names no place of its own
# Words dropped from a grid's names only when what remains names no other grid:
# 月亮湾社区 must stay apart from the compound 月亮湾, while 江畔社区 may be called 江畔.
SAFE_TO_DROP = ("社区", "花园")

# A stem found inside a longer query is weaker evidence than the whole query matching.
CONTAINED_FACTOR = 0.9
# The query names a building but the grid has none: the compound or an upper unit.
BUILDING_MISSING_PENALTY = 10.0
# The grid is one building but the query names none: the compound should come first.
BUILDING_UNASKED_PENALTY = 15.0

_CN_NUMERAL = "零〇一二两三四五六七八九十百千"
_UNIT = "号楼|号院|号|栋|幢|座|单元|层|楼|室|期|区|组|网格|排|巷|弄"
_CN_NUMBER = re.compile(rf"[{_CN_NUMERAL}]+(?={_UNIT})|(?<=第)[{_CN_NUMERAL}]+")
_DOOR_NUMBER = re.compile(r"(路|街|巷|弄|胡同|大道)(\d+)号(?!楼|院)")
_RANGE = re.compile(r"(\d+)[-~至到](\d+)(?=号楼|栋|幢|座|号)")  # 1-2号楼: buildings 1 and 2
_DASHED = re.compile(r"(\d+)-(\d+)(?:-\d+)?")  # 3-2-501: building-unit-room
_LONGEST_RANGE = 20
_BUILDING_WORD = re.compile(r"(\d+)(?:号楼|栋|幢|座|号(?!院))")
_INSIDE_BUILDING = re.compile(r"\d+(?:单元|室|层)")
_NOT_WORD = re.compile(r"[\W_]+")
_BUILDING_TOKEN = re.compile(rf"(\d+){BUILDING}")


@dataclass(frozen=True)
class Candidate:
    """A grid an address may name, with how well it matched (0–100)."""

    code: str
    name: str
    score: float


def normalise(text: str) -> str:
    """One spelling for many: digits for numerals, one building token, no filler or punctuation."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _CN_NUMBER.sub(_to_digits, text)
    text = _DOOR_NUMBER.sub(r"\1\2", text)
    text = _RANGE.sub(r"\1", text)
    text = _DASHED.sub(rf"\1{BUILDING}", text)
    text = _BUILDING_WORD.sub(rf"\1{BUILDING}", text)
    text = _INSIDE_BUILDING.sub("", text)
    for word in FILLER:
        text = text.replace(word, "")
    return _NOT_WORD.sub("", text)


def _to_digits(numeral: re.Match[str]) -> str:
    try:
        return str(cn2an.cn2an(numeral.group(0), "smart"))
    except ValueError:  # 十十 and the like: not a number, leave it as written
        return numeral.group(0)


def spellings(name: str) -> list[str]:
    """A name as written, or one per building when it spans several: 1-2号楼 → 1号楼, 2号楼."""
    text = unicodedata.normalize("NFKC", name)
    found = _RANGE.search(text)
    if found is None:
        return [name]
    first, last = int(found.group(1)), int(found.group(2))
    if not 0 <= last - first <= _LONGEST_RANGE:
        return [name]
    return [f"{text[: found.start()]}{n}{text[found.end():]}" for n in range(first, last + 1)]


def split_building(normalised: str) -> tuple[str, int | None]:
    """The stem without its first building token, and that building's number."""
    found = _BUILDING_TOKEN.search(normalised)
    if found is None:
        return normalised, None
    stem = normalised[: found.start()] + normalised[found.end():]
    return stem, int(found.group(1))


def _bigrams(stem: str) -> set[str]:
    return {stem[i: i + 2] for i in range(len(stem) - 1)} or {stem}


class AddressMatcher:
    """Ranks the grids of a tree for a free-text address, best first."""

    def __init__(self, tree: GridTree, min_score: float = 65.0, limit: int = 5):
        self.min_score = min_score
        self.limit = limit
        self._grids: list[Grid] = sorted(tree, key=lambda g: g.code)
        # stem -> building number (None for a whole place) -> indexes into self._grids
        self._table: dict[str, dict[int | None, set[int]]] = defaultdict(lambda: defaultdict(set))
        keys = self._keys(tree)
        owners: dict[str, set[int]] = defaultdict(set)
        for i, stem, _ in keys:
            owners[stem].add(i)
        for i, stem, building in keys:
            self._add(stem, building, i)
            shorter = stem
            for word in SAFE_TO_DROP:
                if word not in shorter:
                    continue
                shorter = shorter.replace(word, "")
                if len(shorter) >= 2 and owners.get(shorter, {i}) <= {i}:
                    self._add(shorter, building, i)
        self._by_bigram: dict[str, list[str]] = defaultdict(list)
        for stem in self._table:
            for gram in _bigrams(stem):
                self._by_bigram[gram].append(stem)

    def _keys(self, tree: GridTree) -> list[tuple[int, str, int | None]]:
        """(grid index, stem, building) for every name and alias of every grid."""
        keys = []
        for i, grid in enumerate(self._grids):
            for spelling in (s for name in (grid.name, *grid.aliases) for s in spellings(name)):
                stem, building = split_building(normalise(spelling))
                if stem:
                    keys.append((i, stem, building))
                elif building is not None and grid.parent is not None and grid.parent in tree:
                    # "3号楼" under 锦江畔: the building is known by its compound's names.
                    parent = tree.get(grid.parent)
                    for name in (parent.name, *parent.aliases):
                        parent_stem, _ = split_building(normalise(name))
                        if parent_stem:
                            keys.append((i, parent_stem, building))
        return keys

    def _add(self, stem: str, building: int | None, index: int) -> None:
        self._table[stem][building].add(index)

    def match(self, text: str) -> list[Candidate]:
        """Candidate grids for an address, best first; empty when nothing scores min_score."""
        query, wanted = split_building(normalise(text))
        if not query:
            return []
        best: dict[int, float] = {}
        for stem in self._stems_near(query):
            base = self._stem_score(stem, query)
            if base < self.min_score:
                continue
            for building, indexes in self._table[stem].items():
                score = self._with_building(base, wanted, building)
                if score is None:
                    continue
                for i in indexes:
                    if score > best.get(i, -1.0):
                        best[i] = score
        ranked = sorted(
            (i for i, score in best.items() if score >= self.min_score),
            key=lambda i: (-best[i], -self._grids[i].level.rank, self._grids[i].code),
        )
        return [
            Candidate(self._grids[i].code, self._grids[i].name, round(best[i], 1))
            for i in ranked[: self.limit]
        ]

    def _stems_near(self, query: str) -> set[str]:
        """Stems sharing at least one bigram with the query: the only ones that can score."""
        stems: set[str] = set()
        for gram in _bigrams(query):
            stems.update(self._by_bigram.get(gram, ()))
        return stems

    @staticmethod
    def _stem_score(stem: str, query: str) -> float:
        if len(stem) < len(query):
            return max(fuzz.ratio(stem, query), CONTAINED_FACTOR * fuzz.partial_ratio(stem, query))
        return fuzz.ratio(stem, query)

    @staticmethod
    def _with_building(base: float, wanted: int | None, building: int | None) -> float | None:
        """The score once building numbers are compared; None when they disagree."""
        if wanted is None:
            return base if building is None else base - BUILDING_UNASKED_PENALTY
        if building is None:
            return base - BUILDING_MISSING_PENALTY
        return base if building == wanted else None
