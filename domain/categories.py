"""The two-level category taxonomy (事件分类), aligned to 数字城管 事件/部件.

Each category carries a default urgency, the level where handling starts and whether a closed
order of that category may ever be published. `suggest` ranks categories for free text by
keyword hits; `is_emergency_text` spots danger words so the chat can show 110/119/120 at once.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, TypeGuard

from domain.orders import Urgency


class HandlingLevel(StrEnum):
    """Where handling of a category starts: a level of the grid tree, or a department."""

    MICRO_GRID = "micro_grid"
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"


class TaxonomyError(ValueError):
    """The taxonomy file cannot be used: the message names the category and the field."""


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    top: str
    urgency: Urgency
    level: HandlingLevel
    publishable: bool
    keywords: tuple[str, ...] = ()
    department: str | None = None

    @property
    def label(self) -> str:
        """How a person sees it: 安全隐患 / 飞线充电."""
        return f"{self.top} / {self.name}"


_CODE = re.compile(r"^[A-Z][0-9]{2}$")
_INHERITED = ("urgency", "level", "publishable", "department")
_TOP_FIELDS = {"name", "category", *_INHERITED}
_LEAF_FIELDS = {"code", "name", "keywords", *_INHERITED}


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no white space: the form keywords are matched in."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


class Keyword:
    """One or more words that must all appear; weighs the number of characters it matched."""

    __slots__ = ("text", "weight", "words")

    def __init__(self, text: str):
        self.text = text
        self.words = tuple(normalise(w) for w in text.split())
        self.weight = sum(len(w) for w in self.words)

    def hits(self, normalised_text: str) -> bool:
        return bool(self.words) and all(w in normalised_text for w in self.words)


class Taxonomy:
    """All categories of a deployment, in file order, with keyword suggestion."""

    def __init__(self, categories: Iterable[Category], emergency_words: Iterable[str] = ()):
        self._by_code: dict[str, Category] = {}
        self._tops: dict[str, list[Category]] = {}
        for category in categories:
            if category.code in self._by_code:
                raise TaxonomyError(f"category {category.code} ({category.name}): "
                                    "field 'code' appears twice")
            self._by_code[category.code] = category
            self._tops.setdefault(category.top, []).append(category)
        self._keywords = {c.code: [Keyword(k) for k in c.keywords] for c in self}
        self._danger = [Keyword(w) for w in emergency_words]

    @classmethod
    def from_toml(cls, text: str) -> Taxonomy:
        """Parse the taxonomy file's text; raise TaxonomyError (a ValueError) when it is bad."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TaxonomyError(f"taxonomy is not valid TOML: {exc}") from exc
        return cls(_parse_tops(data.get("top")), _parse_emergency(data.get("emergency", {})))

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Category]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str | None) -> Category:
        try:
            return self._by_code[code or ""]
        except KeyError:
            raise KeyError(f"no category with code {code}") from None

    def top_levels(self) -> list[str]:
        return list(self._tops)

    def children(self, top: str) -> list[Category]:
        try:
            return list(self._tops[top])
        except KeyError:
            raise KeyError(f"no top-level category {top}") from None

    def suggest(self, text: str, limit: int = 3) -> list[tuple[Category, float]]:
        """The categories whose keywords the text hits best, best first, with their scores."""
        needle = normalise(text)
        scored = []
        for order, category in enumerate(self):
            score = sum(k.weight for k in self._keywords[category.code] if k.hits(needle))
            if normalise(category.name) in needle:
                score += len(category.name)
            if score:
                scored.append((-score, order, category))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [(category, float(-neg)) for neg, _, category in scored[:limit]]

    def is_emergency_text(self, text: str) -> bool:
        """True when the text names a danger (煤气味, 着火, 井盖没了…): show 110/119/120 now."""
        needle = normalise(text)
        return any(word.hits(needle) for word in self._danger)


@cache
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped with gridbot (domain/categories.toml)."""
    text = resources.files("domain").joinpath("categories.toml").read_text(encoding="utf-8")
    return Taxonomy.from_toml(text)


def _parse_emergency(section: Any) -> list[str]:
    words = section.get("words", []) if isinstance(section, dict) else section
    if not _is_list_of_text(words):
        raise TaxonomyError("emergency: field 'words' must be a list of non-empty strings")
    return words


def _parse_tops(tops: Any) -> Iterator[Category]:
    if not isinstance(tops, list) or not tops:
        raise TaxonomyError("taxonomy: field 'top' must list the top-level categories")
    for index, top in enumerate(tops, start=1):
        name = top.get("name") if isinstance(top, dict) else None
        where = f"top-level category {name or f'#{index}'}"
        if not isinstance(name, str) or not name.strip():
            raise TaxonomyError(f"{where}: field 'name' must be a non-empty string")
        _no_unknown(top, _TOP_FIELDS, where)
        leaves = top.get("category")
        if not isinstance(leaves, list) or not leaves:
            raise TaxonomyError(f"{where}: field 'category' must list its categories")
        defaults = {key: top[key] for key in _INHERITED if key in top}
        for leaf in leaves:
            yield _parse_leaf(leaf, name, defaults)


def _parse_leaf(leaf: dict[str, Any], top: str, defaults: dict[str, Any]) -> Category:
    if not isinstance(leaf, dict):
        raise TaxonomyError(f"a category under {top}: must be a table, got {leaf!r}")
    where = f"category {leaf.get('code') or leaf.get('name') or '?'} under {top}"
    _no_unknown(leaf, _LEAF_FIELDS, where)
    raw = {**defaults, **leaf}

    def field(key: str, check: Callable[[Any], object], expected: str) -> Any:
        if key not in raw:
            raise TaxonomyError(f"{where}: field '{key}' is missing")
        if not check(raw[key]):
            raise TaxonomyError(f"{where}: field '{key}' must be {expected}, got {raw[key]!r}")
        return raw[key]

    code = field("code", lambda v: isinstance(v, str) and _CODE.match(v), "a letter + 2 digits")
    name = field("name", lambda v: isinstance(v, str) and v.strip(), "a non-empty string")
    urgency = field("urgency", lambda v: v in set(Urgency), f"one of {_choices(Urgency)}")
    level = field("level", lambda v: v in set(HandlingLevel), f"one of {_choices(HandlingLevel)}")
    publishable = field("publishable", lambda v: isinstance(v, bool), "true or false")
    raw.setdefault("keywords", [])
    keywords = field("keywords", _is_list_of_text, "a list of non-empty strings")
    raw.setdefault("department", None)
    department = field("department", lambda v: v is None or isinstance(v, str), "a string")
    return Category(code, name, top, Urgency(urgency), HandlingLevel(level), publishable,
                    tuple(keywords), department)


def _no_unknown(table: Any, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise TaxonomyError(f"{where}: must be a table, got {table!r}")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise TaxonomyError(f"{where}: field '{unknown[0]}' is not known "
                            f"(known: {', '.join(sorted(allowed))})")


def _is_list_of_text(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _choices(enum: type[StrEnum]) -> str:
    return "|".join(member.value for member in enum)
