"""The console's 联席会议 pages: /console/meetings lists the meetings of the viewer's units
(upcoming and held) with a form to schedule one; /console/meetings/{code} shows a meeting — its
agenda, who came, the minutes, the decision on each item — and, to a leader of its unit, the
forms that record them. Every form is a POST with the session's CSRF token, through the
meetings' use cases (handlers/meetings.py), which check the person again.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.agenda import AgendaItem, AgendaState
from domain.grids import GridTree
from domain.meetings import MEETING_LEVELS, Meeting, MeetingState
from handlers import catalogue, texts
from handlers.messages import work_time
from handlers.work import Work
from web.console import views
from web.console.agenda_page import meeting_title, unit_at_level
from web.console.kit import Kit
from web.console.meetings_forms import LONGEST_MINUTES, act, text_of
from web.console.meetings_forms import schedule as schedule_form
from web.console.meetings_view import (
    MeetingView,
    meeting_view,
    reach,
    units_led,
    visible_meeting,
)
from web.console.pages import e, hidden, layout, notice, select
from web.console.params import CODE


def _form(code: str, action: str, csrf: str, inner: str = "", item: str = "") -> str:
    fields = {"csrf": csrf, "action": action, **({"item": item} if item else {})}
    marks = f'data-action="{e(action)}"' + (f' data-item="{e(item)}"' if item else "")
    return (f'<form method="post" action="/console/meetings/{e(code)}/act" class="act" {marks}>'
            f'{hidden(fields)}{inner}<button type="submit">'
            f"{e(texts.CONSOLE_MEETING_ACTIONS[action])}</button></form>")


def _area(name: str, label: str, value: str = "", rows: int = 2, most: int = 500) -> str:
    return (f'<label><span>{e(label)}</span><textarea name="{e(name)}" required '
            f'maxlength="{most}" rows="{rows}">{e(value)}</textarea></label>')


def _table(tree: GridTree, meetings_: Sequence[Meeting]) -> str:
    if not meetings_:
        return notice(texts.CONSOLE_MEETINGS_EMPTY)
    cols = texts.CONSOLE_MEETING_COLUMNS
    rows = "".join(
        f'<tr data-code="{e(m.code)}">'
        f'<td data-label="{e(cols["code"])}"><a href="/console/meetings/{e(m.code)}">'
        f"{e(m.code)}</a></td>"
        f'<td data-label="{e(cols["unit"])}">{e(meeting_title(tree, m))}</td>'
        f'<td data-label="{e(cols["at"])}">{e(work_time(m.at))}</td>'
        f'<td data-label="{e(cols["state"])}">{e(catalogue.label(m.state))}</td>'
        f'<td data-label="{e(cols["agenda"])}">{e(len(m.agenda))}</td></tr>' for m in meetings_)
    head = "".join(f"<th>{e(w)}</th>" for w in cols.values())
    return f'<table class="orders"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def list_page(tree: GridTree, upcoming: Sequence[Meeting], past: Sequence[Meeting],
              units: Sequence[str], who: str, csrf: str, said: str = "") -> str:
    schedule = ""
    if units:
        options = [(code, unit_at_level(tree, code)) for code in units]
        schedule = (f'<form method="post" action="/console/meetings" class="act schedule" '
                    f'data-action="schedule">{hidden({"csrf": csrf})}'
                    f'{select("unit", texts.CONSOLE_MEETING_UNIT, options, "")}'
                    f'<label><span>{e(texts.CONSOLE_MEETING_AT)}</span>'
                    f'<input type="datetime-local" name="at" required></label>'
                    f'<button type="submit">{e(texts.CONSOLE_MEETING_SCHEDULE)}</button>'
                    f'<p class="hint">{e(texts.CONSOLE_MEETING_RHYTHM)}</p></form>')
    body = (f"<h1>{e(texts.CONSOLE_MEETINGS)}</h1>{notice(said, 'warn') if said else ''}"
            f"{schedule}<h2>{e(texts.CONSOLE_MEETINGS_UPCOMING)}</h2>{_table(tree, upcoming)}"
            f"<h2>{e(texts.CONSOLE_MEETINGS_PAST)}</h2>{_table(tree, past)}")
    return layout(texts.CONSOLE_MEETINGS, body, who, csrf)


def _decision_forms(view: MeetingView, item: AgendaItem, csrf: str) -> str:
    form = texts.CONSOLE_MEETING_FORM
    owners = [(str(p), view.names[p]) for p in view.staff + view.residents if p in view.names]
    code = view.meeting.code
    decide = _form(code, "decide", csrf, _area("decision", form["decision"])
                   + select("owner", form["owner"], owners, "")
                   + f'<label><span>{e(form["deadline"])}</span>'
                     f'<input type="date" name="deadline" required></label>'
                   + _area("tasks", form["tasks"], rows=3), item.code)
    decline = _form(code, "decline", csrf, _area("reason", form["reason"]), item.code)
    return f'<div class="decide">{decide}{decline}</div>'


def _agenda(view: MeetingView, csrf: str) -> str:
    meeting = view.meeting
    if not view.agenda:
        return f"<p>{e(texts.CONSOLE_MEETING_AGENDA_EMPTY)}</p>"
    rows = []
    for item in view.agenda:
        outcome = meeting.outcomes.get(item.code)
        said = (texts.MEETING_OUTCOME_LABELS[outcome.value] if outcome
                else texts.MEETING_DEFERRED if meeting.state is MeetingState.CLOSED else "")
        decision = (f'<p class="decision">{e(item.decision)}</p>' if outcome and item.decision
                    else "")
        owner = ""
        if outcome and item.owner_id:
            line = texts.CONSOLE_MEETING_OWNER_LINE.format(
                owner=view.names.get(item.owner_id, ""), deadline=work_time(item.deadline))
            owner = f'<p class="hint">{e(line)}</p>'

        forms = (_decision_forms(view, item, csrf)
                 if view.leads and meeting.state is MeetingState.HELD and outcome is None
                 and item.state is AgendaState.ON_AGENDA and item.scope_code == meeting.unit_code
                 else "")
        rows.append(f'<li data-item="{e(item.code)}"><a href="/console/agenda/{e(item.code)}">'
                    f"{e(item.code)}</a> {e(item.title)} · {e(catalogue.label(item.state))}"
                    f'{f" · <strong>{e(said)}</strong>" if said else ""}'
                    f"{decision}{owner}{forms}</li>")
    return f'<ol class="agenda-items">{"".join(rows)}</ol>'


def _attendance(view: MeetingView, csrf: str) -> str:
    meeting = view.meeting
    came = texts.LIST_SEPARATOR.join(view.names.get(p, "") for p in sorted(meeting.attendees))
    shown = f'<p class="attendees">{e(came or texts.CONSOLE_MEETING_NOT_YET)}</p>'
    if not (view.leads and meeting.state is MeetingState.HELD):
        return shown
    form = texts.CONSOLE_MEETING_FORM
    groups = ""
    for label, people in ((form["staff"], view.staff), (form["residents"], view.residents)):
        boxes = "".join(
            f'<label class="check"><input type="checkbox" name="attendees" value="{p}">'
            f"<span>{e(view.names[p])}</span></label>"
            for p in people if p in view.names and p not in meeting.attendees)
        if boxes:
            groups += f'<fieldset><legend>{e(label)}</legend>{boxes}</fieldset>'
    return shown + (_form(meeting.code, "attend", csrf, groups) if groups else "")


def _timeline(view: MeetingView) -> str:
    lines: list[tuple[Any, str, list[str]]] = []     # (when, kind, what: names or words)
    for event in view.history:
        if event.kind == "attended":
            name = view.names.get(event.actor_id, "")
            if lines and lines[-1][:2] == (event.at, "attended"):   # recorded together
                lines[-1][2].append(name)
            else:
                lines.append((event.at, event.kind, [name]))
        elif event.kind == "took_up":
            outcome = texts.MEETING_OUTCOME_LABELS.get(event.data.get("outcome", ""), "")
            lines.append((event.at, event.kind, [f"{event.data.get('item', '')} {outcome}"]))
        else:
            lines.append((event.at, event.kind, []))
    shown = []
    for at, kind, what in lines:
        words = texts.MEETING_EVENT_LABELS.get(kind, kind)
        if what:
            words += texts.TIMELINE_REASON.format(reason=texts.LIST_SEPARATOR.join(what))
        shown.append(f"<li><time>{e(work_time(at))}</time> {e(words)}</li>")
    return f'<ol class="timeline">{"".join(shown)}</ol>'


def meeting_page(tree: GridTree, view: MeetingView, who: str, csrf: str, said: str = "") -> str:
    meeting = view.meeting
    facts = texts.CONSOLE_MEETING_FACTS
    shown = [(facts["unit"], meeting_title(tree, meeting)), (facts["at"], work_time(meeting.at)),
             (facts["state"], catalogue.label(meeting.state))]
    if meeting.held_at:
        shown.append((facts["held"], work_time(meeting.held_at)))
    if meeting.closed_at:
        shown.append((facts["closed"], work_time(meeting.closed_at)))
    facts_html = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in shown)
    held = view.leads and meeting.state is MeetingState.HELD
    minutes = (f'<p class="minutes">{e(meeting.minutes)}</p>' if meeting.minutes and not held
               else "" if held else f"<p>{e(texts.CONSOLE_MEETING_NOT_YET)}</p>")
    if held:
        minutes += _form(meeting.code, "minutes", csrf, _area(
            "minutes", texts.CONSOLE_MEETING_MINUTES, meeting.minutes or "", 6, LONGEST_MINUTES))
    steps = ""
    if view.leads and meeting.state is MeetingState.SCHEDULED:
        steps = _form(meeting.code, "convene", csrf)
    elif held:
        steps = _form(meeting.code, "close", csrf)
    body = (f'<p><a href="/console/meetings">{e(texts.CONSOLE_MEETING_BACK)}</a></p>'
            f"<h1>{e(meeting_title(tree, meeting))} {e(meeting.code)}</h1>"
            f"{notice(said) if said else ''}<dl class=\"facts\">{facts_html}</dl>"
            + (f'<section class="actions">{steps}</section>' if steps else "")
            + f"<section><h2>{e(texts.CONSOLE_MEETING_AGENDA)}</h2>{_agenda(view, csrf)}</section>"
            + f"<section><h2>{e(texts.CONSOLE_MEETING_ATTENDEES)}</h2>"
              f"{_attendance(view, csrf)}</section>"
            + f"<section><h2>{e(texts.CONSOLE_MEETING_MINUTES)}</h2>{minutes}</section>"
            + f"<section><h2>{e(texts.CONSOLE_MEETING_TIMELINE)}</h2>{_timeline(view)}</section>")
    return layout(meeting.code, body, who, csrf)


def add_routes(router: APIRouter, kit: Kit) -> None:

    async def listing(who: Any, said: str = "", status: int = 200) -> Response:
        async with kit.uow() as uow:
            work = Work(uow, kit.deps)
            units = await reach(work, who.id)
            upcoming = await uow.meetings.of_units(units, upcoming=True)
            past = await uow.meetings.of_units(units, upcoming=False, limit=30)
            led = await units_led(work, who.id, MEETING_LEVELS)
            name = await views.who(work, who.person)
        return kit.page(list_page(kit.deps.router.tree, upcoming, past, led, name,
                                  kit.sessions.csrf(who.token), said), status)

    async def showing(who: Any, code: str, said: str = "", status: int = 200) -> Response:
        async with kit.uow() as uow:
            work = Work(uow, kit.deps)
            meeting = await visible_meeting(work, who.id, code) if CODE.fullmatch(code) \
                else None
            if meeting is None:
                return kit.page(layout(texts.CONSOLE_MEETINGS,
                                       notice(texts.CONSOLE_MEETING_NOT_FOUND, "warn")), 404)
            view = await meeting_view(work, who.id, meeting)
            name = await views.who(work, who.person)
        return kit.page(meeting_page(kit.deps.router.tree, view, name,
                                     kit.sessions.csrf(who.token), said), status)

    @router.get("/meetings")
    async def meeting_list(request: Request) -> Response:
        who = await kit.viewer(request)
        return kit.signed_out() if who is None else await listing(who)

    @router.post("/meetings")
    async def schedule(request: Request) -> Response:
        who, form, refused = await kit.posted(request)
        if refused is not None or who is None:
            return refused or kit.signed_out()

        async def scheduling(work: Work) -> str:
            return (await schedule_form(work, who.id, form)).code
        code, refusal = await kit.acting(scheduling)
        if refusal is not None:
            return await listing(who, refusal, 400)
        return kit.see_other(f"/console/meetings/{code}?done=schedule")

    @router.get("/meetings/{code}")
    async def meeting(request: Request, code: str, done: str = "") -> Response:
        who = await kit.viewer(request)
        if who is None:
            return kit.signed_out()
        label = texts.CONSOLE_MEETING_ACTIONS.get(done)
        return await showing(who, code[:40], texts.CONSOLE_DONE.format(action=label)
                             if label else "")

    @router.post("/meetings/{code}/act")
    async def act_on(request: Request, code: str) -> Response:
        who, form, refused = await kit.posted(request)
        if refused is not None or who is None:
            return refused or kit.signed_out()
        async with kit.uow() as uow:
            seen = (CODE.fullmatch(code) is not None
                    and await visible_meeting(Work(uow, kit.deps), who.id, code) is not None)
        if not seen:
            return kit.page(layout(texts.CONSOLE_MEETINGS,
                                   notice(texts.CONSOLE_MEETING_NOT_FOUND, "warn")), 404)
        action = text_of(form, "action", 20)
        _, refusal = await kit.acting(lambda work: act(work, who.id, code, action, form))
        if refusal is not None:
            return await showing(who, code, refusal, 400)
        return kit.see_other(f"/console/meetings/{code}?done={action}")
