"""The console's pages as plain server-rendered HTML: every word from the catalogue, one local
stylesheet, no script but the map's (this server's copy of Leaflet), so nothing is fetched from
anywhere but this server."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from urllib.parse import urlencode

from handlers import texts

STYLE = "/console/console.css"


def e(value: object) -> str:
    return escape(str(value), quote=True)


# The console's pages, in the order the header links them, with their catalogue keys (read
# when a page is drawn, so the words are those of the moment).
NAV = (
    ("/console", "CONSOLE_ORDERS"),
    ("/console/map", "CONSOLE_MAP"),
    ("/console/figures", "CONSOLE_FIGURES"),
    ("/console/agenda", "CONSOLE_AGENDA_PAGE"),
    ("/console/meetings", "CONSOLE_MEETINGS_PAGE"),
)


def layout(title: str, body: str, who: str = "", csrf: str = "", here: str = "",
           styles: Sequence[str] = (), scripts: Sequence[str] = ()) -> str:
    """A whole page; with `csrf`, the header carries the pages (`here` the one shown), the
    signed-in person and 退出. `styles` and `scripts` are this server's paths."""
    out = (f'<form method="post" action="/console/logout" class="out">'
           f'<input type="hidden" name="csrf" value="{e(csrf)}">'
           f'<button type="submit">{e(texts.CONSOLE_SIGN_OUT)}</button></form>') if csrf else ""
    current = ' aria-current="page"'
    nav = (f'<nav class="pages" aria-label="{e(texts.CONSOLE_NAV_LABEL)}">'
           + "".join(f'<a href="{e(path)}"{current if path == here else ""}>'
                     f'{e(getattr(texts, key))}</a>' for path, key in NAV)
           + "</nav>") if csrf else ""
    links = "".join(f'<link rel="stylesheet" href="{e(href)}">' for href in (*styles, STYLE))
    code = "".join(f'<script src="{e(src)}" defer></script>' for src in scripts)
    return ("<!doctype html>\n"
            f'<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{e(title)} · {e(texts.CONSOLE_TITLE)}</title>{links}{code}</head><body>'
            f'<header><a class="home" href="/console">{e(texts.CONSOLE_TITLE)}</a>'
            f'<span class="who">{e(who)}</span>{out}{nav}</header>'
            f"<main>{body}</main></body></html>")


def notice(text: str, kind: str = "info") -> str:
    return f'<p class="notice {e(kind)}" role="status">{e(text)}</p>'


def message_page(text: str) -> str:
    """A page that only says something: a refused link, signed out, not found, sign in first."""
    return layout(texts.CONSOLE_TITLE, notice(text, "warn"))


def sign_in_page(token: str, hours: int) -> str:
    """The link's page: the link is spent only by the button's POST, so a chat app fetching
    the link for a preview does not use it up."""
    return layout(texts.CONSOLE_SIGN_IN, (
        f"<p>{e(texts.CONSOLE_SIGN_IN_ASK.format(hours=hours))}</p>"
        f'<form method="post" action="/console/login">'
        f'<input type="hidden" name="t" value="{e(token)}">'
        f'<button type="submit" class="primary">{e(texts.CONSOLE_SIGN_IN)}</button></form>'))


def select(name: str, label: str, options: Iterable[tuple[str, str]], chosen: str,
           form: str | None = None) -> str:
    owner = f' form="{e(form)}"' if form else ""
    items = "".join(f'<option value="{e(value)}"{" selected" if value == chosen else ""}>'
                    f"{e(words)}</option>" for value, words in options)
    return (f'<label><span>{e(label)}</span><select name="{e(name)}"{owner}>{items}'
            f"</select></label>")


def field(name: str, label: str, value: str, kind: str = "text") -> str:
    return (f'<label><span>{e(label)}</span><input type="{e(kind)}" name="{e(name)}" '
            f'value="{e(value)}"></label>')


def hidden(values: Mapping[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
                   for k, v in values.items())


def link_with(values: Mapping[str, str], **changes: str) -> str:
    kept = {k: v for k, v in {**values, **changes}.items() if v}
    return "/console" + ("?" + urlencode(kept) if kept else "")
