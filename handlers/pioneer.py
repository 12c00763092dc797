"""/points and /nickname: a roaming reporter's own 先锋指数 and the opt-in leaderboard name;
a resident's 参与积分 (双积分: reports, supports, comments, meetings)."""
from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import SHANGHAI
from domain.points import ParticipationRules, PointsRules, credit, participation_awards
from domain.privacy import scrub
from handlers import texts
from handlers.dialog import Turn
from handlers.menus import RESIDENT
from handlers.routes import Router
from handlers.stored import stored_id
from storage.records import Person

router = Router()

RIDER = "rider"
LONGEST_NICKNAME = 12


def month_of(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month (China Standard Time) that `now` falls in, as [start, end)."""
    local = now.astimezone(SHANGHAI)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, (start + timedelta(days=32)).replace(day=1)


def rider(turn: Turn) -> Person | None:
    """The consenting rider who wrote; anyone else is told points are for riders, and None."""
    person = turn.person
    if person is None or person.consent_at is None or person.kind != RIDER:
        turn.say(texts.POINTS_RIDERS_ONLY)
        return None
    return person


async def participation(turn: Turn, person: Person) -> int:
    """The person's 参与积分 this month, as credited under the monthly cap."""
    start, end = month_of(turn.now)
    rules = ParticipationRules()
    order_events, agenda_events = await turn.uow.agenda.participation(stored_id(person), start,
                                                                      end)
    attended = await turn.uow.meetings.attended(stored_id(person), start, end)
    awards = [a for a in participation_awards(order_events, agenda_events, rules, attended)
              if start <= a.at < end]
    return sum(a.points for a in credit(awards, rules))


@router.command("points")
async def points(turn: Turn) -> None:
    person = turn.person
    if person is not None and person.consent_at is not None and person.kind == RESIDENT:
        start, _ = month_of(turn.now)
        turn.say(texts.POINTS_RESIDENT.format(month=start.strftime(texts.DATE_MONTH),
                                              points=await participation(turn, person),
                                              cap=ParticipationRules().monthly_cap))
        return
    person = rider(turn)
    if person is None:
        return
    start, end = month_of(turn.now)
    rules = PointsRules()
    mine = await turn.uow.publishing.own_points(stored_id(person), start, end, turn.now, rules)
    lines = [texts.POINTS_MINE.format(month=start.strftime(texts.DATE_MONTH), points=mine,
                                      cap=rules.monthly_cap)]
    board = await turn.uow.publishing.rider_points(start, end, turn.now, rules)
    if person.id in board:
        # Ranked like the digest's leaderboard: more points first; equal points share a rank.
        rank = 1 + sum(1 for _, score in board.values() if score > board[person.id][1])
        lines.append(texts.POINTS_RANK.format(rank=rank, of=len(board),
                                              nickname=board[person.id][0]))
    elif not (person.nickname or "").strip():
        lines.append(texts.POINTS_OFF_BOARD)
    turn.say("\n".join(lines))


@router.command("nickname")
async def nickname(turn: Turn) -> None:
    person = rider(turn)
    if person is None:
        return
    wanted = turn.inbound.text.strip()
    if not wanted:
        current = (person.nickname or "").strip()
        turn.say(texts.NICKNAME_SHOW.format(nickname=current) if current
                 else texts.NICKNAME_NONE.format(longest=LONGEST_NICKNAME))
        return
    if wanted in texts.NICKNAME_CLEAR_WORDS:
        person.nickname = None
        turn.person = await turn.uow.people.upsert(person)
        turn.say(texts.NICKNAME_CLEARED)
        return
    # The board is public: a name that carries personal data (a phone, a plate, a person's
    # name — the rider's own or anyone's — however disguised) is refused.
    if (len(wanted) > LONGEST_NICKNAME or not wanted.isprintable()
            or scrub(wanted, [person.name]) != wanted):
        turn.say(texts.NICKNAME_REFUSED.format(longest=LONGEST_NICKNAME))
        return
    person.nickname = wanted
    turn.person = await turn.uow.people.upsert(person)
    turn.say(texts.NICKNAME_SET.format(nickname=wanted))
