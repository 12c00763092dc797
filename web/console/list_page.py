"""The list of orders: the filter form, the rows with their light and deadline, paging, and the
bulk 派单 form that the rows' check boxes belong to."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers import texts
from web.console.pages import e, field, hidden, layout, link_with, notice, select


@dataclass(frozen=True)
class Row:
    light: str          # green, yellow, red, or "" for an order without a running clock
    code: str
    category: str
    place: str
    state: str
    created: str
    due: str


@dataclass(frozen=True)
class Choices:
    """What the filter's selects offer: (value, words) pairs."""

    states: Sequence[tuple[str, str]]
    grids: Sequence[tuple[str, str]]
    categories: Sequence[tuple[str, str]]
    urgencies: Sequence[tuple[str, str]]
    lights: Sequence[tuple[str, str]]


def _filters(values: Mapping[str, str], offered: Choices) -> str:
    any_ = [("", texts.CONSOLE_ANY)]
    names = texts.CONSOLE_FIELDS
    parts = [
        select("state", names["state"], [*any_, *offered.states], values.get("state", "")),
        select("grid", names["grid"], [*any_, *offered.grids], values.get("grid", "")),
        select("category", names["category"], [*any_, *offered.categories],
               values.get("category", "")),
        select("urgency", names["urgency"], [*any_, *offered.urgencies],
               values.get("urgency", "")),
        select("light", names["light"], [*any_, *offered.lights], values.get("light", "")),
        (f'<label class="check"><input type="checkbox" name="overdue" value="1"'
        f'{" checked" if values.get("overdue") == "1" else ""}><span>{e(names["overdue"])}'
        f"</span></label>"),
        field("since", names["since"], values.get("since", ""), "date"),
        field("until", names["until"], values.get("until", ""), "date"),
        field("q", names["q"], values.get("q", ""), "search"),
        field("code", names["code"], values.get("code", "")),
        select("sort", names["sort"], list(texts.CONSOLE_SORTS.items()),
               values.get("sort", "created_at")),
        select("dir", names["dir"], list(texts.CONSOLE_DIRECTIONS.items()),
               values.get("dir", "desc")),
    ]
    return (f'<form method="get" action="/console" class="filters">{"".join(parts)}'
            f'<div class="buttons"><button type="submit" class="primary">{e(texts.CONSOLE_FILTER)}'
            f'</button><a href="/console">{e(texts.CONSOLE_RESET)}</a></div></form>')


def _exports(values: Mapping[str, str]) -> str:
    """Links to the ledger of the list as filtered (the page and its keys left out)."""
    kept = {k: v for k, v in values.items() if k not in ("page", "after", "before", "sort", "dir")}
    links = "".join(
        f'<a href="{e(export_link(kept, kind))}" download>{e(label)}</a>'
        for kind, label in texts.CONSOLE_EXPORTS.items())
    return f'<p class="exports"><span>{e(texts.CONSOLE_EXPORT)}</span>{links}</p>'


def export_link(values: Mapping[str, str], kind: str) -> str:
    form, events = ("csv", "1") if kind == "events" else (kind, "")
    return link_with(values, events=events).replace("/console", f"/console/export.{form}", 1)


def _row(row: Row) -> str:
    shade = texts.LIGHT_LABELS.get(row.light, "")
    light = (f'<span class="light {e(row.light)}" title="{e(shade)}">{e(shade)}</span>'
             if row.light else "—")
    cols = texts.CONSOLE_COLUMNS
    return (f'<tr data-code="{e(row.code)}">'
            f'<td data-label="{e(cols["pick"])}"><input type="checkbox" name="codes" '
            f'value="{e(row.code)}" form="bulk" aria-label="{e(row.code)}"></td>'
            f'<td data-label="{e(cols["light"])}">{light}</td>'
            f'<td data-label="{e(cols["code"])}"><a href="/console/orders/{e(row.code)}">'
            f"{e(row.code)}</a></td>"
            f'<td data-label="{e(cols["category"])}">{e(row.category)}</td>'
            f'<td data-label="{e(cols["place"])}">{e(row.place)}</td>'
            f'<td data-label="{e(cols["state"])}">{e(row.state)}</td>'
            f'<td data-label="{e(cols["created"])}">{e(row.created)}</td>'
            f'<td data-label="{e(cols["due"])}" class="due">{e(row.due)}</td></tr>')


def list_page(values: Mapping[str, str], rows: Sequence[Row], page: int, more: bool,
              offered: Choices, targets: Sequence[tuple[str, str]], who: str, csrf: str,
              said: str = "", earlier: bool | None = None, total: int | None = None,
              most: int | None = None) -> str:
    cols = texts.CONSOLE_COLUMNS
    head = "".join(f"<th>{e(cols[k])}</th>" for k in
                   ("pick", "light", "code", "category", "place", "state", "created", "due"))
    table = (f'<table class="orders"><thead><tr>{head}</tr></thead><tbody>'
             f'{"".join(_row(r) for r in rows)}</tbody></table>' if rows
             else notice(texts.CONSOLE_EMPTY))
    # Pages follow one another by the code that ends (or starts) the page shown.
    first, last = (rows[0].code, rows[-1].code) if rows else ("", "")
    back = page > 1 if earlier is None else earlier
    before = link_with(values, page=str(max(page - 1, 1)), before=first, after="") if first \
        else link_with(values, page=str(page - 1), before="", after="")
    after = link_with(values, page=str(page + 1), after=last, before="")
    size = "" if total is None else texts.CONSOLE_TOTAL_MORE.format(n=most) \
        if most is not None and total > most else texts.CONSOLE_TOTAL.format(n=total)
    pager = [f'<a rel="prev" href="{e(before)}">{e(texts.CONSOLE_PREV)}</a>' if back else "",
             f"<span>{e(texts.CONSOLE_PAGE.format(n=page))}</span>",
             f'<span class="total">{e(size)}</span>' if size else "",
             f'<a rel="next" href="{e(after)}">{e(texts.CONSOLE_NEXT)}</a>' if more else ""]
    bulk = (f'<form method="post" action="/console/bulk-assign" id="bulk" class="bulk">'
            f'{hidden({"csrf": csrf, "back": link_with(values, page=str(page))})}'
            f'{select("target", texts.CONSOLE_BULK_TO, targets, "")}'
            f'<button type="submit">{e(texts.CONSOLE_BULK_ASSIGN)}</button></form>'
            if targets and rows else "")
    body = (f"<h1>{e(texts.CONSOLE_ORDERS)}</h1>{notice(said) if said else ''}"
            f"{_filters(values, offered)}{_exports(values)}{bulk}{table}"
            f'<nav class="pager">{"".join(pager)}</nav>')
    return layout(texts.CONSOLE_ORDERS, body, who, csrf, here="/console")
