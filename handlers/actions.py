"""Button data as typed actions: one small dataclass per action, encoded and checked here only.

A button carries `name:field:field…`. The name says which action; the fields say what it acts
on (an order's code, a grid, a yes or no), so a press is checked against the present when it
arrives, never against what the conversation remembers. Platforms cap the data (Telegram at 64
bytes), so names are short and fields are codes, small numbers and flags. Anything that does
not decode — a forged payload, another bot's, a button of a version that no longer exists —
raises `ForeignButton`; the chat answers it with the catalogue's sentence and changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import MISSING, Field, dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar, get_type_hints

from domain.grids import Level
from domain.orders import Satisfaction
from domain.refusals import DomainError

MAX_BYTES = 64                       # Telegram's limit on callback data, the tightest platform's
_FIELD = re.compile(r"[^:\s]{0,40}")      # codes, flags, a platform's name; never a colon
_NUMBER = re.compile(r"-?[0-9]{1,9}")


class ForeignButton(DomainError):
    """Button data this bot did not make, or no longer understands."""

    def __init__(self) -> None:
        super().__init__("FOREIGN_BUTTON")


@dataclass(frozen=True)
class Action:
    """One kind of press. Subclasses name themselves: `class Sign(Action, name="sign")`."""

    name: ClassVar[str]
    _kinds: ClassVar[dict[str, type[Action]]] = {}

    def __init_subclass__(cls, name: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if name in Action._kinds:
            raise TypeError(f"two actions are named {name!r}")
        if not re.fullmatch(r"[a-z_]{1,12}", name):
            raise TypeError(f"an action's name must be a short plain word, not {name!r}")
        cls.name = name
        Action._kinds[name] = cls

    def encode(self) -> str:
        return encode(self)


def kinds() -> dict[str, type[Action]]:
    """Every action there is, by name."""
    return dict(Action._kinds)


def encode(action: Action) -> str:
    parts = [action.name]
    for spec in fields(action):
        parts.append(_text(getattr(action, spec.name), type(action), spec.name))
    # An action without fields still ends in ":" ("skip:", "back:"), as its buttons always did.
    data = ":".join(parts) if len(parts) > 1 else parts[0] + ":"
    if len(data.encode(errors="replace")) > MAX_BYTES:
        raise ValueError(f"{data!r} is longer than a button may carry")
    return data


def decode(data: str | None) -> Action:
    """The action a button carries; `ForeignButton` for anything this bot did not make."""
    if not data or len(data.encode(errors="replace")) > MAX_BYTES:
        raise ForeignButton()
    name, *raw = data.split(":")
    kind = Action._kinds.get(name)
    if kind is None:
        raise ForeignButton()
    specs = fields(kind)
    if len(raw) > len(specs) and any(raw[len(specs):]):
        raise ForeignButton()      # more than the action has (an empty tail is tolerated)
    hints = _hints(kind)
    values: dict[str, Any] = {}
    for index, spec in enumerate(specs):
        if index < len(raw):
            values[spec.name] = _value(raw[index], hints[spec.name])
        elif not _has_default(spec):
            raise ForeignButton()
    try:
        return kind(**values)
    except (TypeError, ValueError):
        raise ForeignButton() from None


_HINTS: dict[str, dict[str, Any]] = {}


def _hints(kind: type[Action]) -> dict[str, Any]:
    """The action's field types, resolved once per kind (resolving them costs more than the
    rest of a press's decoding)."""
    if kind.name not in _HINTS:
        _HINTS[kind.name] = get_type_hints(kind)
    return _HINTS[kind.name]


def _has_default(spec: Field[Any]) -> bool:
    return spec.default is not MISSING or spec.default_factory is not MISSING


def _text(value: object, kind: type[Action], field_name: str) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, StrEnum):
        return value.value
    text = str(value)
    if not _FIELD.fullmatch(text):
        raise ValueError(f"{kind.__name__}.{field_name} cannot carry {text!r}")
    return text


def _value(raw: str, hint: Any) -> Any:
    if hint is bool:
        if raw not in ("0", "1"):
            raise ForeignButton()
        return raw == "1"
    if hint is int:
        if not _NUMBER.fullmatch(raw):
            raise ForeignButton()
        return int(raw)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        try:
            return hint(raw)
        except ValueError:
            raise ForeignButton() from None
    if not _FIELD.fullmatch(raw):
        raise ForeignButton()
    return raw


# --- the actions -------------------------------------------------------------------------------
# Names and field order are those of buttons already sent: a button in a chat's history must
# still decode after an upgrade (and is then checked against the present like any other).

class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class Back(Action, name="back"):
    """One question back, what was given kept."""


@dataclass(frozen=True)
class Cancel(Action, name="cancel"):
    """Leave the dialog."""


@dataclass(frozen=True)
class Consent(Action, name="consent"):
    answer: YesNo


@dataclass(frozen=True)
class Role(Action, name="role"):
    kind: str


@dataclass(frozen=True)
class Platform(Action, name="platform"):
    platform: str


@dataclass(frozen=True)
class Home(Action, name="home"):
    grid: str                       # a grid's code, or "skip"


@dataclass(frozen=True)
class Menu(Action, name="menu"):
    item: str


@dataclass(frozen=True)
class Delete(Action, name="delete"):
    answer: YesNo


@dataclass(frozen=True)
class Pick(Action, name="pick"):
    place: str                      # a grid's code, or "none"


@dataclass(frozen=True)
class Category(Action, name="cat"):
    category: str


@dataclass(frozen=True)
class Categories(Action, name="cats"):
    top: str = ""                   # a top level's name; empty for the list of top levels


@dataclass(frozen=True)
class Skip(Action, name="skip"):
    """No answer to the optional question."""


@dataclass(frozen=True)
class MeToo(Action, name="metoo"):
    code: str = ""                  # empty: "no, it is another problem"


@dataclass(frozen=True)
class Confirm(Action, name="confirm"):
    """File the report as summarised."""


@dataclass(frozen=True)
class Detail(Action, name="detail"):
    code: str


@dataclass(frozen=True)
class Solved(Action, name="solved"):
    code: str
    solved: bool


@dataclass(frozen=True)
class Rate(Action, name="rate"):
    code: str
    solved: bool
    level: str                      # a Satisfaction value, checked where it is used


@dataclass(frozen=True)
class Sign(Action, name="sign"):
    code: str


@dataclass(frozen=True)
class Contact(Action, name="contact"):
    code: str


@dataclass(frozen=True)
class Return(Action, name="return"):
    code: str


@dataclass(frozen=True)
class Escalate(Action, name="up"):
    code: str


@dataclass(frozen=True)
class Progress(Action, name="progress"):
    code: str


@dataclass(frozen=True)
class Extend(Action, name="extend"):
    code: str


@dataclass(frozen=True)
class Resolve(Action, name="resolve"):
    code: str


@dataclass(frozen=True)
class Finish(Action, name="finish"):
    code: str


@dataclass(frozen=True)
class Invalid(Action, name="invalid"):
    code: str


@dataclass(frozen=True)
class Merge(Action, name="merge"):
    code: str


@dataclass(frozen=True)
class Assign(Action, name="assign"):
    code: str


@dataclass(frozen=True)
class AssignTo(Action, name="to"):
    code: str
    unit: str                       # a grid's code, or "@<person id>" for a department member


@dataclass(frozen=True)
class Approve(Action, name="approve"):
    code: str
    days: int


@dataclass(frozen=True)
class Deny(Action, name="deny"):
    code: str


@dataclass(frozen=True)
class OpinionTo(Action, name="opto"):
    """民意直报: send the opinion to this level of the sender's chain."""
    level: Level


# --- 议事: agenda items (handlers/agenda_dialogs.py, handlers/agenda_staff.py) -------------------
# `code` is an item's number (YT-…); a leader's button also carries the scope it was sent for,
# so a press after the item moved up the ladder is named as out of date.

@dataclass(frozen=True)
class AgendaView(Action, name="yt"):
    code: str


@dataclass(frozen=True)
class AgendaSupport(Action, name="yt_up"):
    code: str


@dataclass(frozen=True)
class AgendaComment(Action, name="yt_say"):
    code: str


@dataclass(frozen=True)
class AgendaRate(Action, name="yt_rate"):
    code: str
    level: Satisfaction


@dataclass(frozen=True)
class AgendaPropose(Action, name="yt_new"):
    """A resident's proposal at home."""


@dataclass(frozen=True)
class AgendaRaise(Action, name="yt_raise"):
    scope: str = ""                 # a grid the leader holds a post on; empty: ask which


@dataclass(frozen=True)
class AgendaLift(Action, name="yt_lift"):
    code: str                       # an order's code: lifted into a new item


@dataclass(frozen=True)
class AgendaOpen(Action, name="yt_open"):
    code: str
    scope: str


@dataclass(frozen=True)
class AgendaConvene(Action, name="yt_meet"):
    code: str
    scope: str


@dataclass(frozen=True)
class AgendaMeetLater(Action, name="yt_later"):
    """列入议程 without a meeting time yet."""
    code: str


@dataclass(frozen=True)
class AgendaDecide(Action, name="yt_decide"):
    code: str
    scope: str


@dataclass(frozen=True)
class AgendaOwner(Action, name="yt_owner"):
    code: str
    person: int


@dataclass(frozen=True)
class AgendaDecline(Action, name="yt_no"):
    code: str
    scope: str


@dataclass(frozen=True)
class AgendaMoveUp(Action, name="yt_move"):
    code: str
    scope: str


@dataclass(frozen=True)
class AgendaClose(Action, name="yt_close"):
    code: str
    scope: str


@dataclass(frozen=True)
class AgendaProgress(Action, name="yt_prog"):
    code: str


@dataclass(frozen=True)
class AgendaTask(Action, name="yt_task"):
    code: str
    task: int


@dataclass(frozen=True)
class AgendaSkip(Action, name="yt_skip"):
    """No answer to an optional question of 议事 (the words, the meeting's time)."""
