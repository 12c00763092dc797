"""The staff console at /console: sign in from a chat link, the list, an order, its actions.

Every page needs a live session (a signed HttpOnly, SameSite=Strict cookie whose token the
database knows); every change is a POST carrying the session's CSRF token. An order the viewer
may not see answers 404 exactly as one that does not exist, so codes cannot be probed.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from domain.calendar import SHANGHAI
from domain.refusals import DomainError
from handlers import catalogue, console, console_figures, texts
from handlers.deps import Deps
from handlers.ledger import Books
from handlers.ledger_files import FORMATS, csv_chunks, write_xlsx
from handlers.work import Work
from storage.records import Person
from storage.repositories.orders import StaleOrder
from storage.uow import UnitOfWork
from web.console import agenda_page, figures_page, map_page, meetings_page, views
from web.console.kit import Kit
from web.console.list_page import list_page
from web.console.order_page import order_page
from web.console.pages import message_page, sign_in_page
from web.console.params import CODE, PAGE_SIZE, anchor, order_filter, page_number
from web.console.session import ConsoleSessions

STYLE = Path(__file__).with_name("console.css")
POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
           "Content-Security-Policy": POLICY}
MOST_BULK = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page(html: str, status: int = 200, policy: str = POLICY) -> HTMLResponse:
    """A console page; `policy` is its Content-Security-Policy (the map's runs this server's
    scripts, the figures' shows charts as data: images)."""
    return HTMLResponse(html, status_code=status,
                        headers={**HEADERS, "Content-Security-Policy": policy})


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=HEADERS)


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form as {name: value or [values]}; a body that does not parse is empty."""
    try:
        form = await request.form()
    except Exception:   # noqa: BLE001 — any malformed body is simply no form
        return {}
    return {key: (values if len(values := form.getlist(key)) > 1 else values[0])
            for key in form}


def text_of(form: dict[str, Any], name: str, most: int = 500) -> str:
    value = form.get(name, "")
    return value[:most] if isinstance(value, str) else ""


class Viewer:
    """The signed-in person and their session token."""

    def __init__(self, person: Person, token: str):
        self.person, self.token = person, token

    @property
    def id(self) -> int:
        return self.person.id or 0


def console_routes(uow: Callable[[], UnitOfWork], deps: Deps, sessions: ConsoleSessions,
                   link: Callable[[str | None], str | None]) -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)
    hours = int(sessions.lifetime.total_seconds() // 3600)
    kept = console_figures.Kept()     # the figures of ended weeks, read once

    async def viewer(request: Request) -> Viewer | None:
        token = sessions.token_of(request)
        if token is None:
            return None
        async with uow() as open_uow:
            person_id = await open_uow.console_links.session_of(token)
            person = await open_uow.people.get(person_id) if person_id else None
        return Viewer(person, token) if person is not None else None

    def signed_out() -> HTMLResponse:
        return page(message_page(texts.CONSOLE_NEED_SIGN_IN), 401)

    def not_found() -> HTMLResponse:
        return page(message_page(texts.CONSOLE_NOT_FOUND), 404)

    async def posted(request: Request) -> tuple[Viewer | None, dict[str, Any], Response | None]:
        """The viewer and form of a POST, or the answer refusing it (no session, bad token)."""
        who = await viewer(request)
        if who is None:
            return None, {}, signed_out()
        form = await form_of(request)
        if not sessions.csrf_ok(who.token, form.get("csrf")):
            return who, form, page(message_page(texts.CONSOLE_STALE_FORM), 403)
        return who, form, None

    async def acting(work: Callable[[Work], Awaitable[Any]]) -> tuple[Any, str | None]:
        """Run `work` in one transaction; the refusal's words if a use case refused."""
        async with uow() as open_uow:
            doing = Work(open_uow, deps)
            try:
                done = await work(doing)
            except DomainError as refused:
                return None, catalogue.refusal(refused)
            except StaleOrder:
                return None, texts.CONSOLE_STALE_FORM
            await doing.flush()
            await open_uow.commit()
        if deps.on_committed:
            deps.on_committed()   # the senders are told at once, as after a chat turn
        return done, None

    @router.get("/console.css")
    async def style() -> FileResponse:
        return FileResponse(STYLE, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @router.get("/login")
    async def login_page(t: str = "") -> HTMLResponse:
        if not t or len(t) > 100:
            return page(message_page(texts.CONSOLE_LINK_REFUSED), 403)
        return page(sign_in_page(t, hours))

    @router.post("/login")
    async def login(request: Request) -> Response:
        # Another site's page may not spend a link (no-referrer pages send Origin: null).
        origin = request.headers.get("origin", "null")
        if origin != "null" and urlsplit(origin).netloc != request.url.netloc:
            return page(message_page(texts.CONSOLE_LINK_REFUSED), 403)
        token = text_of(await form_of(request), "t", 100)
        session = sessions.new_token()
        async with uow() as open_uow:
            person_id = await open_uow.console_links.redeem(token, session, sessions.lifetime) \
                if token else None
            await open_uow.commit()
        if person_id is None:
            return page(message_page(texts.CONSOLE_LINK_REFUSED), 403)
        answer = see_other("/console")
        sessions.open(answer, session)
        return answer

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        who, _, refused = await posted(request)
        if refused is not None and who is not None:
            return refused
        if who is not None:
            async with uow() as open_uow:
                await open_uow.console_links.sign_out(who.token)
                await open_uow.commit()
        answer = page(message_page(texts.CONSOLE_SIGNED_OUT))
        sessions.close(answer)
        return answer

    @router.get("")
    async def orders(request: Request) -> Response:
        who = await viewer(request)
        if who is None:
            return signed_out()
        values = {k: v[:100] for k, v in request.query_params.items()
                  if k not in ("bulk", "done")}
        number = page_number(values)
        after, before = anchor(values, "after"), anchor(values, "before")
        async with uow() as open_uow:
            work = Work(open_uow, deps)
            scope = await console.scope_of(work, who.id)
            wanted = order_filter(values, deps.router.tree, deps.taxonomy)
            found = await open_uow.order_list.page(scope, wanted, number, PAGE_SIZE, after,
                                                   before)
            rows = [views.row(work, o, work.now) for o in found.orders]
            offered = views.choices(work, scope)
            name = await views.who(work, who.person)
        said = ""
        bulk = request.query_params.get("bulk", "")
        done, _, failed = bulk.partition("-")
        if done.isdigit() and failed.isdigit():
            said = texts.CONSOLE_BULK_DONE.format(done=int(done), failed=int(failed))
        return page(list_page(values, rows, number, found.later, offered, offered.grids, name,
                              sessions.csrf(who.token), said, found.earlier, found.total,
                              found.most))

    @router.get("/export.{form}")
    async def export_ledger(request: Request, form: str) -> Response:
        """The ledger (台账) of the list as filtered, within the viewer's scope, streamed."""
        who = await viewer(request)
        if who is None:
            return signed_out()
        if form not in FORMATS:
            return not_found()
        values = {k: v[:100] for k, v in request.query_params.items()}
        async with uow() as open_uow:
            work = Work(open_uow, deps)
            scope = await console.scope_of(work, who.id)
            now = work.now
        wanted = order_filter(values, deps.router.tree, deps.taxonomy)
        books = Books(uow, deps.router.tree, deps.taxonomy, scope)
        events = values.get("events") == "1"
        name = (texts.LEDGER_EVENT_SHEET if events else texts.LEDGER_SHEET) + \
            f"-{now.astimezone(SHANGHAI):%Y%m%d}.{form}"
        headers = {**HEADERS, "Content-Disposition": "attachment; filename=ledger." + form
                   + "; filename*=UTF-8''" + quote(name)}
        if form == "csv":
            return StreamingResponse(csv_chunks(books, wanted, now, events),
                                     media_type="text/csv; charset=utf-8", headers=headers)
        spool = SpooledTemporaryFile(max_size=8 * 2**20)   # noqa: SIM115 (closed when sent)
        await write_xlsx(books, wanted, spool, now, events)   # type: ignore[arg-type]
        spool.seek(0)

        def chunks() -> Iterator[bytes]:
            with spool:
                yield from iter(lambda: spool.read(2**16), b"")
        return StreamingResponse(chunks(), media_type=XLSX, headers=headers)

    @router.get("/map")
    async def district_map(request: Request, weeks: str = "") -> Response:
        who = await viewer(request)
        if who is None:
            return signed_out()
        async with uow() as open_uow:
            work = Work(open_uow, deps)
            scope = await console.scope_of(work, who.id)
            view = await map_page.map_view(work, scope, weeks[:4])
            name = await views.who(work, who.person)
        return page(map_page.map_page(view, name, sessions.csrf(who.token)),
                    policy=map_page.POLICY)

    @router.get("/figures")
    async def figures(request: Request, period: str = "") -> Response:
        who = await viewer(request)
        if who is None:
            return signed_out()
        async with uow() as open_uow:
            work = Work(open_uow, deps)
            scope = await console.scope_of(work, who.id)
            found = await console_figures.figures_of(work, scope, period[:20], kept)
            html = figures_page.figures_page(found, await views.who(work, who.person),
                                             sessions.csrf(who.token), work)
        return page(html, policy=figures_page.POLICY)

    async def show(who: Viewer, code: str, said: str = "", contact: str = "",
                   status: int = 200) -> Response:
        async with uow() as open_uow:
            work = Work(open_uow, deps)
            order = await console.open_order(work, who.person, code[:40])
            if order is None:
                return not_found()
            view = await views.order_view(work, who.id, order, link)
            name = await views.who(work, who.person)
        return page(order_page(view, name, sessions.csrf(who.token), said, contact), status)

    @router.get("/orders/{code}")
    async def order(request: Request, code: str, done: str = "") -> Response:
        who = await viewer(request)
        if who is None:
            return signed_out()
        label = texts.CONSOLE_ACTION_LABELS.get(done)
        return await show(who, code, texts.CONSOLE_DONE.format(action=label) if label else "")

    async def visible(who: Viewer, code: str) -> bool:
        async with uow() as open_uow:
            return await console.open_order(Work(open_uow, deps), who.person, code) is not None

    @router.post("/orders/{code}/act")
    async def act(request: Request, code: str) -> Response:
        who, form, refused = await posted(request)
        if refused is not None or who is None:
            return refused or signed_out()
        if not CODE.fullmatch(code) or not await visible(who, code):
            return not_found()
        action = text_of(form, "action", 20)
        words = text_of(form, "words", deps.limits.max_text)
        target = text_of(form, "target", 40)
        _, refusal = await acting(lambda work: console.act(work, who.id, code, action, words,
                                                           target))
        if refusal is not None:
            return await show(who, code, refusal, status=400)
        return see_other(f"/console/orders/{code}?done={action}")

    @router.post("/orders/{code}/contact")
    async def contact(request: Request, code: str) -> Response:
        who, _, refused = await posted(request)
        if refused is not None or who is None:
            return refused or signed_out()
        if not CODE.fullmatch(code) or not await visible(who, code):
            return not_found()
        shown, refusal = await acting(lambda work: console.view_contact(work, who.id, code))
        return await show(who, code, refusal or "", shown or "", 400 if refusal else 200)

    @router.post("/bulk-assign")
    async def bulk_assign(request: Request) -> Response:
        who, form, refused = await posted(request)
        if refused is not None or who is None:
            return refused or signed_out()
        codes = form.get("codes", [])
        codes = [codes] if isinstance(codes, str) else codes
        target = text_of(form, "target", 40)
        done = failed = 0
        for code in [c for c in codes if isinstance(c, str)][:MOST_BULK]:
            ok = CODE.fullmatch(code) is not None and await visible(who, code)
            if ok:
                def assign(work: Work, code: str = code) -> Awaitable[Any]:
                    return console.act(work, who.id, code, "assign", target=target)
                _, refusal = await acting(assign)
                ok = refusal is None
            done, failed = done + ok, failed + (not ok)
        back = text_of(form, "back", 1000)
        back = back if back.startswith("/console") and "//" not in back else "/console"
        return see_other(back + ("&" if "?" in back else "?") + f"bulk={done}-{failed}")

    # 议事's pages, in modules of their own, on the same session, CSRF check and transaction.
    kit = Kit(uow, deps, sessions, viewer, posted, acting, page, see_other, signed_out)
    agenda_page.add_routes(router, kit)
    meetings_page.add_routes(router, kit)
    return router
