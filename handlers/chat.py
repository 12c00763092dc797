"""The one door every channel knocks on: an `Inbound` in, outbox rows out, exactly once."""
from __future__ import annotations

import logging

from domain.invites import InviteRefused
from domain.orders import DomainError

# The dialogs register their handlers on import.
from handlers import onboarding, queries, rating, report, subscriptions, texts, workbench  # noqa: F401
from handlers.deps import Deps
from handlers.dialog import BUTTONS, COMMANDS, STEPS, Dialog, Turn
from handlers.messages import Inbound, Kind
from storage.records import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class Chat:
    def __init__(self, deps: Deps):
        self.deps = deps

    async def receive(self, inbound: Inbound) -> list[OutboxMessage]:
        """Handle one message: the order, its events, the dialog and the replies commit together.

        A redelivered update (same platform id) is recognised and changes nothing.
        """
        sender = inbound.sender
        async with self.deps.uow() as uow:
            if await self._seen_before(uow, inbound):
                return []
            person, state = await uow.people.by_channel_with_dialog(sender.channel,
                                                                    sender.external_id)
            dialog = Dialog.from_json(state)
            turn = Turn(uow, self.deps, inbound=self._trimmed(inbound), person=person,
                        dialog=dialog)
            if dialog.idle_since(turn.now, self.deps.limits.dialog_idle):
                dialog.reset()
                turn.say(texts.EXPIRED)
            if len(inbound.text) > self.deps.limits.max_text:
                turn.say(texts.TOO_LONG.format(n=self.deps.limits.max_text))
            if not await self._handle_safely(turn) and await self._seen_before(uow, inbound):
                return []   # handled meanwhile by someone else, after our rollback
            await self._save_dialog(turn)
            written = await turn.flush()
            await uow.commit()
        if self.deps.on_committed:
            self.deps.on_committed()
        return written

    def _trimmed(self, inbound: Inbound) -> Inbound:
        limit = self.deps.limits.max_text
        if len(inbound.text) <= limit:
            return inbound
        from dataclasses import replace
        return replace(inbound, text=inbound.text[:limit])

    async def _seen_before(self, uow: UnitOfWork, inbound: Inbound) -> bool:
        """Record the update as seen; True when it had been (a redelivery)."""
        return inbound.update_id is not None and await uow.inbound.seen(
            inbound.sender.channel, inbound.update_id)

    async def _handle_safely(self, turn: Turn) -> bool:
        """A refusal or a bug undoes this message's changes, never the conversation; False then.

        No savepoint around the handler (SAVEPOINT and RELEASE are two more round trips on
        every message): a failure rolls back the whole transaction, and the caller records the
        update as seen again in the next one. The dialog and earlier replies are kept in memory.
        """
        before = turn.dialog.to_json()
        said, owed = len(turn.replies), len(turn.owed)
        try:
            await self._route(turn)
            return True
        except (DomainError, InviteRefused) as refusal:
            message = str(refusal)
        except Exception:
            log.exception("handling %s from %s failed", turn.inbound.kind, turn.inbound.sender)
            message = "抱歉，系统出了点问题，您的这条消息没有处理成功，请稍后再试。"
        await turn.uow.rollback()
        del turn.replies[said:], turn.owed[owed:]
        turn.dialog = Dialog.from_json(before)
        turn.say(message)
        return False

    async def _route(self, turn: Turn) -> None:
        inbound = turn.inbound
        if inbound.kind is Kind.COMMAND:
            handler = COMMANDS.get(inbound.command or "")
            if handler is None:
                turn.say(texts.NOT_UNDERSTOOD)
                return
            await handler(turn)
            return
        if inbound.kind is Kind.BUTTON:
            handler = BUTTONS.get((inbound.button or "").split(":", 1)[0])
            if handler is None:
                turn.say(texts.NOT_UNDERSTOOD)
                return
            await handler(turn)
            return
        if inbound.kind is Kind.UNSUPPORTED:
            turn.say(texts.UNSUPPORTED)
            return
        handler = STEPS.get(turn.dialog.step or "idle") or STEPS["idle"]
        await handler(turn)

    async def _save_dialog(self, turn: Turn) -> None:
        sender = turn.inbound.sender
        if turn.dialog.step is None and not turn.dialog.data:
            await turn.uow.dialogs.clear(sender.channel, sender.external_id)
            return
        turn.dialog.touched_at = turn.now
        await turn.uow.dialogs.put(sender.channel, sender.external_id, turn.dialog.to_json())
