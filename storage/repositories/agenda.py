"""Agenda items (议题): the item as it stands, its history, supports, comments and ratings.

`record` writes what a use case did in one go: the item (added, or saved against its version)
and its new events; a support, a comment, a rating or a lifted order is written from the event
that tells of it, so the history and the tables that answer questions fast never disagree.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.agenda import (
    UNSETTLED,
    AgendaEvent,
    AgendaItem,
    AgendaState,
    Origin,
    agenda_code,
)
from domain.grids import Level
from domain.orders import Event, Satisfaction
from storage.agenda_tables import (
    AgendaCommentRow,
    AgendaEventRow,
    AgendaItemRow,
    AgendaOrderRow,
    AgendaRatingRow,
    AgendaSequenceRow,
    AgendaSupportRow,
)
from storage.repositories._sql import claim, daily_counter
from storage.repositories.events import to_event
from storage.tables import EventRow, WorkOrderRow

_ITEM, _EVENT = AgendaItemRow.__table__, AgendaEventRow.__table__
_SUPPORT, _COMMENT = AgendaSupportRow.__table__, AgendaCommentRow.__table__
_RATING, _ORDER = AgendaRatingRow.__table__, AgendaOrderRow.__table__
_SEQUENCE = AgendaSequenceRow.__table__
_ORDER_EVENTS, _WORK_ORDER = EventRow.__table__, WorkOrderRow.__table__
_COLUMNS = tuple(_ITEM.columns)
_STORED = ("code", "title", "body", "proposer_id", "grid_code", "scope_code", "created_at",
           "level_since", "meeting_at", "owner_id", "deadline", "progress", "decision",
           "moves", "closed_at")


_NEXT_NUMBER = daily_counter(_SEQUENCE)


@dataclass(frozen=True)
class Clocked:
    """An item on the agenda clocks: its state and when that state's clock started."""

    code: str
    state: AgendaState
    since: datetime
    deadline: datetime | None


class StaleItem(Exception):
    """Someone else saved this item since it was loaded; load it again and retry."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(f"agenda item {code} was changed by someone else: load it again")


def item_values(item: AgendaItem) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in _STORED}
    values.update(origin=item.origin.value, level=item.level.value, state=item.state.value,
                  tasks=list(item.tasks), tasks_done=sorted(item.tasks_done))
    return values


def agenda_event_values(event: AgendaEvent) -> dict[str, Any]:
    return {"item_code": event.item_code, "kind": event.kind, "at": event.at,
            "actor_id": event.actor_id,
            "from_state": event.from_state.value if event.from_state else None,
            "to_state": event.to_state.value if event.to_state else None,
            "reason": event.reason, "data": dict(event.data)}


def to_agenda_event(row: Any) -> AgendaEvent:
    return AgendaEvent(row.item_code, row.kind, row.at, row.actor_id,
                       AgendaState(row.from_state) if row.from_state else None,
                       AgendaState(row.to_state) if row.to_state else None,
                       row.reason, dict(row.data or {}))


class AgendaRepository:
    """Items come out as domain `AgendaItem`s; `record` refuses to overwrite a newer version."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self._versions: dict[str, int] = {}

    async def next_code(self, day: date) -> str:
        """The next public number of the day, YT-YYYYMMDD-NNNN, counted atomically."""
        number = (await self.session.execute(_NEXT_NUMBER(self.session),
                                             {"today": f"{day:%Y%m%d}"})).scalar_one()
        return agenda_code(day, number)

    async def record(self, item: AgendaItem, events: Sequence[AgendaEvent]) -> None:
        """Write the item as it stands (new, or saved against the version loaded; raises
        `StaleItem`) and its new events, with the rows the events tell of."""
        version = self._versions.get(item.code)
        if version is None:
            await self.session.execute(_ITEM.insert(), {**item_values(item), "version": 1})
            self._versions[item.code] = 1
        else:
            result = await self.session.execute(
                update(_ITEM).where(_ITEM.c.code == item.code, _ITEM.c.version == version)
                .values(**item_values(item), version=version + 1).returning(_ITEM.c.version))
            if result.first() is None:
                raise StaleItem(item.code)
            self._versions[item.code] = version + 1
        if events:
            await self.session.execute(_EVENT.insert(), [agenda_event_values(e) for e in events])
        for event in events:
            await self._side_rows(event)

    async def _side_rows(self, event: AgendaEvent) -> None:
        if event.kind == "supported" and event.actor_id is not None:
            await self.session.execute(_SUPPORT.insert(), {
                "item_code": event.item_code, "person_id": event.actor_id, "at": event.at})
        elif event.kind == "commented" and event.reason:
            await self.session.execute(_COMMENT.insert(), {
                "item_code": event.item_code, "person_id": event.actor_id, "at": event.at,
                "text": event.reason})
        elif event.kind == "rated" and event.actor_id is not None:
            await self.session.execute(_RATING.insert(), {
                "item_code": event.item_code, "person_id": event.actor_id,
                "satisfaction": event.data["satisfaction"], "at": event.at})
        elif event.kind == "proposed" and event.data.get("orders"):
            await self.session.execute(_ORDER.insert(), [
                {"order_code": code, "item_code": event.item_code}
                for code in event.data["orders"]])

    async def get(self, code: str) -> AgendaItem | None:
        row = (await self.session.execute(select(*_COLUMNS).where(_ITEM.c.code == code))).first()
        return (await self._loaded([row]))[0] if row else None

    async def history(self, code: str) -> list[AgendaEvent]:
        """An item's events, oldest first."""
        query = select(_EVENT).where(_EVENT.c.item_code == code).order_by(_EVENT.c.at,
                                                                          _EVENT.c.id)
        return [to_agenda_event(row) for row in (await self.session.execute(query)).all()]

    async def comments(self, code: str, limit: int = 50) -> list[tuple[int | None, datetime, str]]:
        """(person, when, words) of an item's comments, oldest first."""
        query = (select(_COMMENT.c.person_id, _COMMENT.c.at, _COMMENT.c.text)
                 .where(_COMMENT.c.item_code == code)
                 .order_by(_COMMENT.c.at, _COMMENT.c.id).limit(limit))
        return [(p, at, text) for p, at, text in (await self.session.execute(query)).all()]

    async def latest_comments(self, code: str, limit: int = 3) -> list[str]:
        """The words of an item's newest comments, oldest of them first."""
        query = (select(_COMMENT.c.text).where(_COMMENT.c.item_code == code)
                 .order_by(_COMMENT.c.at.desc(), _COMMENT.c.id.desc()).limit(limit))
        return list(reversed((await self.session.execute(query)).scalars().all()))

    async def in_scopes(self, scopes: Iterable[str],
                        states: Iterable[AgendaState] = tuple(AgendaState),
                        limit: int = 50) -> list[AgendaItem]:
        """Items held at any of `scopes` (a community and its grids, say), newest first."""
        query = (select(*_COLUMNS).where(_ITEM.c.scope_code.in_(list(scopes)),
                                         _ITEM.c.state.in_([s.value for s in states]))
                 .order_by(_ITEM.c.created_at.desc(), _ITEM.c.code.desc()).limit(limit))
        return await self._loaded((await self.session.execute(query)).all())

    async def in_places(self, grids: Iterable[str], states: Iterable[AgendaState],
                        levels: Iterable[Level], limit: int = 50,
                        offset: int = 0) -> list[AgendaItem]:
        """Items held at, or raised in, any of `grids` (a staff member's subtree: what moved up
        from it too), newest first, a page at a time."""
        places = list(grids)
        query = (select(*_COLUMNS)
                 .where(_ITEM.c.scope_code.in_(places) | _ITEM.c.grid_code.in_(places),
                        _ITEM.c.state.in_([s.value for s in states]),
                        _ITEM.c.level.in_([level.value for level in levels]))
                 .order_by(_ITEM.c.created_at.desc(), _ITEM.c.code.desc())
                 .limit(limit).offset(offset))
        return await self._loaded((await self.session.execute(query)).all())

    async def unsettled_since(self, before: datetime, limit: int = 100) -> list[AgendaItem]:
        """Unsettled items that reached their level at or before `before`, claimed for this
        worker: what the ladder's sweep (议题上移) looks at."""
        query = (select(*_COLUMNS).where(_ITEM.c.state.in_([s.value for s in UNSETTLED]),
                                         _ITEM.c.level_since <= before)
                 .order_by(_ITEM.c.level_since, _ITEM.c.code).limit(limit))
        return await self._loaded((await self.session.execute(
            claim(self.session, query))).all())

    async def clocked(self, states: Iterable[AgendaState]) -> list[Clocked]:
        """Items in `states` with when their clock started (decided, or carried out) and the
        stages already recorded, read without locks: the agenda clocks' sweep picks the due
        ones from these, then claims them with `claim_items`. An item 督办 has been recorded
        for has no stage left while it is carried out, and is not read."""
        values = [s.value for s in states]
        starts = (select(_EVENT.c.item_code, _EVENT.c.kind, func.max(_EVENT.c.at).label("at"))
                  .where(_EVENT.c.kind.in_(("decided", "carried_out")))
                  .group_by(_EVENT.c.item_code, _EVENT.c.kind).subquery())
        supervised = (select(_EVENT.c.id).where(_EVENT.c.item_code == _ITEM.c.code,
                                                _EVENT.c.kind == "supervised")
                      .correlate(_ITEM).exists())
        query = (select(_ITEM.c.code, _ITEM.c.state, _ITEM.c.deadline, _ITEM.c.owner_id,
                        starts.c.kind, starts.c.at)
                 .join(starts, starts.c.item_code == _ITEM.c.code)
                 .where(_ITEM.c.state.in_(values),
                        (_ITEM.c.state == AgendaState.JUDGING.value) | ~supervised)
                 .order_by(_ITEM.c.code))
        found: dict[str, Clocked] = {}
        for code, state, deadline, owner, kind, at in (await self.session.execute(query)).all():
            judging = state == AgendaState.JUDGING.value
            if (kind == "carried_out") == judging:
                found[code] = Clocked(code, AgendaState(state), at,
                                      deadline if owner is not None else None)
        return list(found.values())

    async def claim_items(self, codes: Iterable[str], states: Iterable[AgendaState]
                          ) -> list[AgendaItem]:
        """The items named, still in `states`, claimed for this worker (another one skips
        them), each with the stages recorded so far read after the claim."""
        query = (select(*_COLUMNS).where(_ITEM.c.code.in_(list(codes)),
                                         _ITEM.c.state.in_([s.value for s in states]))
                 .order_by(_ITEM.c.code))
        return await self._loaded((await self.session.execute(
            claim(self.session, query))).all())

    async def clock_marks(self, codes: Iterable[str]) -> dict[str, set[str]]:
        """The clock stages each item's events record (监督, 督办): read after the claim, so a
        stage another worker fired and committed is seen."""
        wanted = list(codes)
        marks: dict[str, set[str]] = {code: set() for code in wanted}
        if wanted:
            query = select(_EVENT.c.item_code, _EVENT.c.data).where(
                _EVENT.c.item_code.in_(wanted), _EVENT.c.kind.in_(("reminded", "supervised")))
            for code, data in (await self.session.execute(query)).all():
                if (data or {}).get("clock"):
                    marks[code].add(data["clock"])
        return marks

    async def lifted_into(self, order_code: str) -> str | None:
        """The item an order was lifted into, if any."""
        query = select(_ORDER.c.item_code).where(_ORDER.c.order_code == order_code)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def words_of(self, person_id: int) -> tuple[list[str], list[str]]:
        """What a person wrote in 议事 — their proposals' titles and words, their comments —
        and the numbers of the items it was written on: what erasure looks for in messages."""
        proposed = (await self.session.execute(
            select(_ITEM.c.code, _ITEM.c.title, _ITEM.c.body).where(
                _ITEM.c.proposer_id == person_id,
                _ITEM.c.origin == Origin.RESIDENT.value).order_by(_ITEM.c.code))).all()
        commented = (await self.session.execute(
            select(_COMMENT.c.item_code, _COMMENT.c.text).where(
                _COMMENT.c.person_id == person_id).order_by(_COMMENT.c.at, _COMMENT.c.id))).all()
        codes = {code for code, *_ in proposed} | {code for code, _ in commented}
        words = [w for _, title, body in proposed for w in (title, body)]
        words += [text for _, text in commented]
        return sorted(codes), [w for w in words if w]

    async def forget_words_of(self, person_id: int, marker: str) -> None:
        """Erasure (/delete): what the person wrote in 议事 — their proposals' title and text,
        their comments, the reasons on events they made — becomes `marker`; the facts stay."""
        await self.session.execute(update(_COMMENT).where(_COMMENT.c.person_id == person_id)
                                   .values(text=marker))
        await self.session.execute(update(_EVENT).where(
            _EVENT.c.actor_id == person_id, _EVENT.c.reason.is_not(None)).values(reason=marker))
        await self.session.execute(update(_ITEM).where(
            _ITEM.c.proposer_id == person_id, _ITEM.c.origin == Origin.RESIDENT.value)
            .values(title=marker, body=marker, version=_ITEM.c.version + 1))

    async def participation(self, person_id: int, start: datetime, end: datetime
                            ) -> tuple[list[Event], list[AgendaEvent]]:
        """What a person's 参与积分 of [start, end) are read from: the filing and dispatches of
        the orders they reported, and their supports and comments (meetings attended:
        `MeetingRepository.attended`)."""
        orders = _ORDER_EVENTS.join(_WORK_ORDER, _WORK_ORDER.c.code == _ORDER_EVENTS.c.order_code)
        query = (select(_ORDER_EVENTS).select_from(orders)
                 .where(_WORK_ORDER.c.reporter_id == person_id,
                        _ORDER_EVENTS.c.kind.in_(("submitted", "dispatched")),
                        _ORDER_EVENTS.c.at < end)
                 .order_by(_ORDER_EVENTS.c.at, _ORDER_EVENTS.c.id))
        order_events = [to_event(row) for row in (await self.session.execute(query)).all()]
        query = (select(_EVENT).where(_EVENT.c.actor_id == person_id,
                                      _EVENT.c.kind.in_(("supported", "commented")),
                                      _EVENT.c.at >= start, _EVENT.c.at < end)
                 .order_by(_EVENT.c.at, _EVENT.c.id))
        return order_events, [to_agenda_event(row)
                              for row in (await self.session.execute(query)).all()]

    async def participants(self, code: str) -> set[int]:
        """Everyone who supported or commented on an item: who hears how it goes."""
        query = (select(_SUPPORT.c.person_id).where(_SUPPORT.c.item_code == code)
                 .union(select(_COMMENT.c.person_id).where(_COMMENT.c.item_code == code,
                                                           _COMMENT.c.person_id.is_not(None))))
        return {person for (person,) in (await self.session.execute(query)).all()}

    async def support_count(self, code: str) -> int:
        query = select(func.count()).select_from(_SUPPORT).where(_SUPPORT.c.item_code == code)
        return int((await self.session.execute(query)).scalar_one())

    async def _loaded(self, rows: Sequence[Any]) -> list[AgendaItem]:
        codes = [row.code for row in rows]
        supporters = await self._people(_SUPPORT, codes)
        ratings: dict[str, dict[int, Satisfaction]] = {code: {} for code in codes}
        lifted: dict[str, list[str]] = {code: [] for code in codes}
        if codes:
            query = select(_RATING.c.item_code, _RATING.c.person_id,
                           _RATING.c.satisfaction).where(_RATING.c.item_code.in_(codes))
            for code, person, satisfaction in (await self.session.execute(query)).all():
                ratings[code][person] = Satisfaction(satisfaction)
            query = select(_ORDER.c.item_code, _ORDER.c.order_code).where(
                _ORDER.c.item_code.in_(codes)).order_by(_ORDER.c.order_code)
            for pair in (await self.session.execute(query)).all():
                lifted[pair.item_code].append(pair.order_code)
        items = []
        for row in rows:
            self._versions[row.code] = row.version
            values = {name: getattr(row, name) for name in _STORED}
            items.append(AgendaItem(
                **values, origin=Origin(row.origin), level=Level(row.level),
                state=AgendaState(row.state), tasks=tuple(row.tasks),
                tasks_done=frozenset(row.tasks_done), supporters=supporters[row.code],
                ratings=ratings[row.code], order_codes=tuple(lifted[row.code])))
        return items

    async def _people(self, table: Any, codes: list[str]) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {code: set() for code in codes}
        if codes:
            query = select(table.c.item_code, table.c.person_id).where(
                table.c.item_code.in_(codes))
            for code, person in (await self.session.execute(query)).all():
                found[code].add(person)
        return found
