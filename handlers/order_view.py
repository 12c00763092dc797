"""A new order as its handler must see it: the reporter's photos, voice note and pin, and the
reporter's phone number behind a button, each look at it recorded.

The number is never put in a message someone else could read: the new-order message only says
that one was left, and 查看联系方式 answers the holder alone, writing a `contact_viewed` event
(who, when) in the same transaction.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain import orders
from domain.orders import Event, WorkOrder
from domain.refusals import DomainError
from handlers import actions, texts
from handlers.messages import Choice, Pin
from handlers.work import Work

# The event a look at the number leaves in the order's history.
CONTACT_VIEWED = orders.CONTACT_VIEWED
# What a typed or shared number may look like once spaces, dashes and brackets are gone:
# a mainland mobile (with or without +86 / 86) or a landline with its area code.
_PHONE = re.compile(r"(?:\+?86)?(1[3-9]\d{9}|0\d{9,11})")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_SHARED = re.compile(r"\+?(\d{7,15})")   # a number the platform verified: any country


@dataclass(frozen=True)
class Evidence:
    """What the reporter gave besides words: shown to whoever must handle the order."""

    photos: tuple[str, ...] = ()
    voice: str | None = None
    location: Pin | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {"photos": self.photos, "voice": self.voice, "location": self.location}


def phone_number(given: str, shared: bool = False) -> str | None:
    """A phone number from what a person typed (or `shared` by the platform's button),
    normalised; None if it is none."""
    bare = _SEPARATORS.sub("", given or "")
    found = _PHONE.fullmatch(bare)
    if found:
        return found.group(1)
    found = _SHARED.fullmatch(bare) if shared else None
    return "+" + found.group(1) if found else None


async def evidence(work: Work, order: WorkOrder, place: str) -> Evidence:
    """The report's photos and voice note (from its `submitted` event) and its pin."""
    data: dict[str, Any] = {}
    for event in await work.uow.events.for_order(order.code):
        if event.kind == "submitted":
            data = dict(event.data)
            break
    return reported(order, place, data)


def reported(order: WorkOrder, place: str, submitted: Mapping[str, Any]) -> Evidence:
    """The evidence as the `submitted` event's data holds it (or will, for an order being
    filed: then nothing needs reading back)."""
    photos = tuple(str(p) for p in submitted.get("photos") or () if p)
    voice = submitted.get("voice") or None
    pin = (Pin(order.lat, order.lng, place)
           if order.lat is not None and order.lng is not None else None)
    return Evidence(photos, voice, pin)


async def reporter_phone(work: Work, order: WorkOrder) -> str | None:
    reporter = await work.person_of(order.reporter_id) if order.reporter_id else None
    return reporter.phone if reporter is not None else None


async def contact_offer(work: Work, order: WorkOrder) -> tuple[str, tuple[Choice, ...]]:
    """A line and a button for the new-order message when the reporter left a number."""
    if not await reporter_phone(work, order):
        return "", ()
    return "\n" + texts.CONTACT_LEFT, (Choice(texts.CONTACT_VIEW, actions.Contact(order.code).encode()),)


async def view_contact(work: Work, person_id: int | None, code: str) -> str:
    """The reporter's number for the order's holder, the look recorded; anyone else is refused
    and nothing is written."""
    order = await work.uow.orders.get(code)
    if order is None or not orders.holds(order, person_id):
        raise DomainError("CONTACT_REFUSED")
    if order.state.is_final:
        raise DomainError("CONTACT_CLOSED", code=order.code)
    phone = await reporter_phone(work, order)
    if not phone:
        return texts.CONTACT_NONE.format(code=order.code)
    await work.uow.events.add(Event(order.code, CONTACT_VIEWED, work.now, person_id,
                              order.state, order.state))
    return texts.CONTACT_SHOWN.format(code=order.code, phone=phone)
