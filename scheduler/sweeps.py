"""The sweeps: plan the clocks of changed orders, then act on the stages that fell due; and
the retention sweep, which anonymises what reporters left on orders closed long enough ago
and prunes the tables that would only grow.

Each batch is one transaction that claims its orders (SKIP LOCKED on PostgreSQL), acts through
a `Work` so notices reach the outbox with their events, and commits; two schedulers on one
database therefore act exactly once. An order a sweep changed (escalated, closed) is planned
again by the next plan sweep, like any order a person changed.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Self

from domain.orders import Event
from handlers import agenda, agenda_notices, clocks, meeting_notices, meetings, privacy_rights
from handlers.clocks import SWEEPS, Stage
from handlers.deps import Deps
from handlers.work import Work
from scheduler.plan import HISTORY_KINDS, plan, read_history, split_due
from scheduler.settings import ClockSettings
from storage.clock import Clock
from storage.repositories.clocks import Clocked, Planned

log = logging.getLogger(__name__)
PLAN = "plan"
RETENTION = "retention"
LADDER = "ladder"      # 议题上移: agenda items unsettled at their level past their time
MEETINGS = "meetings"  # 联席会议: units with items waiting and no meeting scheduled get one
AGENDA = "agenda"      # 监督, 督办 and the end of 评议 on decided agenda items
MAX_BATCHES = 10_000   # a guard: a sweep that never runs dry is a bug, not a workload


@dataclass
class SweepReport:
    """What sweeps did: orders planned, stages acted on by clock:step, failures, batches."""

    planned: int = 0
    fired: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    batches: int = 0
    pruned: Counter[str] = field(default_factory=Counter)   # retention: rows deleted by table

    def __iadd__(self, other: SweepReport) -> Self:
        self.planned += other.planned
        self.pruned.update(other.pruned)
        self.fired.update(other.fired)
        self.failed += other.failed
        self.batches += other.batches
        return self

    @property
    def acted(self) -> int:
        return sum(self.fired.values())


@dataclass
class SweepWork(Work):
    """A sweep's transaction; `at` pins its time when the caller gives one."""

    at: datetime | None = field(default=None, kw_only=True)

    @property
    def now(self) -> datetime:
        return self.at or self.uow.clock.now()


class Sweeper:
    """Runs the sweeps over the database behind `deps`; tests call `sweep_all` directly."""

    def __init__(self, deps: Deps, settings: ClockSettings | None = None):
        self.deps = deps
        self.settings = settings or ClockSettings()

    @property
    def clock(self) -> Clock:
        return self.deps.uow().clock

    async def sweep_all(self, now: datetime | None = None) -> SweepReport:
        """Plan, act on every due stage, and plan what the actions changed."""
        report = SweepReport()
        for sweep in (PLAN, *SWEEPS, PLAN, LADDER, MEETINGS, AGENDA):
            report += await self.sweep(sweep, now)
        return report

    async def sweep(self, sweep: str, now: datetime | None = None) -> SweepReport:
        """One sweep, batch after batch, until nothing of it is left."""
        report = SweepReport()
        size = (self.settings.plan_batch if sweep in (PLAN, RETENTION, LADDER, MEETINGS, AGENDA)
                else self.settings.batch)
        for _ in range(MAX_BATCHES):
            batch = await self.sweep_once(sweep, now)
            report += batch
            if batch.planned + batch.acted + batch.failed < size:
                break
        if sweep == RETENTION:
            report.pruned = await self.prune(now or self.clock.now())
        return report

    async def prune(self, now: datetime) -> Counter[str]:
        """The tables that would only grow, kept for their rule's time (SECURITY.md,
        "Retention"): de-duplication keys and nonces, idle dialogs, parked updates."""
        settings, pruned = self.settings, Counter[str]()
        async with self.deps.uow() as uow:
            pruned["inbound"] = await uow.erasure.prune_inbound(now - settings.inbound_kept)
            pruned["dialog"] = await uow.erasure.prune_dialogs(now - settings.dialog_kept)
            pruned["dead_letter"] = await uow.erasure.prune_dead_letters(
                now - self.deps.limits.retention)
            pruned["opinion"] = await uow.opinions.forget_older_than(
                now - self.deps.limits.retention)
            await uow.commit()
        return +pruned

    async def sweep_once(self, sweep: str, now: datetime | None = None) -> SweepReport:
        """One batch of one sweep in one transaction: claim, act, commit."""
        if sweep == PLAN:
            return await self._plan_batch(now)
        if sweep == RETENTION:
            return await self._retention_batch(now)
        if sweep == LADDER:
            return await self._ladder_batch(now)
        if sweep == MEETINGS:
            return await self._meetings_batch(now)
        if sweep == AGENDA:
            return await self._agenda_batch(now)
        if sweep not in SWEEPS:
            raise ValueError(f"unknown sweep {sweep!r}: one of "
                             f"{(PLAN, *SWEEPS, RETENTION, LADDER, MEETINGS, AGENDA)}")
        return await self._fire_batch(sweep, now)

    async def _plan_batch(self, now: datetime | None) -> SweepReport:
        async with self.deps.uow() as uow:
            work = SweepWork(uow, self.deps, at=now)
            claimed = await uow.clocks.unplanned(self.settings.plan_batch)
            histories = await uow.clocks.histories([c.order.code for c in claimed], HISTORY_KINDS)
            planned = [self._planned(work, c, self._stages(work, c, histories[c.order.code]))
                       for c in claimed]
            await uow.clocks.plan(planned)
            await uow.commit()
        return SweepReport(planned=len(planned), batches=1)

    async def _retention_batch(self, now: datetime | None) -> SweepReport:
        """Orders closed longer than the retention window, anonymised in one claimed batch."""
        done = await privacy_rights.forget_closed_reports(
            self.deps.uow(), self.deps, now or self.clock.now(), self.settings.plan_batch)
        report = SweepReport(batches=1)
        if done:
            report.fired[f"{RETENTION}:anonymised"] = done
        return report

    async def _ladder_batch(self, now: datetime | None) -> SweepReport:
        """One claimed batch of agenda items past their time, each moved up one level; the
        leaders above and the participants are told in the same transaction."""
        async with self.deps.uow() as uow:
            work = SweepWork(uow, self.deps, at=now)
            moved = await agenda.sweep_ladder(uow, self.deps.router.tree, work.now,
                                              self.deps.agenda_rules,
                                              batch=self.settings.plan_batch)
            await agenda_notices.tell(work, moved)
            await work.flush()
            await uow.commit()
        report = SweepReport(batches=1)
        if moved:
            report.fired[f"{LADDER}:moved_up"] = len(moved)
        return report

    async def _meetings_batch(self, now: datetime | None) -> SweepReport:
        """One batch of units with items waiting and no meeting, each given its next one; the
        items' people and the unit's staff are told in the same transaction."""
        async with self.deps.uow() as uow:
            work = SweepWork(uow, self.deps, at=now)
            scheduled = await meetings.sweep_meetings(
                uow, self.deps.router.tree, work.now, agenda_rules=self.deps.agenda_rules,
                workday=self.deps.calendar.is_workday, batch=self.settings.plan_batch)
            await meeting_notices.tell(work, scheduled)
            written = await work.flush()
            await uow.commit()
        if written and self.deps.on_committed:
            self.deps.on_committed()
        report = SweepReport(batches=1)
        if scheduled:
            report.fired[f"{MEETINGS}:scheduled"] = len(scheduled)
        return report

    async def _agenda_batch(self, now: datetime | None) -> SweepReport:
        """One claimed batch of agenda items with a clock stage due: 监督 reminders, 督办,
        the end of 评议; whoever each concerns is told in the same transaction."""
        async with self.deps.uow() as uow:
            work = SweepWork(uow, self.deps, at=now)
            fired = await agenda.sweep_clocks(uow, work.now, self.deps.agenda_rules,
                                              batch=self.settings.plan_batch)
            await agenda_notices.tell(work, fired)
            written = await work.flush()
            await uow.commit()
        if written and self.deps.on_committed:
            self.deps.on_committed()
        report = SweepReport(batches=1)
        report.fired.update(f"{AGENDA}:{event.kind}" for event in fired)
        return report

    def _stages(self, work: Work, claimed: Clocked, events: list[Event]) -> list[Stage]:
        deps, order = self.deps, claimed.order
        return plan(order, read_history(events), deps.calendar, deps.policy, self.settings,
                    can_escalate=clocks.unit_above(work, order) is not None)

    def _planned(self, work: Work, claimed: Clocked, stages: list[Stage]) -> Planned:
        first, rest = split_due(stages, work.now)
        stages = [first, *rest] if first else rest
        head = stages[0] if stages else None
        return Planned(claimed.order.code, claimed.version, [s.to_json() for s in stages],
                       head.at if head else None, head.sweep if head else None)

    async def _fire_batch(self, sweep: str, now: datetime | None) -> SweepReport:
        # Savepoints cost two round trips an order: try the batch without, and only when an
        # order fails run it again with each order in its own savepoint.
        try:
            return await self._fire_claimed(sweep, now, isolate=False)
        except _Failed:
            return await self._fire_claimed(sweep, now, isolate=True)

    async def _fire_claimed(self, sweep: str, now: datetime | None,
                            isolate: bool) -> SweepReport:
        report = SweepReport(batches=1)
        async with self.deps.uow() as uow:
            work = SweepWork(uow, self.deps, at=now)
            planned: list[Planned] = []
            changed: list[str] = []
            for claimed in await uow.clocks.due(sweep, work.now, self.settings.batch):
                stage, rest = split_due([Stage.from_json(s) for s in claimed.plan], work.now)
                if stage is not None:
                    replan = await (self._isolated(work, claimed, stage, report) if isolate
                                    else self._fire(work, claimed, stage, report))
                    if replan:
                        changed.append(claimed.order.code)
                        continue
                    if replan is None:   # failed: try this stage again later
                        rest.insert(0, Stage(work.now + self.settings.retry_after, stage.clock,
                                             stage.step, stage.due))
                planned.append(self._planned(work, claimed, rest))
            await uow.clocks.plan(planned)
            await uow.clocks.replan(changed)
            written = await work.flush()
            await uow.commit()
        if written and self.deps.on_committed:
            self.deps.on_committed()
        return report

    async def _fire(self, work: Work, claimed: Clocked, stage: Stage,
                    report: SweepReport) -> bool:
        try:
            replan = await clocks.fire(work, claimed.order, stage)
        except Exception as failure:
            raise _Failed() from failure
        report.fired[f"{stage.clock}:{stage.step}"] += 1
        return replan

    async def _isolated(self, work: Work, claimed: Clocked, stage: Stage,
                        report: SweepReport) -> bool | None:
        """Act on one stage in a savepoint; True: plan again; None: it failed, alone."""
        owed = len(work.owed)
        savepoint = await work.uow.session.begin_nested()
        try:
            replan = await clocks.fire(work, claimed.order, stage)
            await savepoint.commit()
        except Exception:   # one broken order must not stop everyone's clocks
            log.exception("clock %s of order %s failed", stage.key, claimed.order.code)
            await savepoint.rollback()
            del work.owed[owed:]
            report.failed += 1
            return None
        report.fired[f"{stage.clock}:{stage.step}"] += 1
        return replan


class _Failed(Exception):
    """An order's stage failed in a batch run without savepoints."""
