"""Orders and people as the console's pages show them: words from the catalogue, times in
Shanghai, lights by the same rule as /todo."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.deadlines import light
from domain.grids import GridTree
from domain.orders import Event, WorkOrder
from handlers import catalogue, console, texts
from handlers.use_cases import work_time
from handlers.work import Work
from storage.order_filter import OrderScope
from storage.records import Person
from web.console.list_page import Choices, Row
from web.console.order_page import OrderView


def shade(work: Work, order: WorkOrder, now: datetime) -> str:
    if order.state.is_final or order.resolve_due is None:
        return ""
    rule = work.deps.policy.rule(order.urgency)
    return light(order.created_at, order.resolve_due, now, work.deps.calendar,
                 rule.resolve_working).value


def category_label(work: Work, code: str) -> str:
    taxonomy = work.deps.taxonomy
    return taxonomy.get(code).label if code in taxonomy else code


def row(work: Work, order: WorkOrder, now: datetime) -> Row:
    return Row(shade(work, order, now), order.code, category_label(work, order.category),
               console.place_of(work, order), catalogue.label(order.state),
               work_time(order.created_at), work_time(order.resolve_due or order.sign_due))


async def who(work: Work, person: Person) -> str:
    roles = texts.LIST_SEPARATOR.join(
        f"{texts.ROLE_LABELS.get(m.role.value, m.role.value)}"
        for m in await work.uow.memberships.of_person(person.id or 0))
    return texts.CONSOLE_WHO.format(name=person.name, roles=roles) if roles else person.name


def grid_options(tree: GridTree, codes: frozenset[str]) -> list[tuple[str, str]]:
    return [(g.code, f"{g.name} {g.code}") for g in sorted(tree, key=lambda g: g.code)
            if g.code in codes]


def choices(work: Work, scope: OrderScope) -> Choices:
    taxonomy = work.deps.taxonomy
    kinds: list[tuple[str, str]] = []
    for top in taxonomy.top_levels():
        kinds.append((top, top))
        kinds += [(c.code, c.label) for c in taxonomy.children(top)]
    return Choices(list(texts.STATE_LABELS.items()),
                   grid_options(work.deps.router.tree, scope.grids), kinds,
                   list(texts.URGENCY_LABELS.items()), list(texts.LIGHT_LABELS.items()))


def timeline_line(event: Event) -> tuple[str, str] | None:
    words = texts.EVENT_LABELS.get(event.kind) or texts.CONSOLE_MORE_EVENTS.get(event.kind)
    if words is None:
        return None
    if event.reason:
        words += texts.TIMELINE_REASON.format(reason=event.reason)
    return work_time(event.at), words


async def order_view(work: Work, person_id: int, order: WorkOrder,
                     link: Callable[[str | None], str | None]) -> OrderView:
    events = await work.uow.events.for_order(order.code)
    seen: Any = await console.evidence(work, order)
    photos = list(seen.photos)
    for event in events:
        if event.kind == "resolved":
            photos += [p for p in event.data.get("photos") or [event.data.get("photo")] if p]
    offer = await console.offer(work, person_id, order)
    holder = await work.uow.people.get(order.assignee_id) if order.assignee_id else None
    tree = work.deps.router.tree
    pin = (texts.CONSOLE_PIN_LINE.format(place=console.place_of(work, order), lat=order.lat,
                                         lng=order.lng)
           if order.lat is not None and order.lng is not None else "")
    return OrderView(
        order.code, category_label(work, order.category), catalogue.label(order.state),
        catalogue.label(order.urgency), shade(work, order, work.now),
        console.place_of(work, order), order.description or texts.NO_DESCRIPTION,
        console.unit_name(work, order.unit_code) + (f" · {holder.name}" if holder else ""),
        work_time(order.created_at), work_time(order.resolve_due or order.sign_due), pin,
        [src for src in (link(p) for p in dict.fromkeys(photos)) if src],
        [line for line in (timeline_line(ev) for ev in events) if line],
        offer.actions, [(c, tree.get(c).name) for c in offer.targets if c in tree],
        order.assignee_id == person_id and not order.state.is_final)
