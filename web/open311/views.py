"""The GeoReport v2 shapes of categories, orders and their histories.

The public sees an order as the echo wall would show it: a grid, community or street name and
a point snapped to at least 100 m, the text scrubbed (`handlers.echo_wall.public_text`). The
partner that filed an order sees it whole: its own words, address and point.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.calendar import SHANGHAI
from domain.categories import Category, Taxonomy
from domain.grids import GridTree
from domain.orders import State, WorkOrder
from domain.privacy import coarse_point
from handlers import catalogue, texts
from handlers.echo_wall import coarse_place, public_text, public_unit
from storage.repositories.api_keys import OrderUpdate

CLOSED = frozenset({State.RESOLVED, State.CLOSED, State.INVALID, State.MERGED})
# FixMyStreet's extended states for servicerequestupdates.
UPDATE_STATUS = {State.SUBMITTED: "OPEN", State.DISPATCHED: "OPEN",
                 State.ACCEPTED: "IN_PROGRESS", State.RESOLVED: "FIXED",
                 State.CLOSED: "CLOSED", State.INVALID: "NO_FURTHER_ACTION",
                 State.MERGED: "DUPLICATE"}
# History a partner follows: what changes the order, and its own notes; not internal clocks.
FOLLOWED = ("submitted", "dispatched", "signed", "progress", "returned", "escalated",
            "extended", "resolved", "rated", "reopened", "closed_unrated", "invalidated",
            "merged", "commented")


def w3c(moment: datetime | None) -> str | None:
    """A moment in the W3C form the specification asks for, with Beijing's offset."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


def service(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "service_name": category.name,
            "description": category.label, "metadata": False, "type": "realtime",
            "keywords": ",".join(category.keywords), "group": category.top}


def definition(category: Category) -> dict[str, Any]:
    """No category of the taxonomy asks for attributes yet: the list is empty."""
    return {"service_code": category.code, "attributes": []}


def discovery(base_url: str, changeset: datetime) -> dict[str, Any]:
    return {"changeset": w3c(changeset), "contact": texts.OPEN311_CONTACT,
            "key_service": texts.OPEN311_KEY_SERVICE,
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2",
                           "url": base_url, "changeset": w3c(changeset), "type": "production",
                           "formats": ["application/json", "text/xml"]}]}


def status(order: WorkOrder) -> str:
    return "closed" if order.state in CLOSED else "open"


def _updated(order: WorkOrder) -> datetime:
    return max(m for m in (order.created_at, order.signed_at, order.resolved_at,
                           order.closed_at) if m is not None)


def _common(order: WorkOrder, taxonomy: Taxonomy, tree: GridTree) -> dict[str, Any]:
    category = taxonomy.get(order.category)
    return {"service_request_id": order.code, "status": status(order),
            "status_notes": catalogue.label(order.state), "service_name": category.name,
            "service_code": order.category, "agency_responsible": public_unit(order.unit_code, tree),
            "requested_datetime": w3c(order.created_at), "updated_datetime": w3c(_updated(order)),
            "expected_datetime": w3c(order.resolve_due)}


def public_request(order: WorkOrder, taxonomy: Taxonomy, tree: GridTree,
                   names: Iterable[str] = ()) -> dict[str, Any]:
    """What anyone may read: the echo wall's coarse place and scrubbed words."""
    point = (coarse_point(order.lat, order.lng)
             if order.lat is not None and order.lng is not None else None)
    names = list(names)
    return {**_common(order, taxonomy, tree),
            "description": public_text(order.description, names),
            "address": coarse_place(order, tree),
            "lat": point[0] if point else None, "long": point[1] if point else None}


def partner_request(order: WorkOrder, taxonomy: Taxonomy, tree: GridTree) -> dict[str, Any]:
    """What the partner that filed the order reads of it."""
    return {**_common(order, taxonomy, tree), "description": order.description,
            "address": order.address or coarse_place(order, tree),
            "address_id": order.grid_code, "lat": order.lat, "long": order.lng}


def request_update(update: OrderUpdate) -> dict[str, Any]:
    label = texts.EVENT_LABELS.get(update.kind, update.kind)
    reason = texts.TIMELINE_REASON.format(reason=update.reason) if update.reason else ""
    return {"update_id": str(update.id), "service_request_id": update.order_code,
            "status": UPDATE_STATUS[update.to_state or State.SUBMITTED],
            "updated_datetime": w3c(update.at), "description": label + reason}
