"""Why the domain says no: a refusal carries a catalogue key and its parameters, never prose.

The sentences live in the handlers' catalogue (`handlers/texts.py`, one constant per key), so
the domain stays free of any language and an English catalogue needs no change here.
"""
from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    """The domain's refusals; each value is the name of a sentence in the catalogue."""

    ILLEGAL_STATE = "ILLEGAL_STATE"          # {state}: the order's state does not allow it
    NOT_YOUR_ORDER = "NOT_ALLOWED"           # the order is someone else's to act on
    REASON_REQUIRED = "REASON_REQUIRED"      # 退单, 延期, 办结, 不予受理 need a reason
    ACTION_REFUSED = "ACTION_REFUSED"        # a call the dialogs never make (a wrong rating path)
    MERGE_INTO_ITSELF = "MERGE_INTO_ITSELF"  # {code}
    MERGE_TARGET = "MERGE_TARGET_REFUSED"    # {code}: outside the actor's subtree, or another kind
    MERGE_PRIVATE = "MERGE_PRIVATE_REFUSED"  # a private category is never merged, nor merged into
    INVITE_UNKNOWN = "INVITE_UNKNOWN"
    INVITE_USED = "INVITE_USED"
    INVITE_EXPIRED = "INVITE_EXPIRED"
    # 议事 (domain/agenda.py, domain/ladder.py)
    AGENDA_ILLEGAL_STATE = "AGENDA_ILLEGAL_STATE"      # {state}: the item's state does not allow it
    AGENDA_OWN_ITEM = "AGENDA_OWN_ITEM"                # a proposer supports others' items only
    AGENDA_SUPPORTED_TWICE = "AGENDA_SUPPORTED_TWICE"
    AGENDA_RATED_TWICE = "AGENDA_RATED_TWICE"
    AGENDA_BELOW_THRESHOLD = "AGENDA_BELOW_THRESHOLD"  # too few supports and no leader's reason
    AGENDA_DECISION_INCOMPLETE = "AGENDA_DECISION_INCOMPLETE"  # 定人定责定时限
    AGENDA_NOT_OWNER = "AGENDA_NOT_OWNER"              # {code}
    AGENDA_PROGRESS_RANGE = "AGENDA_PROGRESS_RANGE"    # 0–100 %, never backwards
    AGENDA_NO_SUCH_TASK = "AGENDA_NO_SUCH_TASK"
    AGENDA_NO_ORDERS = "AGENDA_NO_ORDERS"              # lifted from orders, but none named
    AGENDA_AT_THE_TOP = "AGENDA_AT_THE_TOP"            # no level above to move up to
    # 联席会议 (domain/meetings.py)
    MEETING_ILLEGAL_STATE = "MEETING_ILLEGAL_STATE"    # {state}: the meeting's state does not allow it
    MEETING_NO_MEETINGS_HERE = "MEETING_NO_MEETINGS_HERE"  # a micro-grid meets at its grid
    MEETING_IN_THE_PAST = "MEETING_IN_THE_PAST"
    MEETING_ATTENDED_TWICE = "MEETING_ATTENDED_TWICE"
    MEETING_NO_MINUTES = "MEETING_NO_MINUTES"          # minutes need words; closing needs minutes
    MEETING_NOT_ON_AGENDA = "MEETING_NOT_ON_AGENDA"    # {code}
    MEETING_ALREADY_TAKEN = "MEETING_ALREADY_TAKEN"    # {code}: decided once, at one meeting


class DomainError(Exception):
    """A rule said no. `key` names the catalogue's sentence, `params` fill it in.

    The handlers render it for a person; `str()` of it is for logs and developers only.
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key, self.params = str(key), params
        super().__init__(self.key + (f" {params}" if params else ""))
