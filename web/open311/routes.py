"""Open311 GeoReport v2 at /open311/v2/, plus FixMyStreet's servicerequestupdates.

Every route answers `.json` or `.xml`; errors are `errors[]{code, description}`. Reading is
public (the echo wall's view), except what a partner's key unlocks: its own orders, whole.
Filing and notes take a key and go through `handlers.partners`, the chat's own use cases.
"""
from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from domain.categories import Taxonomy
from domain.orders import State, WorkOrder
from domain.refusals import DomainError
from handlers import catalogue, partners, texts
from handlers.deps import Deps
from handlers.names import filed_notice
from handlers.use_cases import NotAllowed
from handlers.work import Work
from storage.repositories.api_keys import ApiKey
from storage.uow import UnitOfWork
from web.open311 import params, views
from web.open311.keys import RateLimit, partner
from web.open311.render import FORMATS, Open311Error, answer, error_answer

PREFIX = "/open311/v2"
# What a partner's POST does inside its transaction; answers the rows of the reply.
Acting = Callable[[Work, ApiKey, dict[str, Any]], Awaitable[list[dict[str, Any]]]]
CHANGESET = datetime(2026, 12, 7, tzinfo=UTC)     # when this API last changed shape


async def _guarded(fmt: str, work: Callable[[], Awaitable[Response]]) -> Response:
    try:
        if fmt not in FORMATS:
            raise Open311Error(404, texts.OPEN311_NOT_FOUND.format(what="." + fmt[:20]))
        return await work()
    except Open311Error as error:
        return error_answer(error, fmt)


def open311_routes(uow: Callable[[], UnitOfWork], deps: Deps, limit: RateLimit) -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    taxonomy, tree = deps.taxonomy, deps.router.tree
    publishable = [c.code for c in taxonomy if c.publishable]

    def category(code: str) -> Any:
        if code not in taxonomy:
            raise Open311Error(404, texts.OPEN311_NOT_FOUND.format(what=code[:40]))
        return taxonomy.get(code)

    def public(order: WorkOrder) -> bool:
        return order.category in publishable and order.state not in (State.INVALID, State.MERGED)

    async def shown(work_uow: UnitOfWork, found: list[WorkOrder],
                    key: ApiKey | None) -> list[dict[str, Any]]:
        mine = {o.code for o in found if key is not None and o.reporter_id == key.person_id}
        names = await work_uow.publishing.names({o.reporter_id for o in found
                                                 if o.code not in mine and o.reporter_id})
        return [views.partner_request(o, taxonomy, tree) if o.code in mine else
                views.public_request(o, taxonomy, tree,
                                     [n for n in names.get(o.reporter_id or 0, ()) if n])
                for o in found]

    @router.get("/discovery.{fmt}")
    async def discovery(request: Request, fmt: str) -> Response:
        async def work() -> Response:
            base = str(request.base_url).rstrip("/") + PREFIX
            return answer(views.discovery(base, CHANGESET), fmt, "discovery")
        return await _guarded(fmt, work)

    @router.get("/services.{fmt}")
    async def services(fmt: str) -> Response:
        async def work() -> Response:
            return answer([views.service(c) for c in taxonomy], fmt, "services")
        return await _guarded(fmt, work)

    @router.get("/services/{code}.{fmt}")
    async def service_definition(code: str, fmt: str) -> Response:
        async def work() -> Response:
            return answer(views.definition(category(code)), fmt, "service_definition")
        return await _guarded(fmt, work)

    @router.get("/requests.{fmt}")
    async def requests(request: Request, fmt: str) -> Response:
        async def work() -> Response:
            values = dict(request.query_params)
            async with uow() as open_uow:
                key = await partner(open_uow, params.text(values, "api_key"), limit)
                query = params.request_query(values, open_uow.clock.now())
                found = await open_uow.api_keys.requests(
                    query, key.person_id if key else None, publishable)
                return answer(await shown(open_uow, found, key), fmt, "service_requests")
        return await _guarded(fmt, work)

    @router.get("/requests/{code}.{fmt}")
    async def one_request(request: Request, code: str, fmt: str) -> Response:
        async def work() -> Response:
            values = dict(request.query_params)
            async with uow() as open_uow:
                key = await partner(open_uow, params.text(values, "api_key"), limit)
                order = await open_uow.orders.get(code[:40])
                if order is None or not (public(order) or (
                        key is not None and order.reporter_id == key.person_id)):
                    raise Open311Error(404, texts.OPEN311_NOT_FOUND.format(what=code[:40]))
                return answer(await shown(open_uow, [order], key), fmt, "service_requests")
        return await _guarded(fmt, work)

    @router.get("/tokens/{token}.{fmt}")
    async def by_token(token: str, fmt: str) -> Response:
        async def work() -> Response:
            async with uow() as open_uow:
                code = await open_uow.api_keys.by_token(token[:64])
            if code is None:
                raise Open311Error(404, texts.OPEN311_NOT_FOUND.format(what="token"))
            return answer([{"service_request_id": code, "token": token}], fmt,
                          "service_requests")
        return await _guarded(fmt, work)

    async def as_partner(request: Request, act: Acting) -> list[dict[str, Any]]:
        """A partner's POST: its key checked, `act` run in one transaction, senders woken."""
        values = await params.form(request)
        async with uow() as open_uow:
            key = await partner(open_uow, params.text(values, "api_key"), limit,
                                required=True)
            assert key is not None
            acting = Work(open_uow, deps)
            done = await act(acting, key, values)
            await acting.flush()
            await open_uow.commit()
        _committed(deps)
        return done

    async def filing(acting: Work, key: ApiKey, values: dict[str, Any]) -> list[dict[str, Any]]:
        order = await partners.file(acting, key.person_id, _report(values, taxonomy, deps))
        token = secrets.token_urlsafe(24)
        await acting.uow.api_keys.record_request(order.code, key, token)
        return [{"service_request_id": order.code, "token": token,
                 "service_notice": await filed_notice(acting, order)}]

    async def noting(acting: Work, key: ApiKey, values: dict[str, Any]) -> list[dict[str, Any]]:
        code = params.text(values, "service_request_id", required=True) or ""
        note = params.text(values, "description", required=True) or ""
        if len(note) > deps.limits.max_text:
            raise params.invalid("description")
        try:
            await partners.add_note(acting, key.person_id, code, note)
        except NotAllowed:
            raise Open311Error(403, texts.OPEN311_NOT_YOURS.format(code=code)) from None
        except DomainError as refused:
            status = 404 if refused.key == "NO_SUCH_ORDER" else 400
            raise Open311Error(status, catalogue.refusal(refused)) from None
        return [{"update_id": str(await acting.uow.api_keys.last_update_id(code, "commented"))}]

    @router.post("/requests.{fmt}")
    async def file_request(request: Request, fmt: str) -> Response:
        async def work() -> Response:
            return answer(await as_partner(request, filing), fmt, "service_requests")
        return await _guarded(fmt, work)

    @router.get("/servicerequestupdates.{fmt}")
    async def updates(request: Request, fmt: str) -> Response:
        async def work() -> Response:
            values = dict(request.query_params)
            async with uow() as open_uow:
                key = await partner(open_uow, params.text(values, "api_key"), limit,
                                    required=True)
                assert key is not None
                start, end = params.window(values, open_uow.clock.now())
                found = await open_uow.api_keys.updates(key.person_id, start, end,
                                                        views.FOLLOWED, params.MOST)
            return answer([views.request_update(u) for u in found], fmt,
                          "service_request_updates")
        return await _guarded(fmt, work)

    @router.post("/servicerequestupdates.{fmt}")
    async def post_update(request: Request, fmt: str) -> Response:
        async def work() -> Response:
            return answer(await as_partner(request, noting), fmt, "service_request_updates")
        return await _guarded(fmt, work)

    @router.api_route("/{rest:path}", methods=["GET", "POST"])
    async def nowhere(rest: str) -> Response:
        path, _, fmt = rest.rpartition(".") if "." in rest else (rest, "", "json")
        return error_answer(Open311Error(404, texts.OPEN311_NOT_FOUND.format(
            what=path[:40])), fmt)

    return router


def _report(values: dict[str, Any], taxonomy: Taxonomy, deps: Deps) -> partners.PartnerReport:
    """The POST's fields as a report; a missing place or an unknown category is a 400."""
    code = params.text(values, "service_code", required=True) or ""
    if code not in taxonomy:
        raise params.invalid("service_code")
    lat = params.coordinate(values, "lat", 90.0)
    lng = params.coordinate(values, "long", 180.0)
    address = params.text(values, "address_string") or params.text(values, "address_id")
    if (lat is None) != (lng is None) or (lat is None and not address):
        raise Open311Error(400, texts.OPEN311_MISSING.format(field="lat/long, address_string"))
    description = params.text(values, "description") or ""
    if len(description) > deps.limits.max_text:
        raise params.invalid("description")
    return partners.PartnerReport(code, description, lat, lng, address)


def _committed(deps: Deps) -> None:
    """The senders are told at once, as after a chat turn (docs/delivery.md)."""
    if deps.on_committed:
        deps.on_committed()
