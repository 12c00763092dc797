"""One order: what was reported, the photos, the pin, the timeline, the reporter's contact
behind a button, and a form for each action the viewer may take."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers import texts
from web.console.pages import e, hidden, layout, notice, select


@dataclass(frozen=True)
class OrderView:
    code: str
    category: str
    state: str
    urgency: str
    light: str
    place: str
    description: str
    holder: str
    created: str
    due: str
    pin: str                               # the place with its coordinates, or ""
    photos: Sequence[str]                  # signed media links
    timeline: Sequence[tuple[str, str]]    # (when, what)
    actions: Sequence[str]
    targets: Sequence[tuple[str, str]]     # 派单's grids: (code, name)
    contact: bool                          # the viewer holds it and may ask for the number


def _action(code: str, action: str, csrf: str, targets: Sequence[tuple[str, str]]) -> str:
    words = texts.CONSOLE_ACTION_LABELS[action]
    extra = ""
    if action == "assign":
        extra = select("target", texts.CONSOLE_BULK_TO, targets, "")
    elif action == "merge":
        extra = (f'<label><span>{e(texts.CONSOLE_MERGE_INTO)}</span>'
                 f'<input name="target" required maxlength="24"></label>')
    elif action in ("escalate", "progress", "resolve", "invalid"):
        extra = (f'<label><span>{e(texts.CONSOLE_REASON)}</span>'
                 f'<textarea name="words" required maxlength="500" rows="2"></textarea></label>')
    return (f'<form method="post" action="/console/orders/{e(code)}/act" class="act" '
            f'data-action="{e(action)}">{hidden({"csrf": csrf, "action": action})}{extra}'
            f'<button type="submit">{e(words)}</button></form>')


def order_page(view: OrderView, who: str, csrf: str, said: str = "", contact: str = "") -> str:
    shade = texts.LIGHT_LABELS.get(view.light, "")
    light = f'<span class="light {e(view.light)}">{e(shade)}</span>' if view.light else ""
    facts = [(texts.CONSOLE_FIELDS["category"], view.category),
             (texts.CONSOLE_FIELDS["state"], view.state),
             (texts.CONSOLE_FIELDS["urgency"], view.urgency),
             (texts.CONSOLE_COLUMNS["place"], view.place),
             (texts.CONSOLE_HOLDER, view.holder),
             (texts.CONSOLE_COLUMNS["created"], view.created),
             (texts.CONSOLE_COLUMNS["due"], view.due),
             (texts.CONSOLE_DESCRIPTION, view.description)]
    facts_html = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    photos = "".join(f'<img src="{e(src)}" alt="{e(view.code)}" loading="lazy">'
                     for src in view.photos)
    timeline = "".join(f"<li><time>{e(at)}</time> {e(what)}</li>" for at, what in view.timeline)
    contact_html = ""
    if view.contact:
        contact_html = (f'<section class="contact"><h2>{e(texts.CONSOLE_CONTACT)}</h2>'
                        + (notice(contact) if contact else
                           f'<form method="post" action="/console/orders/{e(view.code)}/contact">'
                           f'{hidden({"csrf": csrf})}<button type="submit">'
                           f'{e(texts.CONTACT_VIEW)}</button></form>')
                        + f'<p class="hint">{e(texts.CONSOLE_CONTACT_NOTE)}</p></section>')
    actions = ("".join(_action(view.code, a, csrf, view.targets) for a in view.actions)
               or f"<p>{e(texts.CONSOLE_NO_ACTIONS)}</p>")
    body = (f'<p><a href="/console">{e(texts.CONSOLE_BACK)}</a></p>'
            f'<h1>{light} {e(view.code)}</h1>{notice(said) if said else ""}'
            f'<dl class="facts">{facts_html}</dl>'
            + (f'<section><h2>{e(texts.CONSOLE_PIN)}</h2><p class="pin">{e(view.pin)}</p>'
               f"</section>" if view.pin else "")
            + (f'<section><h2>{e(texts.CONSOLE_PHOTOS)}</h2><div class="photos">{photos}</div>'
               f"</section>" if photos else "")
            + contact_html
            + f'<section class="actions"><h2>{e(texts.CONSOLE_ACTIONS)}</h2>{actions}</section>'
            + f'<section><h2>{e(texts.CONSOLE_TIMELINE)}</h2><ol class="timeline">{timeline}'
              f"</ol></section>")
    return layout(view.code, body, who, csrf)
