"""The one door every channel knocks on: an `Inbound` in, outbox rows out, exactly once.

Messages that arrive while a transaction is running wait for it, and are then handled together
in the next one (group commit): each message's order, events, dialog and replies still commit
together, but fifty messages cost one BEGIN, one COMMIT and one statement each for
de-duplication, the senders' dialogs and the outbox, instead of fifty of each. Alone, a message
is handled as before. Nobody waits on purpose: a batch is whatever queued meanwhile.
"""
from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from copy import copy
from dataclasses import dataclass, replace
from typing import Any

from domain.refusals import DomainError
from handlers import (
    agenda_dialogs,
    agenda_staff,
    catalogue,
    console_link,
    dead_letters,
    moments,
    onboarding,
    opinion,
    pioneer,
    privacy_rights,
    queries,
    rating,
    report,
    subscriptions,
    texts,
    workbench,
)
from handlers.deps import Deps
from handlers.dialog import Dialog, Turn
from handlers.messages import Inbound, Kind
from handlers.routes import Routes
from storage.records import Caller, OutboxMessage, Person
from storage.uow import UnitOfWork

# Every dialog's commands, buttons and steps, assembled here and nowhere else.
ROUTES = Routes(onboarding.router, privacy_rights.router, report.router, rating.router,
                queries.router, workbench.router, pioneer.router, subscriptions.router,
                console_link.router, opinion.router, agenda_dialogs.router,
                agenda_staff.router)


@dataclass
class _Waiting:
    inbound: Inbound
    answer: asyncio.Future[list[OutboxMessage]]

    @property
    def account(self) -> tuple[str, str]:
        return self.inbound.sender.channel, self.inbound.sender.external_id


@dataclass(frozen=True)
class _Before:
    """A turn as it stood before its handler ran: what a refusal returns it to."""

    dialog: dict[str, Any]
    person: Person | None
    said: int
    owed: int

    @classmethod
    def of(cls, turn: Turn) -> _Before:
        return cls(turn.dialog.to_json(), copy(turn.person), len(turn.replies), len(turn.owed))


class Chat:
    def __init__(self, deps: Deps, batch: int = 128, routes: Routes = ROUTES):
        self.deps, self.routes = deps, routes
        self.batch = batch
        self._waiting: deque[_Waiting] = deque()
        self._worker: asyncio.Task[None] | None = None

    async def receive(self, inbound: Inbound) -> list[OutboxMessage]:
        """Handle one message: the order, its events, the dialog and the replies commit together.

        A redelivered update (same platform id) is recognised and changes nothing. Returns the
        outbox rows written for it.
        """
        loop = asyncio.get_running_loop()
        waiting = _Waiting(inbound, loop.create_future())
        self._waiting.append(waiting)
        if self._worker is None or self._worker.done():
            # Its own empty context: the worker must not see a caller's open unit of work.
            self._worker = loop.create_task(self._work(), context=contextvars.Context())
        return await waiting.answer

    async def _work(self) -> None:
        while self._waiting:
            batch = self._next_batch()
            try:
                answers = await self._handle(batch)
            except asyncio.CancelledError:
                for waiting in (*batch, *self._waiting):
                    waiting.answer.cancel()
                raise
            except Exception as error:  # noqa: BLE001 — the database failed: nothing committed
                for waiting in batch:
                    if not waiting.answer.done():
                        waiting.answer.set_exception(error)
                continue
            if answers is None:   # answered one by one already
                continue
            for waiting, written in zip(batch, answers, strict=True):
                if not waiting.answer.done():
                    waiting.answer.set_result(written)

    async def _handle(self, batch: list[_Waiting]) -> list[list[OutboxMessage]] | None:
        """Each message's outbox rows, all in one transaction; None when the batch split and
        each message was then handled (and answered) in its own."""
        if len(batch) == 1:
            return [await self._alone(batch[0].inbound)]
        try:
            return await self._transaction([w.inbound for w in batch])
        except Exception:  # noqa: BLE001 — the batch did not commit: each alone, and answered
            for waiting in batch:
                await self._answer_alone(waiting)
            return None

    def _next_batch(self) -> list[_Waiting]:
        """Up to `batch` waiting messages in arrival order, one per account (its next waits)."""
        batch: list[_Waiting] = []
        accounts: set[tuple[str, str]] = set()
        later: list[_Waiting] = []
        while self._waiting and len(batch) < self.batch:
            waiting = self._waiting.popleft()
            if waiting.account in accounts:
                later.append(waiting)
            else:
                accounts.add(waiting.account)
                batch.append(waiting)
        self._waiting.extendleft(reversed(later))
        return batch

    async def _answer_alone(self, waiting: _Waiting) -> None:
        try:
            written = await self._alone(waiting.inbound)
        except Exception as error:  # noqa: BLE001 — handed to the one who waits for it
            if not waiting.answer.done():
                waiting.answer.set_exception(error)
        else:
            if not waiting.answer.done():
                waiting.answer.set_result(written)

    async def _alone(self, inbound: Inbound, replay: bool = False) -> list[OutboxMessage]:
        """One message in its own transaction, tried again while it fails, parked at the limit.

        A refusal is answered and changes nothing. A failure (a bug, or a commit that did not
        go through) undoes the turn and is counted; see `handlers.dead_letters`.
        """
        failures = 0
        while True:
            try:
                written = await self._transaction([inbound], replay, forget=failures > 0)
                return written[0]
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                if inbound.update_id is None:
                    attempts = failures      # nothing to count it by across processes
                else:
                    attempts = await dead_letters.count(self.deps, inbound, error)
                if replay:
                    raise
                if attempts < dead_letters.LIMIT:
                    dead_letters.log_retry(inbound, attempts, error)
                    continue
                written_parked = await dead_letters.park(self.deps, inbound, error)
                self._committed(written_parked)
                return written_parked

    async def _transaction(self, batch: list[Inbound], replay: bool = False,
                           forget: bool = False) -> list[list[OutboxMessage]]:
        """The one turn path: messages from different accounts, one transaction, each
        message's outbox rows returned in order (empty for a redelivery).

        The engine's one batching seam (docs/engine.md), and its rule: a batch commits
        together or raises, and the caller redoes each message alone, so one message never
        touches the others. Handlers therefore have no side effects outside the database (no
        sends, no calls out, no process state changed): what a turn owes is written as outbox
        rows. Alone, a refusal is answered in the same transaction (`_refused`); in a batch it
        splits the batch like any failure. `replay` hands in a parked update (recorded seen
        when it was parked); `forget` drops its dead-letter count once it goes through.
        """
        async with self.deps.uow() as uow:
            fresh = await self._fresh(uow, batch)
            live = batch if replay else fresh      # a parked update was recorded seen already
            known = await uow.people.by_channels_with_dialogs(
                [(i.sender.channel, i.sender.external_id) for i in live])
            turns: dict[int, Turn] = {}
            for inbound in live:
                turn = self._turn(uow, inbound, known[(inbound.sender.channel,
                                                       inbound.sender.external_id)])
                before = _Before.of(turn) if len(batch) == 1 else None
                try:
                    await self._route(turn)
                except DomainError as refusal:
                    if before is None:
                        raise
                    await self._refused(turn, before, refusal)
                    if not replay and not await self._fresh(uow, [inbound]):
                        return [[]]    # handled meanwhile by someone else, after our rollback
                turns[id(inbound)] = turn
            if replay or forget:
                for inbound in live:
                    if inbound.update_id is not None:
                        await uow.dead_letters.forget(inbound.sender.channel, inbound.update_id)
            await self._save_dialogs(uow, list(turns.values()))
            written = {key: turn.settle() for key, turn in turns.items()}
            everything = [m for messages in written.values() for m in messages]
            await uow.outbox.add_all(everything)
            await uow.commit()
        self._committed(everything)
        return [written.get(id(inbound), []) for inbound in batch]

    async def retry_parked(self, letter_id: int) -> bool | None:
        """Hand a parked update in again; on success its letter goes. None: no such letter."""
        async with self.deps.uow() as uow:
            letter = await uow.dead_letters.get(letter_id)
        if letter is None or letter.payload is None:
            return None
        try:
            await self._alone(Inbound.from_payload(letter.payload), replay=True)
        except Exception:  # noqa: BLE001 — counted on the letter; the caller says it failed
            return False
        return True

    def _committed(self, written: list[OutboxMessage]) -> None:
        """The senders are told at once: they claim what was just written (docs/delivery.md)."""
        if self.deps.on_committed:
            self.deps.on_committed()

    def _turn(self, uow: UnitOfWork, inbound: Inbound, caller: Caller) -> Turn:
        dialog = Dialog.from_json(caller.dialog)
        turn = Turn(uow, self.deps, inbound=self._trimmed(inbound), person=caller.person,
                    dialog=dialog, holds_post=caller.holds_post)
        if dialog.idle_since(turn.now, self.deps.limits.dialog_idle):
            dialog.reset()
            turn.say(texts.EXPIRED)
        if len(inbound.text) > self.deps.limits.max_text:
            turn.say(texts.TOO_LONG.format(n=self.deps.limits.max_text))
        return turn

    def _trimmed(self, inbound: Inbound) -> Inbound:
        limit = self.deps.limits.max_text
        if len(inbound.text) <= limit:
            return inbound
        return replace(inbound, text=inbound.text[:limit])

    async def _fresh(self, uow: UnitOfWork, batch: list[Inbound]) -> list[Inbound]:
        """Record the updates as seen; those seen before (redeliveries) drop out."""
        updates = [(i.sender.channel, i.update_id) for i in batch if i.update_id is not None]
        fresh = await uow.inbound.first_seen(updates)
        return [i for i in batch
                if i.update_id is None or (i.sender.channel, str(i.update_id)) in fresh]

    async def _refused(self, turn: Turn, before: _Before, refusal: DomainError) -> None:
        """A refusal undoes the message's changes, never the conversation; it is answered.

        No savepoint around the handler (SAVEPOINT and RELEASE are two more round trips on
        every message): a refusal rolls back the whole transaction, and the update is recorded
        seen again here. The dialog and earlier replies are kept in memory; the person is the
        one loaded, since whatever the handler created was rolled back.
        """
        message = catalogue.refusal(refusal)
        await turn.uow.rollback()
        del turn.replies[before.said:], turn.owed[before.owed:]
        turn.dialog = Dialog.from_json(before.dialog)
        if turn.inbound.kind not in (Kind.BUTTON, Kind.COMMAND) and refusal.key in moments.MOVED_ON \
                and "code" in turn.dialog.data:
            # The step was about an order that has moved on: waiting there again would answer
            # every later message with this refusal.
            turn.dialog.reset()
        turn.person, turn.rolled_back = before.person, True
        turn.say(message)

    async def _route(self, turn: Turn) -> None:
        await self.routes.dispatch(turn)

    async def _save_dialogs(self, uow: UnitOfWork, turns: list[Turn]) -> None:
        """Each sender's dialog where it now stands; a finished one is deleted."""
        kept: dict[tuple[str, str], dict[str, Any]] = {}
        finished: list[tuple[str, str]] = []
        for turn in turns:
            account = (turn.inbound.sender.channel, turn.inbound.sender.external_id)
            if turn.dialog.step is None and not turn.dialog.data:
                finished.append(account)
            else:
                turn.dialog.touched_at = turn.now
                kept[account] = turn.dialog.to_json()
        await uow.dialogs.clear_all(finished)
        await uow.dialogs.put_all(kept)
