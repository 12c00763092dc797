"""/start: privacy notice and consent, role, home grid; staff bind by invite code or deep link."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from domain import invites
from domain.grids import GridTree, Level
from domain.people import STAFF_POSTS
from domain.refusals import DomainError, Refusal
from handlers import actions, menus, moments, texts
from handlers.actions import YesNo
from handlers.dialog import Turn, choices
from handlers.messages import Choice
from handlers.privacy_rights import privacy_notice, withdraw_consent
from handlers.routes import Router
from handlers.stored import stored_id
from storage.records import Membership, Person

RESIDENT, RIDER, STAFF = "resident", "rider", "staff"
SKIP_HOME = "skip"
router = Router()


@router.command("start")
async def start(turn: Turn) -> None:
    argument = turn.inbound.text.strip()
    if argument.lower().startswith("inv_"):
        await redeem_invite(turn, argument)
        return
    turn.dialog.reset()
    if turn.person is not None and turn.person.consent_at is not None:
        await show_menu(turn)
        return
    turn.dialog.go("consent")
    turn.say(privacy_notice(turn.deps), choices((texts.CONSENT_YES, actions.Consent(YesNo.YES)),
                                                (texts.CONSENT_NO, actions.Consent(YesNo.NO))))


@router.button(actions.Consent)
async def consent(turn: Turn, action: actions.Consent) -> None:
    if action.answer is not YesNo.YES:
        if turn.person is not None and turn.person.consent_at is not None:
            await withdraw_consent(turn)   # an old 不同意: saying "nothing is kept" would lie
            return
        turn.dialog.reset()
        turn.say(texts.CONSENT_DECLINED)
        return
    if turn.dialog.step != "consent":
        # Consent counts only as the answer to the notice, never as a stray or forged press.
        await start(turn)
        return
    await record_consent(turn)
    turn.dialog.go("role")
    turn.say(texts.ASK_ROLE, choices((texts.ROLE_RESIDENT, actions.Role(RESIDENT)),
                                     (texts.ROLE_RIDER, actions.Role(RIDER))))


def consenting(turn: Turn) -> Person:
    """The person behind this account, who agreed to the notice; a refusal otherwise."""
    if turn.person is None or turn.person.consent_at is None:
        raise DomainError("NEED_CONSENT")
    return turn.person


async def record_consent(turn: Turn, kind: str | None = None) -> Person:
    """Agreed (to the notice, or to a staff invite): the person is created now (minimal data)."""
    if turn.person is None:
        sender = turn.inbound.sender
        # Staff are named by the roster; a chat name is all there is until it is imported.
        unnamed = texts.STAFF_UNNAMED if kind == STAFF else texts.ROLE_RESIDENT
        person = await turn.uow.people.upsert(Person(
            name=sender.display_name or unnamed, consent_at=turn.now, kind=kind))
        await turn.uow.people.link(stored_id(person), sender.channel, sender.external_id)
        turn.person = person
    elif turn.person.consent_at is None:
        # A copy: the turn's person as loaded stays as it was should this turn roll back.
        turn.person = await turn.uow.people.upsert(replace(turn.person, consent_at=turn.now))
    return turn.person


@router.button(actions.Role)
async def choose_role(turn: Turn, action: actions.Role) -> None:
    if not moments.at_step(turn, "role"):
        raise moments.step_ended("role")
    person = replace(consenting(turn), kind=RIDER if action.kind == RIDER else RESIDENT)
    turn.person = await turn.uow.people.upsert(person)
    if person.kind == RIDER:
        turn.dialog.go("platform")
        turn.say(texts.ASK_PLATFORM, choices(*((p, actions.Platform(p)) for p in texts.PLATFORMS)))
    else:
        turn.dialog.go("home")
        turn.say(texts.ASK_HOME.format(example=example_place(turn)),
                 choices((texts.SKIP, actions.Home(SKIP_HOME))))


@router.button(actions.Platform)
async def choose_platform(turn: Turn, action: actions.Platform) -> None:
    if not moments.at_step(turn, "platform"):
        raise moments.step_ended("platform")
    person = replace(consenting(turn), rides_for=action.platform[:20])
    turn.person = await turn.uow.people.upsert(person)
    turn.dialog.reset()
    turn.say(texts.ONBOARDED_RIDER, menu=menus.RIDER)
    await show_menu(turn)


@router.step("home")
async def home_address(turn: Turn) -> None:
    if not turn.inbound.text:
        turn.say(texts.ASK_HOME.format(example=example_place(turn)),
                 choices((texts.SKIP, actions.Home(SKIP_HOME))))
        return
    candidates = turn.deps.router.matcher.match(turn.inbound.text)[:4]
    if not candidates:
        turn.say(texts.HOME_NO_MATCH,
                 choices((texts.SKIP, actions.Home(SKIP_HOME))))
        return
    turn.say(texts.PICK_ADDRESS, choices(*((c.name, actions.Home(c.code)) for c in candidates),
                                         (texts.SKIP, actions.Home(SKIP_HOME))))


@router.button(actions.Home)
async def choose_home(turn: Turn, action: actions.Home) -> None:
    if not moments.at_step(turn, "home"):
        raise moments.step_ended("home")
    person = consenting(turn)
    tree = turn.deps.router.tree
    if action.grid in tree:
        turn.person = await turn.uow.people.upsert(replace(person, home_grid=action.grid))
        turn.say(texts.HOME_SET.format(grid=tree.get(action.grid).name))
    turn.dialog.reset()
    turn.say(texts.ONBOARDED_RESIDENT)
    await show_menu(turn)


def example_place(turn: Turn) -> str:
    """A place name to show as an example: the person's own building, else one of the district's."""
    tree: GridTree = turn.deps.router.tree
    home = turn.person.home_grid if turn.person is not None else None
    if home is not None and home in tree:
        inside = [g for g in tree.children(home) if g.level is Level.MICRO_GRID]
        return (inside[0] if inside else tree.get(home)).name
    return _first_building(tree)


@lru_cache(maxsize=2)
def _first_building(tree: GridTree) -> str:
    """The district's first micro-grid (else its first grid of any level), once per tree."""
    first = min(tree, key=lambda g: (-g.level.rank, g.code), default=None)
    return first.name if first else texts.EXAMPLE_PLACE


def menu_choices() -> list[Choice]:
    """What a resident may do next: the menu, offered after every final message."""
    return choices((texts.MENU_REPORT, actions.Menu("report")), (texts.MENU_MY, actions.Menu("my")),
                   (texts.MENU_GRID, actions.Menu("grid")),
                   (texts.MENU_AGENDA, actions.Menu("agenda")))


async def show_menu(turn: Turn) -> None:
    turn.say(texts.MENU, menu_choices())


async def redeem_invite(turn: Turn, argument: str) -> None:
    """A wrong, used or expired code changes nothing and says why.

    When the grid already has staff in that role from the people file who have no chat account
    yet, the account binds to that person: the invite is how an imported leader gets online.
    """
    invite = await turn.uow.invites.by_hash(invites.hash_code(argument, turn.deps.invite_key))
    invite = invites.redeem(invite, 0, turn.now)           # raises InviteRefused with the reason
    person = await _unbound_staff(turn, invite.grid_code, invite.role)
    if person is not None:
        person = await turn.uow.people.upsert(
            replace(person, consent_at=person.consent_at or turn.now))
        sender = turn.inbound.sender
        await turn.uow.people.link(stored_id(person), sender.channel, sender.external_id)
        turn.person = person
    else:
        person = await record_consent(turn, kind=STAFF)
        await turn.uow.memberships.add(stored_id(person), invite.grid_code, invite.role)
    invite.used_by = person.id
    if not await turn.uow.invites.mark_used(invite):
        raise invites.InviteRefused(Refusal.INVITE_USED)
    grid = turn.deps.router.tree.get(invite.grid_code)
    turn.dialog.reset()
    turn.say(texts.INVITE_OK.format(grid=grid.name,
                                    role=texts.ROLE_LABELS.get(invite.role, invite.role)),
             menu=menus.STAFF)


async def _unbound_staff(turn: Turn, grid_code: str, role: str) -> Person | None:
    for membership in await turn.uow.memberships.of_grid(grid_code, role):
        if not await turn.uow.people.accounts(membership.person_id):
            return await turn.uow.people.get(membership.person_id)
    return None


@router.command("cancel")
async def cancel(turn: Turn) -> None:
    if turn.dialog.step is None:
        turn.say(texts.NOTHING_TO_CANCEL)
        return
    turn.dialog.reset()
    turn.say(texts.CANCELLED, await next_steps(turn))


@router.button(actions.Cancel)
async def cancel_button(turn: Turn, action: actions.Cancel) -> None:
    await cancel(turn)


async def next_steps(turn: Turn) -> list[Choice]:
    """The menu for a resident or rider after a final message; staff have their own buttons."""
    person = turn.person
    if person is None or person.consent_at is None or person.id is None:
        return []
    posted = turn.holds_post if turn.holds_post is not None else \
        is_staff(await turn.uow.memberships.of_person(person.id))
    if person.kind == STAFF or posted:
        return []
    return menu_choices()


@router.command("help")
async def help_(turn: Turn) -> None:
    turn.say(texts.NOT_UNDERSTOOD)


def is_staff(roles: Iterable[Membership]) -> bool:
    return any(m.role in STAFF_POSTS for m in roles)
