"""The report's phone step: "留个电话方便网格长联系？", answered by Telegram's share button, by a
typed number, or by 跳过. The number is kept on the person (only the holder of their order may
look at it, see handlers/order_view.py); nobody is asked twice once one is on file.
"""
from __future__ import annotations

from dataclasses import replace

from handlers import actions, texts
from handlers.dialog import Turn, back_choice, choices
from handlers.messages import Kind, Outbound
from handlers.order_view import phone_number

STEP = "contact"          # the report's `expecting` while the question is open
ADVANCE, DONE = "advance", "done"


def wanted(turn: Turn) -> bool:
    """Asked of a reporter with no number on file."""
    return turn.person is not None and not turn.person.phone


def ask(turn: Turn, again: str = texts.ASK_PHONE) -> None:
    sender = turn.inbound.sender
    turn.replies.append(Outbound(sender.channel, sender.external_id, again,
                                 tuple(choices((texts.SKIP, actions.Skip()), *back_choice(turn),
                                               (texts.CANCEL, actions.Cancel()))),
                                 ask_contact=texts.SHARE_PHONE))


async def taken(turn: Turn, expecting: str) -> str | None:
    """What became of this input if it answers the phone question: ADVANCE to the next step,
    DONE (answered here), or None when it is not about a phone at all."""
    inbound, text = turn.inbound, turn.inbound.text.strip()
    if inbound.kind is Kind.CONTACT:
        # The transport leaves `phone` empty for a contact card that is not the sender's own.
        if not inbound.phone:
            turn.say(texts.PHONE_NOT_YOURS)
            return DONE
        if not await _keep(turn, inbound.phone, shared=True):
            ask(turn, texts.PHONE_NOT_UNDERSTOOD)
            return DONE
        return ADVANCE if turn.dialog.step == "report" else DONE
    if expecting != STEP or inbound.kind is not Kind.TEXT:
        return None
    if text == texts.SKIP:            # Telegram's reply keyboard sends its labels as text
        return ADVANCE
    if text == texts.CANCEL:
        turn.dialog.reset()
        turn.say(texts.CANCELLED)
        return DONE
    if await _keep(turn, text):
        return ADVANCE
    ask(turn, texts.PHONE_NOT_UNDERSTOOD)
    return DONE


async def _keep(turn: Turn, given: str, shared: bool = False) -> bool:
    phone = phone_number(given, shared)
    if phone is None or turn.person is None:
        return False
    turn.person = await turn.uow.people.upsert(replace(turn.person, phone=phone))
    turn.say(texts.PHONE_SAVED)
    return True
