"""A partner system (a 12345 hotline platform, a 一网统管 centre) as a reporter: another door.

It files through `use_cases.file_order` after the same routing a chat report gets (a pin by
polygon, an address by the matcher; the best candidate wins, a tie goes up the tree), so the
order is dispatched, clocked and announced exactly as one filed in chat. A partner's note on
its own open order is a `commented` event, told to whoever holds the order now.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain import orders
from domain.orders import WorkOrder
from domain.refusals import DomainError
from domain.routing import Route
from handlers import use_cases
from handlers.use_cases import Draft
from handlers.work import Work


@dataclass(frozen=True)
class PartnerReport:
    """What a partner sent: a category code, its words, and a point or an address."""

    category: str
    description: str = ""
    lat: float | None = None
    lng: float | None = None
    address: str | None = None


def draft_for(work: Work, report: PartnerReport) -> Draft:
    """The report as a placed draft, routed as a chat report is."""
    router = work.deps.router
    draft = Draft(category=report.category, description=report.description,
                  lat=report.lat, lng=report.lng, address=report.address)
    found: Route = (router.route_point(report.lat, report.lng)
                    if report.lat is not None and report.lng is not None
                    else router.route_address(report.address or ""))
    draft.grid = None if found.fallback or found.grid is None else found.grid.code
    draft.queue = found.fallback
    return draft


async def file(work: Work, partner_id: int, report: PartnerReport) -> WorkOrder:
    """提单 for a partner: the chat's use case, with the partner as the reporter."""
    return await use_cases.file_order(work, partner_id, draft_for(work, report))


async def add_note(work: Work, partner_id: int, code: str, note: str) -> WorkOrder:
    """The reporter adds to its own open order; the holder is told (handlers/notices.py)."""
    order = await use_cases.load(work, code)
    if order.reporter_id != partner_id:
        raise use_cases.NotAllowed()
    if order.state.is_final:
        raise DomainError("OPEN311_REFUSED", code=code)
    event = orders.remark(order, "commented", work.now, partner_id, note)
    await work.uow.events.add(event)
    await work.happened(order, (event,))
    return order
