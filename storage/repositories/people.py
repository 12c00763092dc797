"""People, their platform accounts, and their roles on grids."""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.people import STAFF_POSTS, PersonKind
from storage.clock import Clock
from storage.records import Caller, ChannelAccount, Membership, OutboxState, Person, Role
from storage.repositories._sql import claim, insert, rowcount
from storage.tables import (
    ChannelAccountRow,
    DeadLetterRow,
    DialogRow,
    MembershipRow,
    OrderFollowerRow,
    OutboxRow,
    PersonRow,
    WorkOrderRow,
)

_PERSON = PersonRow.__table__
_MEMBER = MembershipRow.__table__
_FIELDS = ("staff_code", "name", "phone", "duty", "nickname", "kind", "home_grid", "rides_for",
           "created_at", "consent_at", "subscribed", "party_member", "party_group")


_ACCOUNT = ChannelAccountRow.__table__
_DIALOG = DialogRow.__table__


# Read with the person, so that a turn never asks for it apart.
_HOLDS_POST = exists().where(_MEMBER.c.person_id == _PERSON.c.id,
                             _MEMBER.c.role.in_(sorted(STAFF_POSTS))).label("holds_post")


def _caller(row: Any, dialog: Any = None) -> Caller:
    if row is None or row.id is None:
        return Caller(None, None if dialog is None else dict(dialog))
    return Caller(_person(row), None if dialog is None else dict(dialog), bool(row.holds_post))


def _with_dialog() -> Any:
    """One account's person and dialog state in one row, both possibly missing."""
    channel: BindParameter[str] = bindparam("account_channel")
    external_id: BindParameter[str] = bindparam("account_id")
    state = select(_DIALOG.c.state).where(_DIALOG.c.channel == channel,
                                          _DIALOG.c.external_id == external_id).scalar_subquery()
    one = select(literal(1).label("one")).subquery("one")
    return (select(state.label("dialog_state"), *_PERSON.c, _HOLDS_POST).select_from(one)
            .outerjoin(_ACCOUNT, and_(_ACCOUNT.c.channel == channel,
                                      _ACCOUNT.c.external_id == external_id))
            .outerjoin(_PERSON, _PERSON.c.id == _ACCOUNT.c.person_id))


# The statements of every chat turn, built once (see storage.repositories._sql.Prepared).
_WITH_DIALOG = _with_dialog()
_ACCOUNTS_PEOPLE = (
    select(_ACCOUNT.c.channel, _ACCOUNT.c.external_id.label("account_id"), *_PERSON.c,
           _HOLDS_POST)
    .join(_PERSON, _PERSON.c.id == _ACCOUNT.c.person_id)
    .where(tuple_(_ACCOUNT.c.channel, _ACCOUNT.c.external_id).in_(
        bindparam("accounts", expanding=True))))
_ACCOUNTS_DIALOGS = select(_DIALOG.c.channel, _DIALOG.c.external_id, _DIALOG.c.state).where(
    tuple_(_DIALOG.c.channel, _DIALOG.c.external_id).in_(bindparam("accounts", expanding=True)))
_REACHED_AT = (select(_ACCOUNT.c.channel, _ACCOUNT.c.external_id, _ACCOUNT.c.person_id,
                      _ACCOUNT.c.last_seen_at, _ACCOUNT.c.window_sent)
               .where(_ACCOUNT.c.person_id == bindparam("person")).order_by(_ACCOUNT.c.id))
# Who may act for a grid. One grid at a time: an expanding IN is re-rendered on every call,
# and the first grid asked (the report's own) nearly always has someone.
_HOLDERS = (select(_MEMBER.c.person_id, _MEMBER.c.grid_code, _MEMBER.c.role)
            .where(_MEMBER.c.grid_code == bindparam("grid"),
                   _MEMBER.c.role.in_([Role.LEADER.value, Role.DISPATCHER.value]))
            .order_by(_MEMBER.c.person_id, _MEMBER.c.role))


_ORDER = WorkOrderRow.__table__
_FOLLOWER = OrderFollowerRow.__table__
_OUTBOX = OutboxRow.__table__
_LETTER = DeadLetterRow.__table__


class Report(NamedTuple):
    """What an order holds that its reporter said: kept anonymised once they are gone."""

    code: str
    reporter_id: int | None
    description: str
    address: str | None
    lat: float | None
    lng: float | None


_REPORT_COLUMNS = (_ORDER.c.code, _ORDER.c.reporter_id, _ORDER.c.description, _ORDER.c.address,
                   _ORDER.c.lat, _ORDER.c.lng)
_REWRITE = (update(_ORDER).where(_ORDER.c.code == bindparam("the_code"))
            .values(description=bindparam("description"), address=bindparam("address"),
                    lat=bindparam("lat"), lng=bindparam("lng")))


def _person(row: Any) -> Person:
    return Person(id=row.id, **{name: getattr(row, name) for name in _FIELDS})


class PeopleRepository:
    def __init__(self, session: AsyncSession, clock: Clock):
        self.session, self.clock = session, clock

    async def get(self, person_id: int) -> Person | None:
        return await self._one(_PERSON.c.id == person_id)

    async def roster_leaders(self) -> dict[str, str]:
        """Grid code → its leader's name as the roster lists it (网格长公示).

        Only people the roster (`import-people`) knows by a staff code: someone who redeemed an
        invite is otherwise known by a chat account's name, which is theirs, not the grid's.
        Of two listed leaders on one grid the longest-standing (lowest id) is named.
        """
        query = (select(_MEMBER.c.grid_code, _PERSON.c.name)
                 .join(_PERSON, _PERSON.c.id == _MEMBER.c.person_id)
                 .where(_MEMBER.c.role == Role.LEADER.value, _PERSON.c.staff_code.is_not(None))
                 .order_by(_MEMBER.c.person_id.desc()))
        return {code: name for code, name in (await self.session.execute(query)).all()}

    async def by_staff_code(self, staff_code: str) -> Person | None:
        return await self._one(_PERSON.c.staff_code == staff_code)

    async def by_channel(self, channel: str, external_id: str) -> Person | None:
        """The person behind a platform account, if that account was ever linked."""
        query = (select(_PERSON).join(ChannelAccountRow,
                                      col(ChannelAccountRow.person_id) == _PERSON.c.id)
                 .where(col(ChannelAccountRow.channel) == channel,
                        col(ChannelAccountRow.external_id) == external_id))
        row = (await self.session.execute(query)).first()
        return _person(row) if row else None

    async def by_channel_with_dialog(self, channel: str, external_id: str) -> Caller:
        """`by_channel`, the account's dialog state and whether the person holds a staff post,
        in one statement (any may be missing): a turn needs them all, and each round trip is
        paid on every message."""
        row = (await self.session.execute(_WITH_DIALOG, {
            "account_channel": channel, "account_id": external_id})).one()
        return _caller(row, row.dialog_state)

    async def by_channels_with_dialogs(self, accounts: list[tuple[str, str]]
                                       ) -> dict[tuple[str, str], Caller]:
        """`by_channel_with_dialog` for a batch of accounts: two statements for all of them,
        and one for a single account (a turn alone, the usual case)."""
        found = {account: Caller() for account in accounts}
        if len(found) == 1:
            (channel, external_id), = found
            found[channel, external_id] = await self.by_channel_with_dialog(channel, external_id)
            return found
        if not accounts:
            return found
        given = {"accounts": list(found)}
        for person in await self.session.execute(_ACCOUNTS_PEOPLE, given):
            found[(person.channel, person.account_id)] = _caller(person)
        for dialog in await self.session.execute(_ACCOUNTS_DIALOGS, given):
            key = (dialog.channel, dialog.external_id)
            found[key] = found[key]._replace(dialog=dict(dialog.state))
        return found

    async def upsert(self, person: Person) -> Person:
        """Insert, or update by id or else by staff code; returns the person with its id."""
        if person.created_at is None:
            person.created_at = self.clock.now()
        values = {name: getattr(person, name) for name in _FIELDS}
        if person.id is not None:
            await self.session.execute(
                update(_PERSON).where(_PERSON.c.id == person.id)
                .values({k: v for k, v in values.items() if k != "created_at"}))
            return person
        statement = insert(self.session, _PERSON).values(values)
        if person.staff_code is not None:
            keep = {k: statement.excluded[k] for k in values if k not in ("created_at",)}
            statement = statement.on_conflict_do_update(index_elements=["staff_code"], set_=keep)
        person.id = (await self.session.execute(statement.returning(_PERSON.c.id))).scalar_one()
        return person

    async def link(self, person_id: int, channel: str, external_id: str) -> None:
        """Bind a platform account to a person; an account bound elsewhere moves here."""
        statement = insert(self.session, ChannelAccountRow.__table__).values(
            channel=channel, external_id=external_id, person_id=person_id)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["channel", "external_id"], set_={"person_id": person_id}))

    async def accounts(self, person_id: int) -> list[ChannelAccount]:
        """Where a person can be reached, oldest account first."""
        return [ChannelAccount(*row) for row in await self.session.execute(
            _REACHED_AT, {"person": person_id})]

    async def accounts_of(self, person_ids: Collection[int], chunk: int = 1000
                          ) -> list[ChannelAccount]:
        """Where each of many people can be reached, by person, oldest account first."""
        ids, found = sorted(set(person_ids)), []
        for start in range(0, len(ids), chunk):
            query = (select(*_REACHED_AT.selected_columns)
                     .where(_ACCOUNT.c.person_id.in_(ids[start:start + chunk]))
                     .order_by(_ACCOUNT.c.person_id, _ACCOUNT.c.id))
            found += [ChannelAccount(*row) for row in await self.session.execute(query)]
        return found

    async def residents_reached(self, grid_codes: Collection[str], chunk: int = 1000
                                ) -> list[ChannelAccount]:
        """The accounts of everyone who consented and lives in one of `grid_codes` (their home
        grid), residents and riders: those a matter of those grids is announced to."""
        codes, found = sorted(set(grid_codes)), []
        for start in range(0, len(codes), chunk):
            query = (select(*_REACHED_AT.selected_columns)
                     .join(_PERSON, _PERSON.c.id == _ACCOUNT.c.person_id)
                     .where(_PERSON.c.home_grid.in_(codes[start:start + chunk]),
                            _PERSON.c.consent_at.is_not(None),
                            _PERSON.c.kind.in_((PersonKind.RESIDENT.value,
                                                PersonKind.RIDER.value)))
                     .order_by(_ACCOUNT.c.person_id, _ACCOUNT.c.id))
            found += [ChannelAccount(*row) for row in await self.session.execute(query)]
        return found

    async def _one(self, condition: Any) -> Person | None:
        row = (await self.session.execute(select(_PERSON).where(condition))).first()
        return _person(row) if row else None

    # --- privacy: what is held (PIPL art. 45), erasure (art. 47), retention ------------------

    async def followed(self, person_id: int) -> list[str]:
        """The orders a person follows (me-too), newest first."""
        query = (select(_FOLLOWER.c.order_code).where(_FOLLOWER.c.person_id == person_id)
                 .order_by(_FOLLOWER.c.since.desc(), _FOLLOWER.c.order_code))
        return list((await self.session.execute(query)).scalars())

    async def count_reported(self, person_id: int) -> int:
        return (await self.session.execute(select(func.count()).select_from(_ORDER).where(
            _ORDER.c.reporter_id == person_id))).scalar_one()

    async def reports(self, person_id: int) -> list[Report]:
        """Every order a person reported, with what they said in it."""
        query = select(*_REPORT_COLUMNS).where(_ORDER.c.reporter_id == person_id)
        return [Report(*row) for row in await self.session.execute(query)]

    async def names_to_scrub(self, person_ids: Collection[int]) -> dict[int, list[str]]:
        """Each person's name and nickname: what must not survive in anonymised text."""
        if not person_ids:
            return {}
        query = select(_PERSON.c.id, _PERSON.c.name, _PERSON.c.nickname).where(
            _PERSON.c.id.in_(list(person_ids)))
        return {pid: [n for n in (name, nick) if n]
                for pid, name, nick in await self.session.execute(query)}

    async def erase(self, person_id: int, stand_in: str, kind: str) -> None:
        """Remove a person's data and keep their row as an empty stand-in.

        Their accounts (and those accounts' dialogs and parked updates) and follows are
        deleted, the messages owed
        or sent to them emptied (see `_forget_messages`); the row
        keeps only its id, so their orders still count and still point at "someone", but no
        name, contact, home, nickname, consent or points remain. Orders are rewritten apart
        (`rewrite_reports`).
        """
        accounts = [tuple(row) for row in await self.session.execute(
            select(_ACCOUNT.c.channel, _ACCOUNT.c.external_id)
            .where(_ACCOUNT.c.person_id == person_id))]
        if accounts:
            await self.session.execute(delete(_DIALOG).where(
                tuple_(_DIALOG.c.channel, _DIALOG.c.external_id).in_(accounts)))
            # Parked updates keep what the person wrote, under their account.
            sender = _LETTER.c.payload[("sender", "external_id")].as_string()
            await self.session.execute(delete(_LETTER).where(
                tuple_(_LETTER.c.channel, sender).in_(accounts)))
        await self.session.execute(delete(_ACCOUNT).where(_ACCOUNT.c.person_id == person_id))
        await self.session.execute(delete(_FOLLOWER).where(_FOLLOWER.c.person_id == person_id))
        await self._forget_messages(_OUTBOX.c.person_id == person_id)
        await self.session.execute(update(_PERSON).where(_PERSON.c.id == person_id).values(
            name=stand_in, staff_code=None, phone=None, duty=None, nickname=None, kind=kind,
            home_grid=None, rides_for=None, consent_at=None, subscribed=False))

    async def rewrite_reports(self, reports: list[Report], *, unlink: bool = False) -> None:
        """Write back anonymised reports in one statement; `unlink` also drops the reporter
        link and the follows (retention). Open orders get a new version, so a handler's save
        of an older copy fails instead of writing the words back."""
        if not reports:
            return
        statement = _REWRITE.values(version=_ORDER.c.version + 1)
        if unlink:
            statement = _REWRITE.values(reporter_id=None)
        await self.session.execute(statement, [
            {"the_code": r.code, "description": r.description, "address": r.address,
             "lat": r.lat, "lng": r.lng} for r in reports])
        if unlink:
            await self.session.execute(delete(_FOLLOWER).where(
                _FOLLOWER.c.order_code.in_([r.code for r in reports])))

    async def reports_closed_before(self, cutoff: datetime, limit: int) -> list[Report]:
        """Closed orders past retention still linked to a reporter, claimed, oldest first."""
        query = (select(*_REPORT_COLUMNS)
                 .where(_ORDER.c.closed_at < cutoff, _ORDER.c.reporter_id.is_not(None))
                 .order_by(_ORDER.c.closed_at, _ORDER.c.code).limit(limit))
        return [Report(*row) for row in await self.session.execute(claim(self.session, query))]

    async def forget_messages_before(self, cutoff: datetime) -> int:
        """Empty the messages to people delivered before `cutoff`, or written before it and
        never delivered: their text quotes reporters (the description, a 重办 reason)."""
        old = or_(_OUTBOX.c.sent_at < cutoff,
                  and_(_OUTBOX.c.sent_at.is_(None), _OUTBOX.c.created_at < cutoff))
        return await self._forget_messages(old, _OUTBOX.c.person_id.is_not(None))

    async def _forget_messages(self, *conditions: Any) -> int:
        """Messages emptied, not deleted: SQLite would hand a deleted last id out again, and a
        reader that waits for ids after it (the web chat) would miss the next message. One
        not yet sent is settled unsent, with no address to go to."""
        result = await self.session.execute(update(_OUTBOX).where(*conditions).values(
            payload={}, address="", person_id=None,
            sent_at=func.coalesce(_OUTBOX.c.sent_at, self.clock.now()), last_error="erased",
            state=OutboxState.SENT.value))
        return rowcount(result) or 0


class MembershipRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, person_id: int, grid_code: str, role: Role | str) -> bool:
        """Give a person a role on a grid; False when they already had it."""
        statement = insert(self.session, MembershipRow.__table__).values(
            person_id=person_id, grid_code=grid_code, role=Role(role).value)
        statement = statement.on_conflict_do_nothing().returning(col(MembershipRow.person_id))
        return (await self.session.execute(statement)).first() is not None

    async def remove(self, person_id: int, grid_code: str, role: Role | str) -> None:
        await self.session.execute(delete(MembershipRow).where(
            col(MembershipRow.person_id) == person_id, col(MembershipRow.grid_code) == grid_code,
            col(MembershipRow.role) == Role(role).value))

    async def of_person(self, person_id: int) -> list[Membership]:
        return await self._where(_MEMBER.c.person_id == person_id)

    async def of_grid(self, grid_code: str, role: Role | str | None = None) -> list[Membership]:
        if role is None:
            return await self._where(_MEMBER.c.grid_code == grid_code)
        return await self._where(_MEMBER.c.grid_code == grid_code,
                                 _MEMBER.c.role == Role(role).value)

    async def holders(self, grid_code: str) -> list[Membership]:
        """The grid's leaders and dispatchers, in one statement."""
        return [Membership(person_id, grid, Role(role))
                for person_id, grid, role in await self.session.execute(
                    _HOLDERS, {"grid": grid_code})]

    async def posts(self, grid_codes: list[str] | None = None) -> dict[str, dict[str, list[int]]]:
        """Grid code → holding post (leader, dispatcher) → people, for these grids or all."""
        query = select(_MEMBER.c.grid_code, _MEMBER.c.role, _MEMBER.c.person_id).where(
            _MEMBER.c.role.in_([Role.LEADER.value, Role.DISPATCHER.value]))
        if grid_codes is not None:
            query = query.where(_MEMBER.c.grid_code.in_(grid_codes))
        found: dict[str, dict[str, list[int]]] = {}
        for grid_code, role, person_id in await self.session.execute(query):
            found.setdefault(grid_code, {}).setdefault(role, []).append(person_id)
        return found

    async def leader_of(self, grid_code: str) -> int | None:
        leaders = await self.of_grid(grid_code, Role.LEADER)
        return leaders[0].person_id if leaders else None

    async def _where(self, *conditions: Any) -> list[Membership]:
        member = _MEMBER
        query = (select(member.c.person_id, member.c.grid_code, member.c.role).where(*conditions)
                 .order_by(member.c.person_id, member.c.grid_code, member.c.role))
        return [Membership(person_id, grid_code, Role(role))
                for person_id, grid_code, role in await self.session.execute(query)]
