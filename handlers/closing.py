"""评单, in the domain's words: the reporter's rating closes the order, or sends it back to be
handled again (twice unsatisfied, one level up); unrated, the order closes when time runs out.
"""
from __future__ import annotations

from domain import orders
from domain.access import Act
from domain.deadlines import due_for
from domain.orders import Satisfaction
from domain.refusals import DomainError
from handlers.access import may
from handlers.handling import Outcome, escalation, load, record
from handlers.work import Work


async def rate(work: Work, person_id: int, code: str, solved: bool,
               satisfaction: Satisfaction, reason: str = "",
               escalation_reason: str = "{reason}") -> Outcome:
    """Satisfied closes; unsatisfied reopens once with a new deadline; twice escalates. The
    escalation records the door's words, `escalation_reason`, `{reason}` in them filled with
    the reporter's."""
    order = await load(work, code)
    if not await may(work, person_id, order, Act.RATE):
        raise DomainError("NO_SUCH_ORDER")     # someone else's order: as if it did not exist
    if satisfaction.is_satisfied:
        return await record(work, order, orders.rate(order, person_id, solved, satisfaction,
                                                     work.now))
    due = due_for(work.deps.policy, work.deps.calendar, order.urgency, work.now)
    reopened = orders.reopen(order, person_id, solved, satisfaction, reason, due.resolve_by,
                             work.now)
    if not orders.must_escalate_after_reopen(order):
        return await record(work, order, reopened)
    return await record(work, order, reopened,
                        await escalation(work, order, None, escalation_reason.format(
                            reason=reopened.reason or reason)))


async def close_unrated(work: Work, code: str) -> Outcome:
    """The rating window ran out: closed without a rating."""
    order = await load(work, code)
    return await record(work, order, orders.close_unrated(order, work.now))
