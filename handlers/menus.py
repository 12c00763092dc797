"""Which commands each kind of person sees in a platform's command menu (Telegram's "/" menu).

Residents get the default menu; a rider's and a staff member's chat is switched to theirs when
onboarding or an invite makes them one (`Turn.say(..., menu=…)`).
"""
from __future__ import annotations

from domain.people import PersonKind
from handlers import texts

# A menu per kind of person (domain/people.py).
RESIDENT, RIDER, STAFF = PersonKind.RESIDENT, PersonKind.RIDER, PersonKind.STAFF

_COMMON_END = ("mydata", "delete", "cancel", "help")
MENUS: dict[str, tuple[str, ...]] = {
    RESIDENT: ("report", "my", "grid", "agenda", "opinion", "points", "subscribe",
               "unsubscribe", *_COMMON_END),
    RIDER: ("report", "my", "points", "nickname", "grid", "agenda", "opinion", *_COMMON_END),
    STAFF: ("todo", "agenda", "console", "my", "grid", "cancel", "help"),
}


def commands(menu: str) -> list[tuple[str, str]]:
    """(command, description) pairs of a menu, in the order shown; unknown: the default."""
    return [(name, texts.COMMAND_HELP[name]) for name in MENUS.get(menu, MENUS[RESIDENT])]
