"""The public order number (WG-20261122-0042) and what its beginning names.

A code is made once, when the order is filed, from the Shanghai day of filing and that day's
count, so a code's beginning names the days its orders were filed on: the console's search by
code asks a day's prefix as that span of filing time.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple


def order_code(day: date, sequence: int) -> str:
    """The public order number, e.g. WG-20261122-0042: `day` is the Shanghai day the order
    was filed, so a code's beginning names the days its orders were filed on."""
    return f"WG-{day:%Y%m%d}-{sequence:04d}"


_CODE_DAYS = re.compile(r"WG-(\d{4})(?:(\d{2})(?:(\d{2})(-\d*)?)?)?")


class FilingDays(NamedTuple):
    """The Shanghai days the orders whose codes begin so were filed on, first to last, and
    whether every order filed on those days has such a code (WG-20261120 is all of a day,
    WG-20261120-004 a few of its orders)."""

    first: date
    last: date
    whole: bool


def filing_days(prefix: str) -> FilingDays | None:
    """The days a code prefix names (a year, a month or a day), or None when it names no such
    span (WG-2026112, a month 13, WG-202611-)."""
    found = _CODE_DAYS.fullmatch(prefix.strip().upper())
    if found is None:
        return None
    year, month, day, rest = found.groups()
    whole = rest in (None, "-")
    try:
        if month is None:
            return FilingDays(date(int(year), 1, 1), date(int(year), 12, 31), whole)
        first = date(int(year), int(month), int(day or 1))
        if day is not None:
            return FilingDays(first, first, whole)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return FilingDays(first, following - timedelta(days=1), whole)
    except ValueError:
        return None
