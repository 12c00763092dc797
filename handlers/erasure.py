"""Erasure beyond a person's own rows: what they left in orders' history and in messages.

Used by /delete and the retention sweep (handlers/privacy_rights.py) for a set of orders and
their reporters. History stays insert-only for its facts (kind, time, actor, states): an event
keeps its row and loses only a person's words and files —
- a reason the reporter wrote (重办's why), or one that quotes what a reporter said (an
  escalation after a second 重办 carries it), becomes a fixed marker; any other reason on the
  order is scrubbed of the reporter's name and of phones, ids and door numbers;
- the `submitted` event's photos and voice note are unlinked, and their files deleted.

Messages that quote a reporter (the new order with the description and photos, the
查看联系方式 answer with the number, the 重办 notice with the reason) are found for /delete by
the order codes and the phone they hold. One already sent is emptied (its text is the marker):
it went out, and what is kept of it is only a record. One not yet sent is rewritten: the quoted words become the
marker and the reporter's media go, so its addressee (the leader who must still act) is still
told that something happened, but not what the reporter said. The retention sweep empties
messages by age instead (every message about an order closed past the window is that old).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.privacy import mask_names, scrub
from handlers import texts
from handlers.deps import Deps
from storage.repositories.erasure import Quote, Remark
from storage.uow import UnitOfWork

MEDIA_KEYS = ("photos", "photo", "voice")


def media_of(data: Mapping[str, Any]) -> set[str]:
    """The files an event's data or a message's payload points at."""
    found: set[str] = set()
    for key in MEDIA_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            found.add(value)
        elif isinstance(value, list | tuple):
            found.update(str(v) for v in value if v)
    return found


async def forget_traces(uow: UnitOfWork, deps: Deps, reporters: Mapping[str, int | None],
                        said: Iterable[str], names: Mapping[int, list[str]],
                        phones: Iterable[str] = (), *, quotes: bool,
                        about: Iterable[str] = ()) -> None:
    """Erase the reporters' words and files from these orders' history (order code → its
    reporter); with `quotes`, also from the messages that quote them. `said` is what the
    reporters wrote on the orders (their descriptions): no message may keep it; `about` are
    more numbers such messages carry (an agenda item's), looked for but not erased."""
    history = await uow.erasure.history(list(reporters))
    words = {w for w in said if w} | {e.reason for e in history
                                      if e.reason and _by_reporter(e, reporters)}
    media: set[str] = set()
    changed: list[Remark] = []
    for event in history:
        reporter = reporters.get(event.order_code)
        reason, data = event.reason, event.data
        if reason:
            if _by_reporter(event, reporters) or any(w in reason for w in words):
                reason = texts.ERASED_WORDS
            else:
                reason = scrub(mask_names(reason, names.get(reporter or 0, [])))
        if event.kind == "submitted" and media_of(data):
            media |= media_of(data)
            data = {k: v for k, v in data.items() if k not in MEDIA_KEYS} | {"photos": []}
        if (reason, data) != (event.reason, event.data):
            changed.append(event._replace(reason=reason, data=data))
    await uow.erasure.rewrite_history(changed)
    phones = [p for p in phones if p]
    if quotes:
        every_name = [n for listed in names.values() for n in listed]
        await _unquote(uow, [*reporters, *phones, *about], {*words, *phones}, media,
                       every_name)
    forget_files(deps, media)


def _by_reporter(event: Remark, reporters: Mapping[str, int | None]) -> bool:
    return event.actor_id is not None and event.actor_id == reporters.get(event.order_code)


async def _unquote(uow: UnitOfWork, needles: list[str], words: set[str], media: set[str],
                   names: list[str]) -> None:
    rewritten: list[Quote] = []
    for quote in await uow.erasure.quoting(needles):
        text = str(quote.payload.get("text") or "")
        if not (any(w in text for w in words) or media_of(quote.payload) & media):
            continue            # it names the order ("已签收"), not what the reporter said
        if quote.sent:           # the record keeps only that something was said
            rewritten.append(quote._replace(payload={"text": texts.ERASED_WORDS}))
            continue
        for word in sorted(words, key=len, reverse=True):
            text = text.replace(word, texts.ERASED_WORDS)
        payload = {k: v for k, v in quote.payload.items() if k not in MEDIA_KEYS}
        payload["text"] = scrub(mask_names(text, names))
        rewritten.append(quote._replace(payload=payload))
    await uow.erasure.rewrite_messages(rewritten)


def forget_files(deps: Deps, kept: Iterable[str]) -> None:
    """Delete these photos and voice notes from the vault (a name not the vault's is left)."""
    if deps.media is not None:
        for name in kept:
            deps.media.forget(name)
