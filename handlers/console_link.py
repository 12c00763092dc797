"""/console: a staff member's one-time link to the staff console, sent in the chat they use.

The link carries 256 random bits; only their digest is stored, it works once and for
`Deps.console_link_ttl`. Anyone without a post in the grid tree (a resident, a rider) is told
the console is for staff, and no link is made.
"""
from __future__ import annotations

import secrets

from handlers import texts
from handlers.dialog import Turn
from handlers.routes import Router
from handlers.work import Work

LOGIN_PATH = "/console/login"
router = Router()


async def issue_link(work: Work, person_id: int) -> str:
    """A new one-time sign-in link for `person_id` (staff: the caller checked)."""
    token = secrets.token_urlsafe(32)
    await work.uow.console_links.issue(token, person_id, work.deps.console_link_ttl)
    base = str(work.deps.public_base_url).rstrip("/")
    return f"{base}{LOGIN_PATH}?t={token}"


async def is_staff(work: Work, person_id: int | None) -> bool:
    """A post on some grid: leader, member, dispatcher or department."""
    return person_id is not None and bool(await work.uow.memberships.of_person(person_id))


@router.command("console")
async def console(turn: Turn) -> None:
    person_id = turn.person.id if turn.person else None
    if person_id is None or not await is_staff(turn, person_id):
        turn.say(texts.CONSOLE_STAFF_ONLY)
        return
    url = await issue_link(turn, person_id)
    minutes = int(turn.deps.console_link_ttl.total_seconds() // 60)
    turn.say(texts.CONSOLE_LINK.format(minutes=minutes, url=url))
