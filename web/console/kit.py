"""What a console page module gets from the console's routes (web/console/routes.py): the same
session, CSRF check, transaction and answers as every other console page, so a module adds
pages without a rule of its own."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from handlers.deps import Deps
from handlers.work import Work
from storage.uow import UnitOfWork
from web.console.session import ConsoleSessions


@dataclass(frozen=True)
class Kit:
    uow: Callable[[], UnitOfWork]
    deps: Deps
    sessions: ConsoleSessions
    # The signed-in viewer (`.person`, `.id`, `.token`), or None.
    viewer: Callable[[Request], Awaitable[Any]]
    # A POST's viewer and form, or the answer refusing it (no session, a bad CSRF token).
    posted: Callable[[Request], Awaitable[tuple[Any, dict[str, Any], Response | None]]]
    # Run use cases in one transaction: (what they returned, None) or (None, the refusal).
    acting: Callable[[Callable[[Work], Awaitable[Any]]], Awaitable[tuple[Any, str | None]]]
    page: Callable[..., HTMLResponse]
    see_other: Callable[[str], Response]
    signed_out: Callable[[], HTMLResponse]
