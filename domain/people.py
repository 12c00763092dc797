"""People and their parts on the grid: what a person is to the bot, and the posts they fill.

Storage maps its rows to these (storage/records.py re-exports them for its own code); the
rules about who may do what read them (domain/access.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """A person's post on a grid."""

    LEADER = "leader"            # 网格长
    MEMBER = "member"            # 网格员
    DISPATCHER = "dispatcher"    # 社区 / 街道 dispatcher
    DEPARTMENT = "department"    # 职能部门 handler


class PersonKind(StrEnum):
    """What a person told the bot they are (or the roster says they are)."""

    RESIDENT = "resident"
    RIDER = "rider"              # 流动网格员: a courier or driver who reports on the way
    STAFF = "staff"


# Posts that see every order of their grid and of the grids below it (departments see only
# what was whistled to them).
CHAIN_ROLES = frozenset({Role.LEADER, Role.MEMBER, Role.DISPATCHER})
# Of those, the posts that act on the orders of their grid and below (members only see them).
CHARGE_ROLES = frozenset({Role.LEADER, Role.DISPATCHER})
# The posts that make a person staff in chat (their own menu, not a resident's next steps).
STAFF_POSTS = frozenset({Role.LEADER, Role.DISPATCHER, Role.DEPARTMENT})


@dataclass
class Person:
    """A person; contact data is private, duty is public, nickname is opt-in."""

    name: str
    id: int | None = None
    staff_code: str | None = None
    phone: str | None = None
    duty: str | None = None
    nickname: str | None = None
    kind: str | None = None          # a PersonKind's value
    home_grid: str | None = None
    rides_for: str | None = None     # a rider's platform
    created_at: datetime | None = None
    consent_at: datetime | None = None
    subscribed: bool = False          # the weekly digest (/subscribe)
    party_member: bool = False        # 党员, as the roster marks it
    party_group: str | None = None    # the grid whose 网格党小组 they sit in
