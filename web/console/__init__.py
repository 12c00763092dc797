"""The staff console: /console, opened by a one-time link a staff member asks for in chat."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response

from handlers import texts
from handlers.console_link import is_staff, issue_link
from handlers.deps import Deps
from handlers.work import Work
from storage.uow import UnitOfWork
from web.console.pages import message_page
from web.console.routes import console_routes, page
from web.console.session import console_sessions


def mount_console(app: FastAPI, uow: Callable[[], UnitOfWork], deps: Deps) -> None:
    """Adds /console to the app; sessions are signed with the settings' secret key."""
    links = app.state.links
    sessions = console_sessions(app.state.services.settings, links.secret)
    app.state.console_sessions = sessions
    app.include_router(console_routes(uow, deps, sessions, links.link))


def add_demo_console(app: FastAPI, uow: Callable[[], UnitOfWork], deps: Deps,
                     sessions: dict[str, str], channel: str) -> None:
    """The demo's one click from a staff pane into the console: the pane's person is given a
    link as if they had sent /console in chat, and taken to it. Demo only: no sign-in."""
    @app.get("/console/demo/{pane}", include_in_schema=False)
    async def open_console(pane: str) -> Response:
        account = sessions.get(pane)
        url: str | None = None
        if account is not None:
            async with uow() as open_uow:
                person = await open_uow.people.by_channel(channel, account)
                work = Work(open_uow, deps)
                if person is not None and await is_staff(work, person.id):
                    url = await issue_link(work, person.id or 0)
                    await open_uow.commit()
        if url is None:
            return page(message_page(texts.CONSOLE_STAFF_ONLY), 404)
        parts = urlsplit(url)
        return RedirectResponse(f"{parts.path}?{parts.query}", status_code=303)


__all__ = ["add_demo_console", "mount_console"]
