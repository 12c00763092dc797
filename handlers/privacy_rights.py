"""The privacy notice's promises kept: /mydata (PIPL art. 45), /delete (art. 47), retention.

/delete removes what identifies a person and keeps their orders, anonymised, for the
statistics: the person's row stays as an empty stand-in (an id, "已注销用户", kind "erased"), so
orders still point at someone and every figure still counts them, but nothing leads back to a
human. Their chat accounts go, so the same account is a stranger afterwards: /start asks for
consent again. Staff are refused: their name and duty are the public 网格长公示, kept in the
roster that `gridbot import-people` manages, so the 社区 administrator removes them there.

Both erase beyond the person's rows (handlers/erasure.py): the words they wrote on orders'
events, the messages quoting them, their photos and voice notes; the events' facts stay.
An old 不同意 pressed after agreeing is a withdrawal: it asks as /delete does, then erases or
says that consent stands.

Retention: once an order has been closed for `Limits.retention`, the link to its reporter and
its followers is cut and its text, address, point and media erased the same way.
"""
from __future__ import annotations

from datetime import datetime

from domain.calendar import SHANGHAI
from domain.opinions import opinion_code
from domain.points import PointsRules
from domain.privacy import anonymised_report
from handlers import actions, catalogue, texts
from handlers.actions import YesNo
from handlers.deps import Deps
from handlers.dialog import Turn, choices
from handlers.erasure import forget_traces
from handlers.pioneer import month_of
from handlers.routes import Router
from handlers.stored import stored_id
from storage.records import Person
from storage.repositories.people import Report
from storage.uow import UnitOfWork

ERASED = "erased"          # Person.kind of a stand-in left by /delete
CONFIRM_STEP = "delete"
WITHDRAWING = "withdrawing"   # the question asked was an old 不同意's: a no keeps consent
SHOWN_ORDERS = 20          # /mydata lists this many codes, then counts the rest
router = Router()


def privacy_notice(deps: Deps) -> str:
    """The notice shown at /start, with the retention window from the settings."""
    return "\n".join((texts.PRIVACY_NOTICE,
                      texts.PRIVACY_RETENTION.format(days=deps.limits.retention.days),
                      texts.PRIVACY_AGREE))


# --- /mydata -----------------------------------------------------------------------------------

@router.command("mydata")
async def my_data(turn: Turn) -> None:
    """Everything gridbot holds about the person who asks, as one message."""
    person = turn.person
    if person is None:
        turn.say(texts.MYDATA_NOTHING)
        return
    uow, tree, me = turn.uow, turn.deps.router.tree, stored_id(person)
    lines = [texts.MYDATA_HEADER, texts.MYDATA_NAME.format(name=person.name),
             texts.MYDATA_ROLE.format(role=await _role(turn, person))]
    lines.append(texts.MYDATA_CONSENT.format(at=_local(person.consent_at)) if person.consent_at
                 else texts.MYDATA_NO_CONSENT)
    channels = sorted({texts.CHANNEL_LABELS.get(a.channel, a.channel)
                       for a in await uow.people.accounts(me)})
    lines.append(texts.MYDATA_CHANNELS.format(channels=texts.LIST_SEPARATOR.join(channels) or texts.MYDATA_NONE))
    if person.phone:
        lines.append(texts.MYDATA_PHONE.format(phone=person.phone))
    if person.home_grid:
        home = tree.get(person.home_grid).name if person.home_grid in tree else person.home_grid
        lines.append(texts.MYDATA_HOME.format(grid=home))
    if person.nickname:
        lines.append(texts.MYDATA_NICKNAME.format(nickname=person.nickname))
    if person.rides_for:
        lines.append(texts.MYDATA_PLATFORM.format(platform=person.rides_for))
    if person.party_member:      # political affiliation: sensitive, and shown to its owner
        group = person.party_group
        lines.append(texts.MYDATA_PARTY_GROUP.format(
            grid=tree.get(group).name if group in tree else group) if group
            else texts.MYDATA_PARTY)
    total = await uow.people.count_reported(me)
    mine = await uow.orders.reported_by(me, limit=SHOWN_ORDERS)
    lines.append(texts.MYDATA_ORDERS.format(n=total))
    lines += [texts.MYDATA_ORDER_LINE.format(code=o.code, state=catalogue.label(o.state)) for o in mine]
    if total > len(mine):
        lines.append(texts.MYDATA_MORE.format(n=total - len(mine)))
    followed = await uow.people.followed(me)
    if person.kind == "rider":
        lines.append(texts.MYDATA_POINTS.format(points=await _points_this_month(turn, person)))
    lines.append(texts.MYDATA_DIGEST.format(
        state=texts.MYDATA_SUBSCRIBED if person.subscribed else texts.MYDATA_NOT_SUBSCRIBED))
    lines.append(texts.MYDATA_FOLLOWING.format(codes=texts.LIST_SEPARATOR.join(followed) or texts.MYDATA_NONE))
    lines.append(texts.MYDATA_FOOTER.format(days=turn.deps.limits.retention.days))
    turn.say("\n".join(lines))


async def _role(turn: Turn, person: Person) -> str:
    tree = turn.deps.router.tree
    roles = [texts.MYDATA_STAFF_ROLE.format(
        grid=tree.get(m.grid_code).name if m.grid_code in tree else m.grid_code,
        role=texts.ROLE_LABELS.get(m.role.value, m.role.value))
        for m in await turn.uow.memberships.of_person(stored_id(person))]
    return texts.LIST_SEPARATOR.join(roles) or texts.KIND_LABELS.get(person.kind or "", texts.MYDATA_NONE)


async def _points_this_month(turn: Turn, person: Person) -> int:
    """先锋指数 credited this month, as /points counts it."""
    assert person.id is not None
    start, end = month_of(turn.now)
    return await turn.uow.publishing.own_points(person.id, start, end, turn.now, PointsRules())


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


# --- /delete -----------------------------------------------------------------------------------

@router.command("delete")
async def delete(turn: Turn) -> None:
    """Ask first: nothing is removed without a yes to this very question."""
    person = turn.person
    if person is None:
        turn.say(texts.DELETE_NOTHING)
        return
    await _ask_to_erase(turn, person, texts.DELETE_CONFIRM,
                        (texts.DELETE_YES, actions.Delete(YesNo.YES)),
                        (texts.DELETE_NO, actions.Delete(YesNo.NO)))


async def _ask_to_erase(turn: Turn, person: Person, question: str,
                        *answers: tuple[str, actions.Action], withdrawing: bool = False) -> None:
    """The one question whose yes erases (staff are refused: the roster is public)."""
    if await _is_staff(turn, person):
        turn.say(texts.DELETE_STAFF_REFUSED)
        return
    turn.dialog.reset()
    turn.dialog.go(CONFIRM_STEP, **({WITHDRAWING: True} if withdrawing else {}))
    turn.say(question.format(n=await turn.uow.people.count_reported(stored_id(person))),
             choices(*answers))


@router.button(actions.Delete)
async def confirm_delete(turn: Turn, action: actions.Delete) -> None:
    """Only a yes to the question just asked erases; any other press changes nothing."""
    asked = turn.dialog.step == CONFIRM_STEP
    withdrawing = asked and bool(turn.dialog.data.get(WITHDRAWING))
    turn.dialog.reset()
    person = turn.person
    if not asked or action.answer is not YesNo.YES or person is None or person.id is None:
        stands = withdrawing and person is not None and person.consent_at is not None
        turn.say(texts.CONSENT_STANDS if stands else texts.DELETE_KEPT)
        return
    if await _is_staff(turn, person):
        turn.say(texts.DELETE_STAFF_REFUSED)
        return
    await erase(turn.uow, turn.deps, person)
    turn.person = None      # the answer is addressed to the account, owned by nobody now
    turn.say(texts.DELETE_DONE)


async def withdraw_consent(turn: Turn) -> None:
    """不同意 pressed by someone who had agreed: withdrawing is erasing, so ask as /delete asks;
    a yes erases exactly as /delete does, a no keeps everything and says consent stands."""
    assert turn.person is not None
    await _ask_to_erase(turn, turn.person, texts.WITHDRAW_CONFIRM,
                        (texts.WITHDRAW_YES, actions.Delete(YesNo.YES)),
                        (texts.WITHDRAW_NO, actions.Delete(YesNo.NO)),
                        withdrawing=True)


async def _is_staff(turn: Turn, person: Person) -> bool:
    assert person.id is not None
    return bool(person.staff_code) or bool(await turn.uow.memberships.of_person(person.id))


async def erase(uow: UnitOfWork, deps: Deps, person: Person) -> None:
    """The person's orders anonymised and their words, files and quotes erased everywhere
    (handlers/erasure.py), then the person reduced to a stand-in."""
    assert person.id is not None
    names = [n for n in (person.name, person.nickname) if n]
    reports = await uow.people.reports(person.id)
    # What they wrote to a level (民意直报) was told to its staff as written, under the
    # opinion's number: found by it, and unquoted too.
    opinions = await uow.opinions.of_person(person.id)
    # What they proposed and commented in 议事 was quoted to others, under the item's number.
    items, agenda_words = await uow.agenda.words_of(person.id)
    await forget_traces(uow, deps, {r.code: r.reporter_id for r in reports},
                        [r.description for r in reports] + [o.text for o in opinions]
                        + agenda_words, {person.id: names},
                        [person.phone or ""] + [opinion_code(o.id) for o in opinions if o.id],
                        quotes=True, about=items)
    await uow.people.rewrite_reports([_anonymised(r, names) for r in reports])
    await uow.agenda.forget_words_of(person.id, texts.ERASED_WORDS)
    await uow.meetings.forget_words_of(person.id, texts.ERASED_WORDS)
    await uow.opinions.forget_words_of(person.id, texts.ERASED_WORDS)
    await uow.people.erase(person.id, texts.ERASED_PERSON, ERASED)


def _anonymised(report: Report, names: list[str]) -> Report:
    """What the reporter wrote goes entirely (they are forgotten, and a scrubber can always
    miss a disguised number); the address keeps only what is not theirs, the point its cell."""
    _, address, lat, lng = anonymised_report(
        report.description, report.address, report.lat, report.lng, names)
    return report._replace(description=texts.ERASED_DESCRIPTION, address=address, lat=lat,
                           lng=lng)


# --- retention ---------------------------------------------------------------------------------

async def forget_closed_reports(uow: UnitOfWork, deps: Deps, now: datetime,
                                batch: int = 500) -> int:
    """One batch of orders closed longer than the retention window: reporter link and follows
    cut, their words, files and contact erased as /delete does; messages older than the window
    emptied. Returns how many orders were anonymised; 0 when none is left (the sweep's sign
    to stop).

    Idempotent: an order once done has no reporter link and is never claimed again.
    """
    cutoff = now - deps.limits.retention
    async with uow:
        reports = await uow.people.reports_closed_before(cutoff, batch)
        reporters = {r.reporter_id for r in reports if r.reporter_id}
        names = await uow.people.names_to_scrub(reporters)
        await forget_traces(uow, deps, {r.code: r.reporter_id for r in reports},
                            [r.description for r in reports], names, quotes=False)
        await uow.people.rewrite_reports(
            [_anonymised(r, names.get(r.reporter_id or 0, [])) for r in reports], unlink=True)
        await uow.erasure.forget_unlinked_phones(reporters)
        await uow.people.forget_messages_before(cutoff)
        await uow.commit()
    return len(reports)
