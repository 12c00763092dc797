"""The one keyed catalogue of what gridbot says: rules, lookups and the switch of language.

The zh-CN catalogue is `handlers/texts.py`: each public constant is a key, its value the words
(a sentence to `.format()`, a label table, a tuple of button words). Code reads `texts.KEY` at
the moment it speaks, never copies a sentence, and the domain's refusals name a key
(`domain.refusals.DomainError(key, **params)`) that `refusal()` renders here.

Another language is one more module with the same names, e.g. `handlers/texts_en.py`, chosen
at start with `use("en")` (settings: `GRIDBOT_LANGUAGE`); see docs/catalogue.md.
"""
from __future__ import annotations

import importlib
from enum import Enum
from types import ModuleType

from domain.agenda import AgendaState
from domain.deadlines import Light
from domain.grids import Level
from domain.meetings import MeetingState
from domain.orders import Satisfaction, State, Urgency
from domain.refusals import DomainError
from handlers import texts

DEFAULT_LANGUAGE = "zh-CN"
_ORIGINAL = {name: value for name, value in vars(texts).items()
             if name.isupper() and not name.startswith("_")}


def all_keys() -> list[str]:
    """Every key of the catalogue: the public upper-case names of the zh-CN module."""
    return sorted(_ORIGINAL)


# Which label table names each of the domain's codes (by key: the words are read when used).
_LABELS: dict[type[Enum], str] = {
    State: "STATE_LABELS", Urgency: "URGENCY_LABELS", Satisfaction: "SATISFACTION_LABELS",
    Level: "LEVEL_LABELS", Light: "LIGHT_LABELS",
    AgendaState: "AGENDA_STATE_LABELS", MeetingState: "MEETING_STATE_LABELS"}


def label(code: Enum) -> str:
    """A domain code (state, urgency, satisfaction, level, light) as people read it."""
    table: dict[str, str] = getattr(texts, _LABELS[type(code)])
    return table[code.value]


def for_channel(table: dict[str, str], channel: str) -> str:
    """A table's words for one channel (how to send a location differs by app); "" is the rest."""
    return table.get(channel, table[""])


def refusal(error: DomainError) -> str:
    """A refusal in the person's language; a key the catalogue lacks never shows as English."""
    template = getattr(texts, error.key, None)
    if not isinstance(template, str):
        return texts.ACTION_REFUSED
    return template.format(**{name: label(value) if isinstance(value, Enum) and type(value) in _LABELS
                              else value
                              for name, value in error.params.items()})


def use(language: str) -> None:
    """Speak `language` from now on: its module's words replace the catalogue's, key by key.

    Called once at start, before any message is handled. A module that lacks a key is refused
    whole, so a half-translated catalogue never mixes languages.
    """
    words = _ORIGINAL if language == DEFAULT_LANGUAGE else vars(_module(language))
    missing = [key for key in _ORIGINAL if key not in words]
    if missing:
        raise ValueError(f"catalogue {language!r} lacks {', '.join(missing[:5])}"
                         + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
    for key in _ORIGINAL:
        setattr(texts, key, words[key])


def _module(language: str) -> ModuleType:
    name = "handlers.texts_" + language.lower().replace("-", "_")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        raise ValueError(f"no catalogue for language {language!r} (expected {name})") from None
