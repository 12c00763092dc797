"""The demo's past: three weeks of orders in the sample district, made by the use cases.

A newcomer's first look should show a district at work — figures, an echo wall with
after-photos, a digest — not a table of dashes. So before the demo opens, generated residents
and riders file reports and the district's own staff sign for, return, escalate, resolve and
rate them, each through the use case chat uses, on a clock moved from one step to the next.
A seeded random source makes every start the same (relative to its start time). Every order
ends in the past, except a few filed in the last hours, left in each open state. Nothing the
past owes anyone is sent: its messages are never written to the outbox (the staff panes would
otherwise open on three weeks of notices).
"""
from __future__ import annotations

import heapq
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from domain.grids import GridTree, Level, queue_of
from domain.orders import Satisfaction
from domain.refusals import DomainError
from handlers import dispatching, texts, use_cases
from handlers.access import dispatch_targets
from handlers.deps import Deps
from handlers.echo_wall import EchoChannels, publish_due
from handlers.work import Work
from storage.clock import FixedClock
from storage.order_filter import any_order
from storage.records import Person
from storage.uow import UnitOfWork
from web.photos import store_photo

SEED = 20261123
DAYS = 21
PER_DAY = (2, 4)
RESIDENTS, RIDERS = 14, 4
PHOTOS = 6
STREET_DISPATCHER = "P0001"
# Categories a grid handles, public, and a private one (disputes): the wall shows only the first.
EVERYDAY = ("H01", "H02", "H03", "G01", "J02", "J03", "J05")
PRIVATE = "M01"
SATISFIED = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.SATISFIED,
             Satisfaction.BASICALLY_SATISFIED)
# How an old order's life goes, and how often (weights).
FATES = {"rated": 46, "unrated": 8, "reopened": 5, "returned": 8, "escalated": 8,
         "invalid": 5, "merged": 4, "progress": 10}
# The recent orders, each stopped in one open state (and one of each final state kept above).
RECENT = ("submitted", "dispatched", "accepted", "accepted", "resolved")
SETTLED = timedelta(hours=2)      # the old orders' last step is at least this long before now

Step = tuple[float, str]          # hours after filing, what happens


@dataclass
class _Order:
    reporter: int
    category: str
    grid: str | None
    point: tuple[float, float] | None
    steps: list[Step]
    code: str | None = None
    home: str | None = None       # the grid it was filed for (a return is sent back there)
    extra: dict[str, Any] = field(default_factory=dict)


def after_photo(rng: random.Random) -> bytes:
    """A small PNG: a clean pavement after the work (a plain picture, no one in it)."""
    image = Image.new("RGB", (160, 120), (rng.randint(150, 200),) * 3)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 80, 160, 120), fill=(90, 140, 90))
    draw.line((20, 60, 60, 95, 140, 25), fill=(40, 160, 60), width=9)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _fate_steps(fate: str, rng: random.Random) -> list[Step]:
    sign = rng.uniform(0.3, 3)
    done = sign + rng.uniform(3, 40)
    rated = done + rng.uniform(1, 20)
    if fate == "invalid":
        return [(rng.uniform(0.5, 4), "invalid")]
    if fate == "returned":
        return [(sign, "return"), (sign + 1, "assign"), (sign + 2, "sign"), (done + 2, "resolve"),
                (rated + 2, "rate")]
    if fate == "escalated":
        return [(sign, "sign"), (sign + 2, "escalate"), (sign + 3, "sign"), (done + 4, "resolve"),
                (rated + 4, "rate")]
    if fate == "reopened":
        return [(sign, "sign"), (done, "resolve"), (rated, "unsatisfied"), (rated + 20, "resolve"),
                (rated + 30, "rate")]
    if fate == "unrated":
        return [(sign, "sign"), (done, "resolve"), (done + 72.5, "close")]
    if fate == "progress":
        return [(sign, "sign"), (sign + 2, "progress"), (done, "resolve"), (rated, "rate")]
    return [(sign, "sign"), (done, "resolve"), (rated, "rate")]


def _places(tree: GridTree) -> list[tuple[str, tuple[float, float]]]:
    """Every micro-grid with an outline, and a point inside it."""
    found = []
    for grid in tree:
        if grid.level is Level.MICRO_GRID and grid.geometry is not None:
            inside = grid.geometry.representative_point()
            found.append((grid.code, (inside.y, inside.x)))
    return sorted(found)


def plan(rng: random.Random, tree: GridTree, reporters: list[int], now: datetime
         ) -> list[tuple[datetime, _Order]]:
    """Each order's filing time and fate: the old ones end before `now`, the recent stop open."""
    places = _places(tree)
    outside_demo = [p for p in places if not p[0].startswith("JJ-01")]
    planned: list[tuple[datetime, _Order]] = []
    start = now - timedelta(days=DAYS)
    for day in range(DAYS - 1):
        for _ in range(rng.randint(*PER_DAY)):
            born = start + timedelta(days=day, hours=rng.uniform(7, 20))
            fate = rng.choices(list(FATES), weights=list(FATES.values()))[0]
            category = PRIVATE if rng.random() < 0.06 else rng.choice(EVERYDAY)
            code, point = rng.choice(places)
            order = _Order(rng.choice(reporters), category, code, point, _fate_steps(fate, rng))
            lives = [order]
            if fate == "merged" and category != PRIVATE:    # a duplicate of an earlier report
                first = _Order(rng.choice(reporters), category, code, point,
                               _fate_steps("rated", rng))
                order.steps = [(0.1, "merge")]
                order.extra["into"] = first
                lives.append(first)
            # An old order's life ends well before the demo opens: no clock of it is due then.
            longest = max(hours for life in lives for hours, _ in life.steps)
            born = min(born, now - SETTLED - timedelta(hours=longest))
            if len(lives) > 1:
                planned.append((born - timedelta(minutes=10), lives[1]))
            planned.append((born, order))
    for n, state in enumerate(RECENT):
        code, point = outside_demo[n * 7 % len(outside_demo)]
        born = now - timedelta(minutes=70 - 10 * n)    # well within every limit at the start
        steps = {"submitted": [], "dispatched": [], "accepted": [(0.2, "sign")],
                 "resolved": [(0.1, "sign"), (0.3, "resolve")]}[state]
        order = _Order(rng.choice(reporters), "H01", code, point, list(steps))
        if state == "submitted":             # nowhere to place it: a community's queue
            order.grid, order.point = None, None
            order.extra["queue"] = queue_of(code[:5])
        planned.append((born, order))
    return sorted(planned, key=lambda pair: pair[0])


class _Past:
    """Plays the planned orders through the use cases, one transaction in all."""

    def __init__(self, work: Work, clock: FixedClock, rng: random.Random, media: Path):
        self.work, self.clock, self.rng, self.media = work, clock, rng, media
        self.dispatcher = 0
        self.photos: list[str] = []

    async def file(self, order: _Order) -> None:
        category = self.work.deps.taxonomy.get(order.category)
        draft = use_cases.Draft(category=order.category,
                                description=texts.DEMO_REPORT.format(what=category.name),
                                lat=order.point[0] if order.point else None,
                                lng=order.point[1] if order.point else None,
                                grid=order.grid, queue=order.extra.get("queue"))
        filed = await use_cases.file_order(self.work, order.reporter, draft)
        order.code, order.home = filed.code, order.grid

    async def act(self, order: _Order, what: str) -> None:
        work, code = self.work, order.code
        assert code is not None
        current = await work.uow.orders.get(code)
        if current is None or current.state.is_final:
            return
        name = work.deps.taxonomy.get(order.category).name
        by_anyone: dict[str, Callable[[], Any]] = {
            "rate": lambda: use_cases.rate(work, order.reporter, code, self.rng.random() < 0.92,
                                           self.rng.choice(SATISFIED)),
            "unsatisfied": lambda: use_cases.rate(work, order.reporter, code, False,
                                                  Satisfaction.UNSATISFIED, texts.DEMO_UNSATISFIED),
            "close": lambda: use_cases.close_unrated(work, code),
            "invalid": lambda: dispatching.mark_invalid(work, self.dispatcher, code,
                                                        texts.DEMO_INVALID_REASON),
            "merge": lambda: dispatching.merge(work, self.dispatcher, code,
                                               order.extra["into"].code),
        }
        holder = current.assignee_id
        if what not in by_anyone and holder is None:
            return
        by_holder: dict[str, Callable[[int], Any]] = {
            "sign": lambda h: use_cases.sign_for(work, h, code),
            "progress": lambda h: use_cases.report_progress(work, h, code, texts.DEMO_PROGRESS),
            "resolve": lambda h: self._resolve(h, code, name),
            "return": lambda h: use_cases.return_order(work, h, code, texts.DEMO_RETURN_REASON),
            "assign": lambda h: self._assign(h, order),
            "escalate": lambda h: use_cases.escalate(work, h, code, texts.DEMO_ESCALATE_REASON),
        }
        try:
            await (by_anyone[what]() if holder is None or what in by_anyone
                   else by_holder[what](holder))
        except DomainError:   # the past has no one to tell that a step did not fit
            return

    async def _resolve(self, holder: int, code: str, name: str) -> None:
        if len(self.photos) < PHOTOS:      # a few pictures, each kept once, shared after
            self.photos.append(str(store_photo(after_photo(self.rng), self.media)))
        await use_cases.resolve(self.work, holder, code, texts.DEMO_RESOLVED.format(what=name),
                                photo=self.rng.choice(self.photos))

    async def _assign(self, holder: int, order: _Order) -> None:
        assert order.code is not None
        current = await self.work.uow.orders.get(order.code)
        assert current is not None
        targets = await dispatch_targets(self.work, holder, current)
        if targets:
            unit = order.home if order.home in targets else targets[0]
            await dispatching.assign(self.work, holder, order.code, unit)

    async def play(self, planned: list[tuple[datetime, _Order]]) -> None:
        queue: list[tuple[datetime, int, int, str]] = []
        orders = [order for _, order in planned]
        for index, (born, _) in enumerate(planned):
            heapq.heappush(queue, (born, index, -1, "file"))
        seq = 0
        while queue:
            at, index, _, what = heapq.heappop(queue)
            self.clock.at = at
            order = orders[index]
            if what == "file":
                await self.file(order)
                for hours, step in order.steps:
                    seq += 1
                    heapq.heappush(queue, (at + timedelta(hours=hours), index, seq, step))
            else:
                await self.act(order, what)


async def seed_past(sessions: Any, deps: Deps, now: datetime, media_dir: Path) -> int:
    """Three weeks of history up to `now`, unless the database has orders already; returns
    how many orders it filed. The echo wall publishes what closed, after-photos included."""
    clock = FixedClock(now - timedelta(days=DAYS))
    uow = UnitOfWork(sessions, clock)
    async with uow:
        if await any_order(uow.session):
            return 0
        rng = random.Random(SEED)
        reporters = []
        for n in range(1, RESIDENTS + RIDERS + 1):
            rider = n > RESIDENTS
            name = (texts.DEMO_RIDER.format(n=n - RESIDENTS) if rider
                    else texts.DEMO_RESIDENT.format(n=n))
            person = await uow.people.upsert(Person(name=name, kind="rider" if rider else
                                                    "resident", consent_at=clock.now()))
            assert person.id is not None
            reporters.append(person.id)
        past = _Past(Work(uow, deps), clock, rng, media_dir)
        dispatcher = await uow.people.by_staff_code(STREET_DISPATCHER)
        past.dispatcher = dispatcher.id if dispatcher and dispatcher.id else 0
        planned = plan(rng, deps.router.tree, reporters, now)
        await past.play(planned)
        await uow.commit()     # the past's messages (work.owed) are left unwritten on purpose
    clock.at = now
    await publish_due(UnitOfWork(sessions, clock), deps, EchoChannels(media_dir=media_dir))
    return len(planned)

