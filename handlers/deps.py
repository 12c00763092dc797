"""What the dialogs and use cases need from the world, handed in by the composition root."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from domain.agenda import DEFAULT_RULES, AgendaRules
from domain.calendar import WorkingCalendar
from domain.categories import Taxonomy
from domain.deadlines import DeadlinePolicy
from domain.orders import Event, WorkOrder
from domain.routing import Router
from storage.media import MediaVault
from storage.uow import UnitOfWork

if TYPE_CHECKING:    # a Work holds its Deps; the notices it hands them to take the Work back
    from handlers.work import Work


@dataclass(frozen=True)
class Limits:
    """Guards against floods and slips; every number is configuration."""

    orders_per_hour: int = 10
    max_text: int = 500
    max_photos: int = 3
    dialog_idle: timedelta = timedelta(minutes=30)
    metoo_radius_m: float = 100.0
    metoo_window: timedelta = timedelta(hours=24)
    # How long after closure an order keeps its reporter's identity (then anonymised).
    retention: timedelta = timedelta(days=180)


class Notices(Protocol):
    """Tells whoever `events` concern (handlers/notices.py's `tell`); handed in, so the use
    cases that record events never import a sentence."""

    async def __call__(self, work: Work, order: WorkOrder, events: Sequence[Event], /) -> None:
        ...


@dataclass
class Deps:
    uow: Callable[[], UnitOfWork]
    router: Router
    taxonomy: Taxonomy
    calendar: WorkingCalendar
    policy: DeadlinePolicy
    notices: Notices
    invite_key: bytes                  # invite codes are looked up by their hash under it
    limits: Limits = field(default_factory=Limits)
    on_committed: Callable[[], None] | None = None
    # The staff code (from the roster) of the person who holds what no chain can: above the street.
    operator: str | None = None
    # Where received photos and voice notes are kept: erasure deletes a person's from here.
    media: MediaVault | None = None
    # The staff console: the address its sign-in links start with, and how long one works.
    public_base_url: str = "http://127.0.0.1:8080"
    console_link_ttl: timedelta = timedelta(minutes=10)
    # 议事's numbers: the supports that bring an item onto its level's agenda, its time there.
    agenda_rules: AgendaRules = DEFAULT_RULES
