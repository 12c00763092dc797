"""The scheduler's clocks as use cases: reminders, 督办 and the red list, rating reminders.

A sweep hands an order's due `Stage` to `fire` inside its `Work`, so the event and the notices
land in one transaction. `fire` answers whether the order's clocks must be planned again
(it was escalated, closed or newly supervised). Who hears of each event is
handlers/notices.py's, as for every other door.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain import orders
from domain.grids import Grid, Unit, is_queue
from domain.orders import Event, State, WorkOrder
from handlers import texts, use_cases
from handlers.holders import find_holder, holding_unit
from handlers.names import work_time
from handlers.work import Work

SIGN, RESOLVE, OVERDUE, RATING = "sign", "resolve", "overdue", "rating"
LATE, ESCALATE, SUPERVISE, RED_LIST, REMIND, CLOSE = (
    "late", "escalate", "supervise", "red_list", "remind", "close")
# The sweeps, each an interval job of its own; a stage belongs to exactly one.
SWEEPS = ("remind", "unsigned", "overdue", "rating")
_STEP_ORDER = {step: i for i, step in enumerate((LATE, ESCALATE, SUPERVISE, RED_LIST, REMIND,
                                                 CLOSE))}


@dataclass(frozen=True)
class Stage:
    """One moment on an order's clock: `step` of `clock`, for the limit that ends at `due`.

    Steps are a reminder threshold ("0.5", "0.8"), or late / escalate (sign), supervise /
    red_list (overdue), remind / close (rating). `key` names it in the events it leaves.
    """

    at: datetime
    clock: str
    step: str
    due: datetime

    @property
    def threshold(self) -> float | None:
        try:
            return float(self.step)
        except ValueError:
            return None

    @property
    def key(self) -> str:
        return f"{self.clock}:{self.step}@{self.due.astimezone(UTC).isoformat()}"

    @property
    def limit(self) -> tuple[str, datetime]:
        """The limit this stage counts down: reminders and 督办 of one deadline go together."""
        return (RESOLVE if self.clock == OVERDUE and self.step == SUPERVISE else self.clock,
                self.due)

    @property
    def sweep(self) -> str:
        if self.clock == SIGN:
            return "remind" if self.threshold is not None else "unsigned"
        return {RESOLVE: "remind", OVERDUE: "overdue", RATING: "rating"}[self.clock]

    @property
    def sort_key(self) -> tuple[datetime, int, float]:
        return self.at, _STEP_ORDER.get(self.step, -1), self.threshold or 0.0

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "clock": self.clock, "step": self.step,
                "due": self.due.isoformat()}

    @classmethod
    def read(cls, key: str) -> Stage:
        """The stage a `key` names (its `at` taken as its `due`): what an event says fired."""
        clock, _, rest = key.partition(":")
        step, _, due = rest.partition("@")
        when = datetime.fromisoformat(due)
        return cls(when, clock, step, when)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Stage:
        return cls(datetime.fromisoformat(raw["at"]), raw["clock"], raw["step"],
                   datetime.fromisoformat(raw["due"]))


def queued(order: WorkOrder) -> bool:
    """It waits in a dispatcher's queue: its holder must 派单 rather than 签收."""
    return is_queue(order.unit_code)


def unit_above(work: Work, order: WorkOrder) -> Grid | None:
    """The grid one level above the unit holding the order: where escalation would go."""
    tree = work.deps.router.tree
    unit = Unit.parse(order.unit_code or order.grid_code).code
    return tree.parent_of(unit) if unit in tree else None


async def fire(work: Work, order: WorkOrder, stage: Stage) -> bool:
    """Act on a due stage; True when the order's clocks must be planned again."""
    if stage.clock == SIGN and stage.step == ESCALATE:
        if queued(order) and order.state is State.SUBMITTED:
            return await _escalate_queued(work, order, stage)
        await use_cases.escalate(work, None, order.code, texts.CLOCK_UNASSIGNED_ESCALATED
                                 if queued(order) else texts.CLOCK_UNSIGNED_ESCALATED)
        return True
    if stage.clock in (SIGN, RESOLVE):
        await _remind_handler(work, order, stage)
        return False
    if stage.step == SUPERVISE:
        await _supervise(work, order, stage)
        return True
    if stage.step == RED_LIST:
        await _red_list(work, order, stage)
        return False
    if stage.step == REMIND:
        await _remind_to_rate(work, order, stage)
        return False
    if stage.step == CLOSE:
        await use_cases.close_unrated(work, order.code)
        return True
    raise ValueError(f"unknown clock stage {stage.key}")


def _mark(stage: Stage, **data: Any) -> dict[str, Any]:
    return {"clock": stage.key, **data}


async def _remark(work: Work, order: WorkOrder, kind: str, reason: str | None = None,
                  **data: Any) -> Event:
    event = orders.remark(order, kind, work.now, reason=reason, data=data)
    await work.uow.events.add(event)
    return event


async def _remind_handler(work: Work, order: WorkOrder, stage: Stage) -> None:
    """50 % and 80 % of a limit, and a missed sign limit: the handler hears it once."""
    event = await _remark(work, order, "reminded", **_mark(stage, to=order.assignee_id))
    await work.happened(order, (event,))


async def _escalate_queued(work: Work, order: WorkOrder, stage: Stage) -> bool:
    """A new order left in a queue twice its limit: dispatched to whoever holds the unit above.

    With no one above and no operator, the order stays where it is and the miss is recorded.
    """
    above = unit_above(work, order)
    held = await find_holder(work, above.code) if above else None
    if above is None or held is None or held.person_id == order.assignee_id:
        event = await _remark(work, order, "reminded", **_mark(stage, to=order.assignee_id))
        await work.happened(order, (event,))
        return False
    order = await use_cases.load(work, order.code)   # saved through this unit of work
    await use_cases.dispatch_to(work, order, holding_unit(work, held, above.code), held.person_id,
                                actor_id=None, reason=texts.CLOCK_UNASSIGNED_ESCALATED)
    return True


async def _supervise(work: Work, order: WorkOrder, stage: Stage) -> None:
    """督办: the handler and the unit above hear it; the order climbs one level if it can."""
    above = unit_above(work, order)
    reason = texts.CLOCK_OVERDUE_ESCALATED.format(due=work_time(stage.due))
    event = await _remark(work, order, "supervised", reason, **_mark(
        stage, due=stage.due.isoformat(), handler=order.assignee_id, unit=order.unit_code,
        above=above.code if above else None))
    if above is not None:
        order = (await use_cases.escalate(work, None, order.code, reason)).order
    await work.happened(order, (event,))


async def _red_list(work: Work, order: WorkOrder, stage: Stage) -> None:
    """Still open days after the missed deadline: on the red list the weekly digest reads."""
    calendar = work.deps.calendar
    days = round(calendar.working_hours_between(stage.due, stage.at) / calendar.hours_per_day)
    event = await _remark(work, order, "red_listed", texts.RED_LISTED_REASON.format(days=days),
                          **_mark(stage, overdue_since=stage.due.isoformat(),
                                  unit=order.unit_code, handler=order.assignee_id, days=days))
    await work.happened(order, (event,))


async def _remind_to_rate(work: Work, order: WorkOrder, stage: Stage) -> None:
    """A day after 办结 without a rating: the reporter is asked once more."""
    if order.state is not State.RESOLVED:
        raise orders.IllegalAction(order.state, "remind to rate")
    event = await _remark(work, order, "reminded", **_mark(stage, to=order.reporter_id))
    await work.happened(order, (event,))
