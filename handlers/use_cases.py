"""The 四单 process in the domain's words, for every door: chat, the scheduler, the web forms
(Open311), the staff console.

Each use case loads the order, checks the act once (its rule in domain/access.py), calls the
domain, records, and returns an `Outcome`: the order and the events it recorded. What people
are told follows from those events, on the same call path (`Work.happened` →
handlers/notices.py), so every door tells the same people the same things. No use case holds a
sentence or a button (an import contract in pyproject.toml keeps the catalogue out).

    done = await use_cases.sign_for(work, person_id, code)     # done.events: what happened

The stages live in their own modules: 提单 and 派单 in handlers/filing.py, 办单 in
handlers/handling.py, the dispatcher's and approver's acts in handlers/dispatching.py, 评单 in
handlers/closing.py.
"""
from __future__ import annotations

from domain.access import Act, NotAllowed
from domain.orders import State
from handlers.closing import close_unrated, rate
from handlers.dispatching import (
    assign,
    assign_person,
    decide_extension,
    mark_invalid,
    merge,
    request_extension,
)
from handlers.filing import (
    Draft,
    file_order,
    follow,
    handling_unit,
    me_too,
    nearby_duplicate,
    orders_per_hour,
)
from handlers.handling import (
    Outcome,
    dispatch_to,
    escalate,
    load,
    load_checked,
    record,
    report_progress,
    resolve,
    return_order,
    sign_for,
)
from handlers.messages import work_time

__all__ = [
    "OPEN", "Act", "Draft", "NotAllowed", "Outcome", "assign", "assign_person", "close_unrated",
    "decide_extension", "dispatch_to", "escalate", "file_order", "follow", "handling_unit",
    "load", "load_checked", "mark_invalid", "me_too", "merge", "nearby_duplicate",
    "orders_per_hour", "rate", "record", "report_progress", "request_extension", "resolve",
    "return_order", "sign_for", "work_time",
]

OPEN = (State.SUBMITTED, State.DISPATCHED, State.ACCEPTED)
