"""评单: solved or not, then the five-level satisfaction; unsatisfied asks why and reopens."""
from __future__ import annotations

from domain.orders import Satisfaction
from domain.refusals import DomainError
from handlers import catalogue, texts, use_cases
from handlers.dialog import Turn, button, choices, step
from handlers.stored import stored_id


@button("solved")
async def solved(turn: Turn) -> None:
    code, _, answer = turn.arg.partition(":")
    order = await turn.uow.orders.get(code)
    if order is None or turn.person is None or order.reporter_id != turn.person.id:
        raise DomainError("NO_SUCH_ORDER")   # only the reporter rates
    turn.say(texts.ASK_SATISFACTION, choices(*(
        (catalogue.label(level), f"rate:{code}:{answer or '0'}:{level.value}") for level in Satisfaction)))


@button("rate")
async def rate(turn: Turn) -> None:
    code, solved_flag, level = (turn.arg.split(":", 2) + ["", ""])[:3]
    if level not in {s.value for s in Satisfaction}:
        turn.say(texts.NOT_UNDERSTOOD)   # forged or garbled button data: nothing to do
        return
    satisfaction = Satisfaction(level)
    if turn.person is None:
        raise use_cases.NotAllowed()
    if satisfaction.is_satisfied:
        await use_cases.rate(turn, stored_id(turn.person), code, solved_flag == "1", satisfaction)
        turn.say(texts.THANKS_RATED.format(code=code))
        return
    turn.dialog.reset()
    turn.dialog.go("unsatisfied", code=code, solved=solved_flag == "1", level=level)
    turn.say(texts.ASK_UNSATISFIED_REASON, choices((texts.CANCEL, "cancel"),))


@step("unsatisfied")
async def unsatisfied_reason(turn: Turn) -> None:
    data, reason = turn.dialog.data, turn.inbound.text.strip()
    if not reason:
        turn.say(texts.ASK_UNSATISFIED_REASON)
        return
    if turn.person is None:
        raise use_cases.NotAllowed()   # as at the button: only a person who reported rates
    turn.dialog.reset()
    await use_cases.rate(turn, stored_id(turn.person), data["code"], data["solved"],
                         Satisfaction(data["level"]), reason,
                         escalation_reason=texts.REOPENED_TWICE_REASON)
    turn.say(texts.REOPENED_NOTICE.format(code=data["code"]))
