"""The weekly digest (周报): one per audience, through the outbox, paced within platform limits.

Subscribed residents get their community's week and its column (本期议题, 群众反映, 回音壁,
handlers/column.py); a grid's leader gets its open orders by deadline and its rates; community and street staff get the grid ranking (红榜 best, 黑榜 worst), the
overdue list, the red list (督办红名单) and the riders' 先锋指数 board. The figures come from
SQL (`PublishingRepository.figures`, equal to `domain.metrics`); a chart goes with each digest,
drawn by a renderer handed in (handlers draw nothing themselves).
"""
from __future__ import annotations

import asyncio
import contextvars
import heapq
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from functools import partial
from operator import add, attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from domain.calendar import SHANGHAI
from domain.categories import Taxonomy
from domain.grids import Grid, GridTree, Level
from domain.metrics import Rates
from handlers import texts
from handlers.column import column_lines, read_column
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.repositories.publishing import OpenOrder, PublishingRepository, Recipient
from storage.uow import UnitOfWork

RESIDENT, LEADER, STAFF = "resident", "leader", "staff"
TOP = 10
PODIUM = 3
# Digest rows go out below each platform's global rate, so live messages still get through.
PACE = {"telegram": 20.0, "wecom": 20.0, "wechat": 20.0}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_counts_of = attrgetter(*(f.name for f in fields(Rates)))


@dataclass(frozen=True)
class Chart:
    """What a digest's picture shows: one value (0..1) per label in each series."""

    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    horizontal: bool = False
    marks: tuple[str, ...] = ()      # per label: "red", "black" or "" (ranking charts)


@dataclass
class Digest:
    audience: str
    unit: str                        # the grid code the digest is about
    text: str
    chart: Chart | None
    recipients: list[Recipient] = field(default_factory=list)


Render = Callable[[Chart], bytes]


def digest_schedule(text: str = "mon 09:00") -> tuple[int, int, int]:
    """"mon 09:00" → (weekday 0..6, hour, minute), Shanghai time: when the digest goes out."""
    day, _, clock = text.strip().lower().partition(" ")
    hour, _, minute = clock.partition(":")
    if day[:3] not in WEEKDAYS or not hour.isdigit() or not (minute or "0").isdigit():
        raise ValueError(f"digest time {text!r}: write it like 'mon 09:00'")
    return WEEKDAYS.index(day[:3]), int(hour), int(minute or 0)


def week_before(now: datetime) -> tuple[datetime, datetime]:
    """The last whole week (Monday 00:00 to Monday 00:00, Shanghai) before `now`."""
    local = now.astimezone(SHANGHAI)
    end = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=local.weekday())
    return end - timedelta(days=7), end


def rollup(raw: Mapping[str | None, Rates], tree: GridTree,
           *more: Mapping[str | None, Rates]) -> dict[str, Rates]:
    """Figures per grid node, each the sum over the orders reported anywhere beneath it.

    `more` are figures of other orders (slices read apart), added in.
    """
    # Summed as plain counts and made into `Rates` once per node: ~16,000 additions a week.
    reported: dict[str, tuple[Any, ...]] = {}
    for figures in (raw, *more):
        for code, rates in figures.items():
            if code is not None and code in tree:
                counts, known = _counts_of(rates), reported.get(code)
                reported[code] = counts if known is None else tuple(map(add, known, counts))
    total: dict[str, tuple[Any, ...]] = {}
    for code, counts in reported.items():
        for grid in tree.chain(code):
            known = total.get(grid.code)
            total[grid.code] = counts if known is None else tuple(map(add, known, counts))
    return defaultdict(Rates, {code: Rates(*counts) for code, counts in total.items()})


def rollup_counts(tree: GridTree, *counts: Mapping[str | None, int]) -> dict[str, int]:
    """Counts per reported grid (new orders) summed onto every grid node above them."""
    total: dict[str, int] = defaultdict(int)
    for per_grid in counts:
        for code, count in per_grid.items():
            for grid in tree.chain(code) if code is not None and code in tree else ():
                total[grid.code] += count
    return total


def figure_slices(start: datetime, end: datetime) -> list[tuple[datetime | None, datetime | None]]:
    """Spans of birth that split a period's orders for reading side by side: those carried over
    into it, and those born in each half of it. Every figure is a sum over orders, and each
    order falls in one span, so the slices add up to the whole."""
    middle = start + (end - start) / 2
    return [(None, start), (start, middle), (middle, None)]


def score(rates: Rates) -> float | None:
    """The ranking score: the mean of 响应率, 解决率, 满意率 and 按期办结率 where defined."""
    known = [r for r in (*rates.three_rates, rates.on_time_rate) if r is not None]
    return sum(known) / len(known) if known else None


def percent(rate: float | None) -> str:
    return texts.DIGEST_NO_RATE if rate is None else f"{rate:.0%}"


class _Week:
    """Everything the digests of one week read, fetched once."""

    def __init__(self, tree: GridTree, taxonomy: Taxonomy, now: datetime):
        self.tree, self.taxonomy, self.now = tree, taxonomy, now
        # Compared with the database's times (UTC) thousands of times: same zone, no conversions.
        self.now_utc = now.astimezone(UTC)
        self.start, self.end = week_before(now)
        last = self.end - timedelta(days=1)
        self._period = {"start": self.start.strftime(texts.DATE_DAY),
                        "end": last.astimezone(SHANGHAI).strftime(texts.DATE_DAY)}
        self._below: dict[str, list[str]] = {}
        self._children: dict[str, list[str]] = defaultdict(list)
        for grid in tree:
            if grid.parent:
                self._children[grid.parent].append(grid.code)

    async def load(self, uow: UnitOfWork) -> None:
        local_end = (self.end - timedelta(microseconds=1)).astimezone(SHANGHAI)
        month = local_end.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        next_month = (month + timedelta(days=32)).replace(day=1)
        self.month = month.strftime(texts.DATE_MONTH)
        slices = figure_slices(self.start, self.end)
        (*figures, (self.tops, self.counts), self.red, self.highlights, points,
         self.subscribers, self.staff) = await _together(
            uow, *(partial(_figures, self, born) for born in slices),
            lambda r: r.open_orders(TOP, self.now), lambda r: r.red_listed(),
            lambda r: r.highlights(self.start, self.end),
            lambda r: r.rider_points(month, next_month, min(self.now, next_month)),
            lambda r: r.subscribers(), lambda r: r.staff())
        first, *others = (rates for rates, _ in figures)
        self.rates = rollup(first, self.tree, *others)
        for orders in self.tops.values():
            orders.sort(key=_by_deadline)
        self.late = {code: [o for o in orders if o.resolve_due and o.resolve_due < self.now_utc]
                     for code, orders in self.tops.items()}
        self.new = rollup_counts(self.tree, *(new for _, new in figures))
        self.board = sorted(points.values(), key=lambda row: (-row[1], row[0]))
        self.board = [row for row in self.board if row[1] > 0][:TOP]

    def below(self, code: str) -> list[str]:
        """The grid and every grid beneath it."""
        if code not in self._below:
            found, stack = [], [code]
            while stack:
                current = stack.pop()
                found.append(current)
                stack.extend(self._children.get(current, ()))
            self._below[code] = found
        return self._below[code]

    def open_in(self, code: str, overdue_only: bool = False) -> tuple[list[OpenOrder], int]:
        """The open orders of a grid's area nearest their deadline, and how many there are."""
        codes = self.below(code)
        tops = self.late if overdue_only else self.tops
        if len(codes) == 1:                     # a micro-grid: its own list, sorted on load
            first = tops.get(code, [])[:TOP]
        else:
            first = heapq.nsmallest(TOP, (o for c in codes for o in tops.get(c, ())),
                                    key=_by_deadline)
        count = sum(self.counts.get(c, (0, 0))[1 if overdue_only else 0] for c in codes)
        return first, count

    def period(self) -> dict[str, str]:
        return self._period

    def name(self, code: str | None) -> str:
        return self.tree.get(code).name if code and code in self.tree else texts.ECHO_UNLOCATED

    def category(self, code: str) -> str:
        return self.taxonomy.get(code).name if code in self.taxonomy else code


async def _figures(week: _Week, born: tuple[datetime | None, datetime | None], repository: PublishingRepository
                   ) -> tuple[dict[str | None, Rates], dict[str | None, int]]:
    return await repository.figures(week.start, week.end, week.now, born=born)


async def _together(uow: UnitOfWork, *reads: Callable[[Any], Awaitable[Any]]) -> list[Any]:
    """The week's reads; on PostgreSQL side by side, each in a transaction of its own.

    A task made in a blank context does not see `uow` open in this one, so it opens its own
    session. SQLite has one writer, and every transaction there takes it: reads go in turn.
    """
    if uow.session.get_bind().dialect.name != "postgresql":
        return [await read(uow.publishing) for read in reads]

    async def alone(read: Callable[[Any], Awaitable[Any]]) -> Any:
        async with uow:
            return await read(uow.publishing)
    return list(await asyncio.gather(*(
        asyncio.create_task(alone(read), context=contextvars.Context()) for read in reads)))


def resident_digest(week: _Week, community: str) -> Digest:
    rates = week.rates.get(community, Rates())
    lines = [texts.DIGEST_RESIDENT.format(
        community=week.name(community), new=week.new.get(community, 0), resolved=rates.resolved,
        on_time=percent(rates.on_time_rate), satisfied=percent(rates.satisfaction_rate),
        **week.period())]
    chosen = week.highlights.get(community, [])
    lines.append(texts.DIGEST_HIGHLIGHTS if chosen else texts.DIGEST_NO_HIGHLIGHTS)
    lines += [texts.DIGEST_HIGHLIGHT.format(**entry) for entry in chosen]
    lines.append(texts.DIGEST_RESIDENT_FOOTER)
    grids = [g for g in week.tree.children(community) if g.level is Level.GRID]
    chart = Chart(texts.CHART_RESIDENT.format(community=week.name(community)),
                  tuple(g.name for g in grids),
                  ((texts.CHART_ON_TIME, tuple(week.rates.get(g.code, Rates()).on_time_rate
                                               for g in grids)),
                   (texts.CHART_SATISFIED, tuple(week.rates.get(g.code, Rates()).satisfaction_rate
                                                 for g in grids))))
    return Digest(RESIDENT, community, "\n".join(lines), chart)


def leader_digest(week: _Week, grid: str) -> Digest:
    rates = week.rates.get(grid, Rates())
    response, solved, satisfied = rates.three_rates
    first, count = week.open_in(grid)
    _, overdue = week.open_in(grid, overdue_only=True)
    lines = [texts.DIGEST_LEADER.format(
        grid=week.name(grid), response=percent(response), solved=percent(solved),
        satisfied=percent(satisfied), on_time=percent(rates.on_time_rate), open=count,
        overdue=overdue, **week.period())]
    lines.append(texts.DIGEST_OPEN_HEADER if first else texts.DIGEST_NO_OPEN)
    lines += [texts.DIGEST_OPEN_LINE.format(
        light=_light(o, week.now_utc), code=o.code, category=week.category(o.category),
        place=week.name(o.grid_code), due=_when(o.resolve_due)) for o in first]
    if count > len(first):
        lines.append(texts.DIGEST_MORE.format(n=count - len(first)))
    values = (response, solved, satisfied, rates.on_time_rate)
    chart = Chart(texts.CHART_LEADER.format(grid=week.name(grid)), texts.RATE_NAMES,
                  ((week.name(grid), values),))
    return Digest(LEADER, grid, "\n".join(lines), chart)


class Ranked(NamedTuple):
    score: float
    name: str
    rates: Rates
    code: str


def ranking(rates: Mapping[str, Rates], grids: Iterable[Grid]
            ) -> tuple[list[Ranked], list[Ranked], list[Ranked]]:
    """The grids (level 网格) with a score, best first; the red list (红榜, the best
    `PODIUM`) and the black list (黑榜, the worst `PODIUM` not on the red one, worst first)."""
    ranked = sorted((Ranked(s, g.name, rates[g.code], g.code) for g in grids
                     if g.level is Level.GRID and g.code in rates
                     and (s := score(rates[g.code])) is not None),
                    key=lambda row: (-row.score, row.name))
    return ranked, ranked[:PODIUM], ranked[PODIUM:][-PODIUM:][::-1]


def staff_digest(week: _Week, unit: str) -> Digest:
    ranked, red, black = ranking(week.rates, map(week.tree.get, week.below(unit)))
    lines = [texts.DIGEST_STAFF.format(unit=week.name(unit), **week.period())]
    if ranked:
        for title, rows in ((texts.DIGEST_RED, red), (texts.DIGEST_BLACK, black)):
            if rows:
                lines.append(title)
                lines += [_rank_line(n, row) for n, row in enumerate(rows, start=1)]
    else:
        lines.append(texts.DIGEST_NO_RANKING)
    late, count = week.open_in(unit, overdue_only=True)
    lines.append(texts.DIGEST_OVERDUE.format(count=count))
    lines += [texts.DIGEST_OVERDUE_LINE.format(
        code=o.code, category=week.category(o.category), grid=week.name(o.grid_code),
        days=_days_late(o, week.now_utc)) for o in late]
    area = set(week.below(unit))
    listed = [o for o in week.red if o.grid_code in area][:TOP]
    if listed:
        lines.append(texts.DIGEST_RED_LIST)
        lines += [texts.DIGEST_RED_LIST_LINE.format(
            code=o.code, category=week.category(o.category), grid=week.name(o.grid_code),
            due=_when(o.resolve_due)) for o in listed]
    lines.append(texts.DIGEST_LEADERBOARD.format(month=week.month) if week.board
                 else texts.DIGEST_NO_LEADERBOARD)
    lines += [texts.DIGEST_LEADERBOARD_LINE.format(n=n, nickname=nick, points=points)
              for n, (nick, points) in enumerate(week.board, start=1)]
    shown = red + black[::-1]
    chart = Chart(texts.CHART_STAFF.format(unit=week.name(unit)),
                  tuple(row.name for row in shown),
                  ((texts.CHART_SCORE, tuple(row.score for row in shown)),), horizontal=True,
                  marks=tuple("red" if i < len(red) else "black" for i in range(len(shown))))
    return Digest(STAFF, unit, "\n".join(lines), chart)


def _rank_line(n: int, row: Ranked) -> str:
    value, name, rates, _ = row
    response, solved, satisfied = rates.three_rates
    return texts.DIGEST_RANK_LINE.format(
        n=n, grid=name, score=percent(value), response=percent(response), solved=percent(solved),
        satisfied=percent(satisfied), on_time=percent(rates.on_time_rate))


def _by_deadline(order: OpenOrder) -> tuple[bool, datetime | None, str]:
    return order.resolve_due is None, order.resolve_due, order.code


def _light(order: OpenOrder, now: datetime) -> str:
    if order.resolve_due is None:
        return "⚪"
    if order.resolve_due < now:
        return "🔴"
    return "🟡" if order.resolve_due - now < timedelta(days=1) else "🟢"


def _days_late(order: OpenOrder, now: datetime) -> int:
    """Days past the deadline, counting the first: asked only of `late` orders, which have one."""
    assert order.resolve_due is not None   # `late` keeps only orders with a passed deadline
    return max(1, (now - order.resolve_due).days + 1)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if moment else "—"


async def build_digests(uow: UnitOfWork, tree: GridTree, taxonomy: Taxonomy,
                        now: datetime) -> list[Digest]:
    """Every digest of the week before `now`, with who gets each; run inside `async with uow`."""
    week = _Week(tree, taxonomy, now)
    await week.load(uow)
    digests: dict[tuple[str, str], Digest] = {}

    def add(audience: str, unit: str, recipient: Recipient,
            make: Callable[[_Week, str], Digest]) -> None:
        key = (audience, unit)
        if key not in digests:
            digests[key] = make(week, unit)
        digests[key].recipients.append(recipient)

    for resident in week.subscribers:
        home = resident.grid_code
        community = tree.ancestor_at(home, Level.COMMUNITY) if home and home in tree else None
        if community is not None:
            add(RESIDENT, community.code, resident, resident_digest)
    for member in week.staff:
        if member.grid_code not in tree:
            continue
        level = tree.get(member.grid_code).level
        if level in (Level.COMMUNITY, Level.STREET):
            add(STAFF, member.grid_code, member, staff_digest)
        elif member.role == "leader":
            add(LEADER, member.grid_code, member, leader_digest)
    for (audience, unit), digest in digests.items():
        if audience == RESIDENT or tree.get(unit).level is Level.COMMUNITY:
            column = await read_column(uow, tree, taxonomy, unit, week.start, week.end, now)
            digest.text += "\n" + "\n".join(column_lines(column))
    return list(digests.values())


async def send_digests(uow: UnitOfWork, digests: Iterable[Digest], render: Render | None,
                       media_dir: Path, now: datetime,
                       pace: Mapping[str, float] = PACE) -> int:
    """Owe each recipient their digest (once per week, whatever reruns); returns rows owed."""
    week = f"{week_before(now)[0]:%Y%m%d}"
    folder = media_dir / "digest" / week
    owed: list[OutboxMessage] = []
    sent_on: dict[str, int] = defaultdict(int)
    for digest in digests:
        photo = None
        if render is not None and digest.chart is not None:
            folder.mkdir(parents=True, exist_ok=True)
            photo = folder / f"{digest.audience}-{digest.unit}.png"
            photo.write_bytes(render(digest.chart))
        for r in digest.recipients:
            rate = pace.get(r.channel)
            due = now + timedelta(seconds=sent_on[r.channel] / rate) if rate else now
            sent_on[r.channel] += 1
            out = Outbound(r.channel, r.external_id, digest.text,
                           photo=str(photo) if photo else None)
            owed.append(OutboxMessage(
                r.channel, r.external_id, out.as_payload(), person_id=r.person_id, due_at=due,
                dedupe_key=f"digest:{week}:{digest.audience}:{digest.unit}:{r.channel}:"
                           f"{r.external_id}"))
    await uow.publishing.owe_once(owed)
    return len(owed)


async def weekly_digest(uow: UnitOfWork, tree: GridTree, taxonomy: Taxonomy, render: Render | None,
                        media_dir: Path, now: datetime | None = None) -> list[Digest]:
    """The scheduler's job: build the week's digests and owe them, in one transaction."""
    async with uow:
        moment = now or uow.clock.now()
        digests = await build_digests(uow, tree, taxonomy, moment)
        await send_digests(uow, digests, render, media_dir, moment)
        await uow.commit()
    return digests
