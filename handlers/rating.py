"""评单: solved or not, then the five-level satisfaction; unsatisfied asks why and reopens.

Each press is checked against the order as it is now: a rating asked for an order already
rated, closed or reopened is out of date, and says so (`handlers.moments`).
"""
from __future__ import annotations

from domain.orders import Satisfaction
from domain.refusals import DomainError
from handlers import actions, catalogue, moments, texts, use_cases
from handlers.dialog import Turn, choices
from handlers.onboarding import next_steps
from handlers.routes import Router
from handlers.stored import stored_id

router = Router()


@router.button(actions.Solved)
async def solved(turn: Turn, action: actions.Solved) -> None:
    order = await turn.uow.orders.get(action.code)
    if order is None or turn.person is None or order.reporter_id != turn.person.id:
        raise DomainError("NO_SUCH_ORDER")   # only the reporter rates
    await moments.still_current(turn, action, order.code)
    turn.say(texts.ASK_SATISFACTION, choices(*(
        (catalogue.label(level), actions.Rate(order.code, action.solved, level.value))
        for level in Satisfaction)))


@router.button(actions.Rate)
async def rate(turn: Turn, action: actions.Rate) -> None:
    if action.level not in {s.value for s in Satisfaction}:
        raise actions.ForeignButton()   # forged or garbled button data: nothing to do
    satisfaction = Satisfaction(action.level)
    order = await turn.uow.orders.get(action.code)
    if order is None or turn.person is None or order.reporter_id != turn.person.id:
        raise DomainError("NO_SUCH_ORDER")   # only the reporter rates, checked at the press
    await moments.still_current(turn, action, action.code)
    if satisfaction.is_satisfied:
        await use_cases.rate(turn, stored_id(turn.person), action.code, action.solved, satisfaction)
        turn.say(texts.THANKS_RATED.format(code=action.code), await next_steps(turn))
        return
    turn.dialog.reset()
    turn.dialog.go("unsatisfied", code=action.code, solved=action.solved, level=action.level)
    turn.say(texts.ASK_UNSATISFIED_REASON, choices((texts.CANCEL, actions.Cancel()),))


@router.step("unsatisfied")
async def unsatisfied_reason(turn: Turn) -> None:
    data, reason = turn.dialog.data, turn.inbound.text.strip()
    if not reason:
        turn.say(texts.ASK_UNSATISFIED_REASON, choices((texts.CANCEL, actions.Cancel()),))
        return
    if turn.person is None:
        raise use_cases.NotAllowed()   # as at the button: only a person who reported rates
    # The order may have closed while the reason was being typed (the rating window).
    await moments.still_current(turn, actions.Rate(data["code"], data["solved"], data["level"]),
                                data["code"])
    turn.dialog.reset()
    await use_cases.rate(turn, stored_id(turn.person), data["code"], data["solved"],
                         Satisfaction(data["level"]), reason,
                         escalation_reason=texts.REOPENED_TWICE_REASON)
    turn.say(texts.REOPENED_NOTICE.format(code=data["code"]), await next_steps(turn))
