"""Reading GeoReport v2 arguments: anything malformed is a 400 naming the field, never a 500."""
from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request

from domain.orders import State
from handlers import texts
from storage.repositories.api_keys import RequestQuery
from web.open311.render import Open311Error

WINDOW = timedelta(days=90)      # the specification's default and widest range
MOST = 1000
LONGEST_VALUE = 2000
STATUSES = {"open": (State.SUBMITTED, State.DISPATCHED, State.ACCEPTED),
            "closed": (State.RESOLVED, State.CLOSED, State.INVALID, State.MERGED)}


def invalid(field: str) -> Open311Error:
    return Open311Error(400, texts.OPEN311_INVALID.format(field=field))


def text(values: Mapping[str, Any], field: str, required: bool = False) -> str | None:
    value = values.get(field)
    if value is None or value == "":
        if required:
            raise Open311Error(400, texts.OPEN311_MISSING.format(field=field))
        return None
    if not isinstance(value, str) or len(value) > LONGEST_VALUE or "\x00" in value:
        raise invalid(field)
    return value


def listed(values: Mapping[str, Any], field: str) -> list[str]:
    value = text(values, field)
    return [part for part in value.split(",") if part] if value else []


def moment(values: Mapping[str, Any], field: str) -> datetime | None:
    value = text(values, field)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(field) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise invalid(field)
    return parsed


def window(values: Mapping[str, Any], now: datetime) -> tuple[datetime, datetime]:
    """start_date and end_date, at most 90 days apart; the last 90 days when not given."""
    start, end = moment(values, "start_date"), moment(values, "end_date")
    try:
        end = end or (start + WINDOW if start else now)
        start = start or end - WINDOW
    except OverflowError:
        raise invalid("start_date" if start else "end_date") from None
    if start > end or end - start > WINDOW:
        raise invalid("end_date")
    return start, end


def coordinate(values: Mapping[str, Any], field: str, bound: float) -> float | None:
    value = text(values, field)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise invalid(field) from None
    if not math.isfinite(number) or abs(number) > bound:
        raise invalid(field)
    return number


def request_query(values: Mapping[str, Any], now: datetime) -> RequestQuery:
    statuses = listed(values, "status")
    if any(s not in STATUSES for s in statuses):
        raise invalid("status")
    start, end = window(values, now)
    return RequestQuery(start, end, codes=listed(values, "service_request_id"),
                        categories=listed(values, "service_code"),
                        states=[state for s in statuses for state in STATUSES[s]], limit=MOST)


async def form(request: Request) -> dict[str, Any]:
    """The POST's fields (urlencoded or multipart); a body that is neither is a 400."""
    try:
        received = await request.form()
    except Exception:  # noqa: BLE001 — the parser's many failures all mean a malformed body
        raise Open311Error(400, texts.OPEN311_INVALID.format(field="body")) from None
    return {name: value for name, value in received.items()}
