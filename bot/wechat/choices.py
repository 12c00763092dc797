"""Choices without buttons: numbered options in the text, and a memory of what each number meant.

The 公众号 has no inline buttons, so a message with choices ends in lines like "回复 1 签收". The
person's next "1" becomes a press of that choice. The memory is per address and in process; after
a restart it is read back from the last sent outbox row that carried choices, which is exactly
what the person saw.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable

from handlers import texts
from handlers.messages import Choice, Outbound
from storage.repositories.chat_log import last_sent_payloads
from storage.uow import UnitOfWork

REMEMBERED = 50_000      # addresses kept in memory; older ones are read back from the outbox
LOOK_BACK = 20           # sent rows searched for the last choices after a restart


@functools.cache
def _option(template: str) -> re.Pattern[str]:
    """A numbered option line as the catalogue writes it (its words are chosen at start)."""
    return re.compile(template.format(n=r"(\d+)", label="(.+)"))


def render(out: Outbound) -> str:
    """The text a person reads: the message, then one numbered line per choice."""
    if not out.choices:
        return out.text
    lines = [texts.WECHAT_OPTION.format(n=n, label=c.label) for n, c in enumerate(out.choices, 1)]
    return f"{out.text}\n\n" + "\n".join(lines)


def options_of(rendered: str) -> tuple[str, list[tuple[int, str]]]:
    """The message and its numbered options, read back from a rendered text."""
    lines = rendered.split("\n")
    options: list[tuple[int, str]] = []
    option = _option(texts.WECHAT_OPTION)
    while lines and (found := option.fullmatch(lines[-1])):
        options.insert(0, (int(found.group(1)), found.group(2)))
        lines.pop()
    if options and lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines), options


def number_in(text: str) -> int | None:
    """The option a reply names: "1", "１" or " 2 "; None when it is not a bare number."""
    plain = unicodedata.normalize("NFKC", text).strip()
    return int(plain) if plain.isdigit() and 0 < len(plain) <= 2 else None


class ChoiceMemory:
    """What the numbers in the last choices offered to each address stand for."""

    def __init__(self, uow: Callable[[], UnitOfWork], channel: str):
        self.uow, self.channel = uow, channel
        self._offered: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    def remember(self, address: str, choices: tuple[Choice, ...]) -> None:
        if not choices:
            return   # a notice without choices leaves the last offer standing
        self._offered[address] = tuple(c.data for c in choices)
        self._offered.move_to_end(address)
        while len(self._offered) > REMEMBERED:
            self._offered.popitem(last=False)

    async def pressed(self, address: str, number: int) -> str | None:
        """The data of option `number` last offered to `address`, if there is one."""
        offered = self._offered.get(address)
        if offered is None:
            offered = await self._recover(address)
        return offered[number - 1] if offered and 0 < number <= len(offered) else None

    async def _recover(self, address: str) -> tuple[str, ...] | None:
        async with self.uow() as uow:
            payloads = await last_sent_payloads(uow.session, self.channel, address, LOOK_BACK)
        for payload in payloads:
            if payload.get("choices"):
                out = Outbound.from_payload(self.channel, address, payload)
                self.remember(address, out.choices)
                return self._offered[address]
        return None
