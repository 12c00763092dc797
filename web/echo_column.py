"""The echo wall's community column as HTML: 本期议题, 群众反映, 回音壁 and where matters were
settled. The data is `handlers.column.read_column`'s, already public; every word is escaped."""
from __future__ import annotations

from html import escape
from typing import Any

from handlers import texts
from handlers.digest import percent


def _list(lines: list[str]) -> str:
    if not lines:
        return f'<p class="empty">{escape(texts.COLUMN_NONE)}</p>'
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _section(title: str, body: str, name: str) -> str:
    return f'<section class="column-{name}"><h3>{escape(title)}</h3>{body}</section>'


def render_column(column: dict[str, Any] | None) -> str:
    """The column of the chosen community; without one, a hint to choose."""
    if column is None:
        return f'<p class="empty">{escape(texts.COLUMN_PICK_COMMUNITY)}</p>'
    agenda = [texts.COLUMN_ITEM.format(**item).removeprefix("· ") for item in column["agenda"]]
    voices = [texts.COLUMN_VOICE.format(topic=v["topic"], count=v["count"],
                                        samples=texts.LIST_SEPARATOR.join(v["samples"]))
              .removeprefix("· ") for v in column["voices"]]
    voices += [texts.COLUMN_REPORTS.format(**r).removeprefix("· ") for r in column["reports"]]
    settled = [texts.COLUMN_DONE.format(**{**item, "decision": item["decision"] or ""})
               .removeprefix("· ") for item in column["settled"]]
    head = "".join(f"<th>{escape(h)}</th>" for h in texts.COLUMN_SETTLEMENT_HEAD)
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in (
        row["name"], row["closed"], percent(row["small"]), percent(row["big"]))) + "</tr>"
        for row in column["settlement"])
    table = (f'<div class="table"><table><thead><tr>{head}</tr></thead>'
             f"<tbody>{rows}</tbody></table></div>")
    return (f'<h2>{escape(texts.COLUMN_TITLE.format(community=column["name"]))}</h2>'
            + _section(texts.COLUMN_AGENDA, _list(agenda), "agenda")
            + _section(texts.COLUMN_VOICES, _list(voices), "voices")
            + _section(texts.COLUMN_SETTLED, _list(settled), "settled")
            + _section(texts.COLUMN_SETTLEMENT_TITLE, table, "settlement"))
