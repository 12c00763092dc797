"""Which handler answers a turn: each dialog module's router, assembled by the chat.

A dialog module declares its commands, its buttons (by typed action, `handlers.actions`) and
its steps on a `Router` of its own; `Routes(onboarding.router, report.router, …)` assembles them
explicitly and refuses a key declared twice, so nothing depends on which module was imported
last. A button's data is decoded once, here: a handler receives the action, never the string.

Three words are understood at every step of every dialog: 返回 (one question back, what was
given kept; from a lone question, such as a reason, it leaves), 取消 and 退出 (leave the dialog,
as /cancel does).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from handlers import actions, texts
from handlers.actions import Action
from handlers.dialog import Handler, Turn
from handlers.messages import Inbound, Kind

A = TypeVar("A", bound=Action)
Pressed = Callable[[Turn, Any], Awaitable[None]]
H = TypeVar("H", bound=Handler)
CANCEL_COMMAND = "cancel"


class DuplicateRoute(ValueError):
    """Two handlers for one command, action or step."""


def _add(table: dict[Any, Any], key: Any, value: Any) -> None:
    if key in table:
        raise DuplicateRoute(f"{key!r} is declared twice")
    table[key] = value


class Router:
    """One dialog module's commands, buttons and steps."""

    def __init__(self) -> None:
        self.commands: dict[str, Handler] = {}
        self.buttons: dict[type[Action], Pressed] = {}
        self.steps: dict[str, Handler] = {}
        self.revisits: dict[str, Handler] = {}

    def command(self, *names: str) -> Callable[[H], H]:
        def register(handler: H) -> H:
            for name in names:
                _add(self.commands, name, handler)
            return handler
        return register

    def button(self, kind: type[A]) -> Callable[[Callable[[Turn, A], Awaitable[None]]],
                                                Callable[[Turn, A], Awaitable[None]]]:
        """Handles a press of `kind`; the handler receives the decoded action."""
        def register(handler: Callable[[Turn, A], Awaitable[None]]
                     ) -> Callable[[Turn, A], Awaitable[None]]:
            _add(self.buttons, kind, handler)
            return handler
        return register

    def step(self, name: str) -> Callable[[H], H]:
        """Handles free input (text, photo, location, voice) while the dialog waits at `name`."""
        def register(handler: H) -> H:
            _add(self.steps, name, handler)
            return handler
        return register

    def revisit(self, name: str) -> Callable[[H], H]:
        """Asks the question of step `name` again, when "back" returns to it."""
        def register(handler: H) -> H:
            _add(self.revisits, name, handler)
            return handler
        return register


def is_back_word(inbound: Inbound) -> bool:
    return inbound.kind is Kind.TEXT and inbound.text.strip() in texts.BACK_WORDS


def is_cancel_word(inbound: Inbound) -> bool:
    return inbound.kind is Kind.TEXT and inbound.text.strip() in texts.CANCEL_WORDS


class Routes:
    """The routers of every dialog, assembled; a key declared by two of them is refused."""

    def __init__(self, *routers: Router) -> None:
        self.commands: dict[str, Handler] = {}
        self.buttons: dict[type[Action], Pressed] = {actions.Back: self._pressed_back}
        self.steps: dict[str, Handler] = {}
        self.revisits: dict[str, Handler] = {}
        for router in routers:
            for table, own in ((self.commands, router.commands), (self.buttons, router.buttons),
                               (self.steps, router.steps), (self.revisits, router.revisits)):
                for key, handler in own.items():
                    _add(table, key, handler)
        if "idle" not in self.steps or CANCEL_COMMAND not in self.commands:
            raise ValueError("the routes need an idle step and a cancel command")

    async def dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        if inbound.kind is Kind.COMMAND:
            handler = self.commands.get(inbound.command or "")
            if handler is None:
                turn.say(texts.NOT_UNDERSTOOD)
                return
            await handler(turn)
            return
        if inbound.kind is Kind.BUTTON:
            action = actions.decode(inbound.button)   # ForeignButton: refused, nothing changes
            pressed = self.buttons.get(type(action))
            if pressed is None:
                raise actions.ForeignButton()
            await pressed(turn, action)
            return
        if inbound.kind is Kind.UNSUPPORTED:
            turn.say(texts.UNSUPPORTED)
            return
        if is_back_word(inbound) and (turn.dialog.history or turn.dialog.step is None):
            await self.back(turn)
            return
        if is_cancel_word(inbound) or is_back_word(inbound):
            # Back from a question with none before it (a reason, a note) leaves it.
            await self.commands[CANCEL_COMMAND](turn)
            return
        handler = self.steps.get(turn.dialog.step or "idle") or self.steps["idle"]
        await handler(turn)

    async def _pressed_back(self, turn: Turn, action: actions.Back) -> None:
        await self.back(turn)

    async def back(self, turn: Turn) -> None:
        """Back one question: it is asked again, what was given so far is kept."""
        if not turn.dialog.history:
            turn.say(texts.BACK_NOTHING)
            return
        if turn.dialog.back() is None:
            turn.say(texts.BACK_FIRST)
        ask_again = self.revisits.get(turn.dialog.step or "")
        if ask_again is None:
            turn.say(texts.BACK_NOTHING)
            return
        await ask_again(turn)
