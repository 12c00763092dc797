"""先锋指数 for roaming reporters (流动网格员) and 参与积分 for residents (双积分): ledgers of awards.

Awards are read from events (an order's; for residents an agenda item's too); the monthly cap
is applied when they are credited.
Points belong to the person who earned them: the ledger has no way to move or cash them.
Whether a person takes part (roaming reporters only, say) is the caller's filter.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.agenda import AgendaEvent
from domain.meetings import MeetingEvent
from domain.orders import Event, Urgency

# data["category"] of an "invalidated" event when the report was false (虚假上报); other
# categories (out of scope, redirected to 110/119/120) cost nothing.
FALSE_REPORT = "false"


@dataclass(frozen=True)
class PointsRules:
    valid_report: int = 10
    urgent_bonus: int = 10
    emergency_bonus: int = 20
    solved: int = 5
    me_too: int = 2
    false_report: int = -10
    monthly_cap: int = 200
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class ParticipationRules:
    """双积分: a resident's points for taking part (docs/domain.md, 议事)."""

    real_report: int = 5
    support: int = 1
    comment: int = 1
    meeting: int = 5
    monthly_cap: int = 100
    timezone: str = "Asia/Shanghai"


class Capped(Protocol):
    @property
    def monthly_cap(self) -> int: ...
    @property
    def timezone(self) -> str: ...


# The meeting event that records a person's attendance at a joint meeting (domain/meetings.py).
ATTENDED = "attended"


@dataclass(frozen=True)
class Award:
    """Points for one person, for one reason, on one order (or agenda item)."""

    person_id: int
    points: int
    reason: str   # valid | urgent | emergency | solved | me_too | false_report
    #               (participation: real_report | support | comment | meeting)
    at: datetime
    order_code: str   # the order's code, the agenda item's, or the meeting's


def awards_for_order(events: Iterable[Event], rules: PointsRules = PointsRules(), *,
                     reporter_id: int | None = None,
                     urgency: Urgency | None = None) -> list[Award]:
    """The awards one order's events earn; reporter and urgency default to the submission's."""
    history = sorted(events, key=attrgetter("at"))
    submitted = next((e for e in history if e.kind == "submitted"), None)
    if submitted is not None:
        reporter_id = reporter_id if reporter_id is not None else submitted.actor_id
        if urgency is None and "urgency" in submitted.data:
            urgency = Urgency(submitted.data["urgency"])
    awards: list[Award] = []
    accepted_at: datetime | None = None
    followers: dict[int, datetime] = {}

    def give(person: int | None, points: int, reason: str, at: datetime, code: str) -> None:
        if person is not None and points:
            awards.append(Award(person, points, reason, at, code))

    for e in history:
        if e.kind == "dispatched" and accepted_at is None:
            accepted_at = e.at
            give(reporter_id, rules.valid_report, "valid", e.at, e.order_code)
            if urgency is Urgency.URGENT:
                give(reporter_id, rules.urgent_bonus, "urgent", e.at, e.order_code)
            elif urgency is Urgency.EMERGENCY:
                give(reporter_id, rules.emergency_bonus, "emergency", e.at, e.order_code)
        elif e.kind == "followed" and e.actor_id is not None and e.actor_id != reporter_id:
            followers.setdefault(e.actor_id, e.at)
        elif e.kind == "rated" and e.data.get("solved"):
            give(reporter_id, rules.solved, "solved", e.at, e.order_code)
        elif e.kind == "invalidated" and e.data.get("category") == FALSE_REPORT:
            give(reporter_id, rules.false_report, "false_report", e.at, e.order_code)
    # A me-too counts once per person, and only for an issue accepted as real.
    if accepted_at is not None:
        code = history[0].order_code
        for person, at in followers.items():
            give(person, rules.me_too, "me_too", max(at, accepted_at), code)
    return sorted(awards, key=attrgetter("at"))


def participation_awards(order_events: Iterable[Event], agenda_events: Iterable[AgendaEvent],
                         rules: ParticipationRules = ParticipationRules(),
                         meeting_events: Iterable[MeetingEvent] = ()) -> list[Award]:
    """参与积分 from events: a report accepted as real (its first 派单) earns its reporter
    `real_report`; a support, a comment and attending a meeting earn whoever did it."""
    awards: list[Award] = []
    reporters: dict[str, int | None] = {}
    counted: set[str] = set()
    for e in sorted(order_events, key=attrgetter("at")):
        if e.kind == "submitted":
            reporters[e.order_code] = e.actor_id
        elif e.kind == "dispatched" and e.order_code not in counted:
            counted.add(e.order_code)
            reporter = reporters.get(e.order_code)
            if reporter is not None:
                awards.append(Award(reporter, rules.real_report, "real_report", e.at,
                                    e.order_code))
    earns = {"supported": ("support", rules.support), "commented": ("comment", rules.comment)}
    for a in agenda_events:
        if a.kind in earns and a.actor_id is not None:
            reason, points = earns[a.kind]
            awards.append(Award(a.actor_id, points, reason, a.at, a.item_code))
    for m in meeting_events:
        if m.kind == ATTENDED and m.actor_id is not None:
            awards.append(Award(m.actor_id, rules.meeting, "meeting", m.at, m.meeting_code))
    return sorted(awards, key=attrgetter("at"))


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def month_of(at: datetime, rules: Capped = PointsRules()) -> str:
    """The calendar month ("2026-11") of a moment, in the rules' time zone (naive: local)."""
    local = at.astimezone(_zone(rules.timezone)) if at.tzinfo else at
    return f"{local:%Y-%m}"


def credit(awards: Iterable[Award], rules: Capped = PointsRules()) -> list[Award]:
    """The awards as credited: in time order, gains stop at the monthly cap; losses always count.

    A gain past the cap is kept with the points it could still earn (possibly 0), so a
    person can see why it earned less.
    """
    earned: dict[tuple[int, str], int] = defaultdict(int)
    credited: list[Award] = []
    for award in sorted(awards, key=attrgetter("at")):
        if award.points > 0:
            key = (award.person_id, month_of(award.at, rules))
            points = max(0, min(award.points, rules.monthly_cap - earned[key]))
            earned[key] += points
            award = replace(award, points=points)
        credited.append(award)
    return credited


def monthly_totals(awards: Iterable[Award], month: str,
                   rules: Capped = PointsRules()) -> dict[int, int]:
    """Each person's credited points in one month ("2026-11")."""
    totals: dict[int, int] = defaultdict(int)
    for award in credit(awards, rules):
        if month_of(award.at, rules) == month:
            totals[award.person_id] += award.points
    return dict(totals)


def leaderboard(totals: Mapping[int, int], nicknames: Mapping[int, str | None],
                limit: int | None = None) -> list[tuple[str, int]]:
    """The month's board: opted-in people (a nickname set) with points, best first.

    Nobody without a nickname appears, and nobody with nothing or less: a board praises, it
    does not shame.
    """
    board = [(name.strip(), points) for person, points in totals.items()
             if points > 0 and (name := nicknames.get(person)) and name.strip()]
    board.sort(key=lambda row: (-row[1], row[0]))
    return board[:limit] if limit is not None else board
