"""The console's 议题 pages: /console/agenda lists the items held at, or raised in, the viewer's
subtree by state and level; /console/agenda/{code} shows one item whole — its timeline,
supports, comments, decision, owner, deadline, tasks and progress, and the meetings that took
it up. Read-only: decisions are recorded at a meeting (web/console/meetings_page.py).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.agenda import AgendaItem, AgendaState
from domain.grids import GridTree, Level
from domain.meetings import Meeting, MeetingState
from handlers import catalogue, console, texts
from handlers.messages import work_time
from handlers.work import Work
from web.console import views
from web.console.kit import Kit
from web.console.pages import e, layout, notice, select
from web.console.params import CODE, PAGE_SIZE, page_number


def unit_at_level(tree: GridTree, code: str) -> str:
    """A unit as 「社区 · 江畔社区」."""
    if code not in tree:
        return code
    grid = tree.get(code)
    return texts.CONSOLE_UNIT_AT_LEVEL.format(level=catalogue.label(grid.level), unit=grid.name)


def meeting_title(tree: GridTree, meeting: Meeting) -> str:
    name = tree.get(meeting.unit_code).name if meeting.unit_code in tree else meeting.unit_code
    return texts.CONSOLE_MEETING_TITLE.format(
        kind=texts.MEETING_KIND_LABELS.get(meeting.level.value, ""), unit=name)


def percent(n: int) -> str:
    return texts.CONSOLE_PERCENT.format(n=n)


async def visible_item(work: Work, person_id: int, code: str) -> AgendaItem | None:
    """The item, if it is held at or was raised in the person's subtree; None alike for one
    that does not exist."""
    item = await work.uow.agenda.get(code) if CODE.fullmatch(code) else None
    if item is None:
        return None
    grids = (await console.scope_of(work, person_id)).grids
    return item if item.scope_code in grids or item.grid_code in grids else None


def _options(values: Mapping[str, str]) -> str:
    any_ = [("", texts.CONSOLE_ANY)]
    names = texts.CONSOLE_AGENDA_FIELDS
    levels = [(lv.value, catalogue.label(lv)) for lv in sorted(Level, key=lambda lv: lv.rank)]
    return (f'<form method="get" action="/console/agenda" class="filters">'
            f'{select("state", names["state"], [*any_, *texts.AGENDA_STATE_LABELS.items()], values.get("state", ""))}'
            f'{select("level", names["level"], [*any_, *levels], values.get("level", ""))}'
            f'<div class="buttons"><button type="submit" class="primary">{e(texts.CONSOLE_FILTER)}'
            f'</button><a href="/console/agenda">{e(texts.CONSOLE_RESET)}</a></div></form>')


def _row(tree: GridTree, item: AgendaItem) -> str:
    cols = texts.CONSOLE_AGENDA_COLUMNS
    cells = [("code", f'<a href="/console/agenda/{e(item.code)}">{e(item.code)}</a>'),
             ("title", e(item.title)), ("unit", e(unit_at_level(tree, item.scope_code))),
             ("state", e(catalogue.label(item.state))), ("supports", e(len(item.supporters))),
             ("progress", e(percent(item.progress))), ("created", e(work_time(item.created_at)))]
    return (f'<tr data-code="{e(item.code)}">'
            + "".join(f'<td data-label="{e(cols[k])}">{v}</td>' for k, v in cells) + "</tr>")


def list_page(tree: GridTree, values: Mapping[str, str], items: Sequence[AgendaItem], page: int,
              more: bool, who: str, csrf: str) -> str:
    cols = texts.CONSOLE_AGENDA_COLUMNS
    head = "".join(f"<th>{e(words)}</th>" for words in cols.values())
    table = (f'<table class="orders agenda"><thead><tr>{head}</tr></thead><tbody>'
             f'{"".join(_row(tree, i) for i in items)}</tbody></table>' if items
             else notice(texts.CONSOLE_AGENDA_EMPTY))
    kept = {k: v for k, v in values.items() if k in ("state", "level") and v}

    def at(n: int) -> str:
        return e("/console/agenda?" + urlencode({**kept, "page": str(n)}))
    pager = [f'<a rel="prev" href="{at(page - 1)}">{e(texts.CONSOLE_PREV)}</a>' if page > 1
             else "", f"<span>{e(texts.CONSOLE_PAGE.format(n=page))}</span>",
             f'<a rel="next" href="{at(page + 1)}">{e(texts.CONSOLE_NEXT)}</a>' if more else ""]
    body = (f"<h1>{e(texts.CONSOLE_AGENDA)}</h1>{_options(values)}{table}"
            f'<nav class="pager">{"".join(pager)}</nav>')
    return layout(texts.CONSOLE_AGENDA, body, who, csrf)


async def item_page(work: Work, item: AgendaItem, who: str, csrf: str) -> str:
    tree = work.deps.router.tree
    uow = work.uow
    owner = await uow.people.get(item.owner_id) if item.owner_id else None
    facts = texts.CONSOLE_AGENDA_FACTS
    shown = [(facts["state"], catalogue.label(item.state)),
             (facts["origin"], texts.AGENDA_ORIGIN_LABELS.get(item.origin.value, "")),
             (facts["raised"], unit_at_level(tree, item.grid_code)),
             (facts["unit"], unit_at_level(tree, item.scope_code)),
             (facts["supports"], str(len(item.supporters))),
             (facts["created"], work_time(item.created_at)),
             (facts["body"], item.body or texts.NO_TEXT)]
    if item.order_codes:
        shown.append((facts["orders"], texts.LIST_SEPARATOR.join(item.order_codes)))
    if item.decision:
        shown.append((facts["decision"], item.decision))
    if item.owner_id:
        shown += [(facts["owner"], owner.name if owner else ""),
                  (facts["deadline"], work_time(item.deadline)),
                  (facts["progress"], percent(item.progress))]
    facts_html = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in shown)
    progress = (f'<progress max="100" value="{e(item.progress)}">{e(percent(item.progress))}'
                f"</progress>" if item.state in (AgendaState.DECIDED, AgendaState.IN_PROGRESS,
                                                 AgendaState.JUDGING, AgendaState.CLOSED)
                else "")
    states = texts.CONSOLE_TASK_STATES
    tasks = "".join(
        f'<li class="{"done" if n in item.tasks_done else "open"}">{e(task)} '
        f'<span class="hint">{e(states["done" if n in item.tasks_done else "open"])}</span></li>'
        for n, task in enumerate(item.tasks))
    comments = "".join(f"<li><time>{e(work_time(at))}</time> {e(text)}</li>"
                       for _, at, text in await uow.agenda.comments(item.code))
    meetings = "".join(
        f'<li><a href="/console/meetings/{e(m.code)}">{e(meeting_title(tree, m))}</a> '
        f'<time>{e(work_time(m.at))}</time> {e(catalogue.label(m.state))}</li>'
        for m in await uow.meetings.holding(item.code)
        # a meeting still to be held takes up what waits at its unit when it is held
        if m.state is not MeetingState.SCHEDULED or m.unit_code == item.scope_code)
    timeline = []
    for event in await uow.agenda.history(item.code):
        words = texts.AGENDA_EVENT_LABELS.get(event.kind, event.kind)
        if event.reason and event.kind != "commented":      # comments have their section
            words += texts.TIMELINE_REASON.format(reason=event.reason)
        timeline.append(f"<li><time>{e(work_time(event.at))}</time> {e(words)}</li>")
    body = (f'<p><a href="/console/agenda">{e(texts.CONSOLE_AGENDA_BACK)}</a></p>'
            f"<h1>{e(item.code)} {e(item.title)}</h1>"
            f'<dl class="facts">{facts_html}</dl>{progress}'
            + (f'<section><h2>{e(texts.CONSOLE_AGENDA_TASKS)}</h2><ul class="tasks">{tasks}'
               f"</ul></section>" if tasks else "")
            + (f'<section><h2>{e(texts.CONSOLE_AGENDA_MEETINGS)}</h2><ul class="meetings">'
               f"{meetings}</ul></section>" if meetings else "")
            + f'<section><h2>{e(texts.CONSOLE_AGENDA_COMMENTS)}</h2>'
            + (f'<ol class="timeline">{comments}</ol>' if comments
               else f"<p>{e(texts.CONSOLE_AGENDA_NO_COMMENTS)}</p>") + "</section>"
            + f'<section><h2>{e(texts.CONSOLE_AGENDA_TIMELINE)}</h2><ol class="timeline">'
              f'{"".join(timeline)}</ol></section>')
    return layout(item.code, body, who, csrf)


def add_routes(router: APIRouter, kit: Kit) -> None:

    @router.get("/agenda")
    async def agenda_list(request: Request) -> Response:
        who = await kit.viewer(request)
        if who is None:
            return kit.signed_out()
        values = {k: v[:40] for k, v in request.query_params.items()}
        state, level = values.get("state", ""), values.get("level", "")
        states = ([AgendaState(state)] if state in {s.value for s in AgendaState}
                  else list(AgendaState))
        levels = [Level(level)] if level in {lv.value for lv in Level} else list(Level)
        number = page_number(values)
        async with kit.uow() as uow:
            work = Work(uow, kit.deps)
            grids = (await console.scope_of(work, who.id)).grids
            found = (await uow.agenda.in_places(grids, states, levels, PAGE_SIZE + 1,
                                                (number - 1) * PAGE_SIZE) if grids else [])
            name = await views.who(work, who.person)
        return kit.page(list_page(work.deps.router.tree, values, found[:PAGE_SIZE], number,
                                  len(found) > PAGE_SIZE, name, kit.sessions.csrf(who.token)))

    @router.get("/agenda/{code}")
    async def agenda_item(request: Request, code: str) -> Response:
        who = await kit.viewer(request)
        if who is None:
            return kit.signed_out()
        async with kit.uow() as uow:
            work = Work(uow, kit.deps)
            item = await visible_item(work, who.id, code[:40])
            if item is None:
                return kit.page(layout(texts.CONSOLE_AGENDA,
                                       notice(texts.CONSOLE_AGENDA_NOT_FOUND, "warn")), 404)
            html = await item_page(work, item, await views.who(work, who.person),
                                   kit.sessions.csrf(who.token))
        return kit.page(html)
