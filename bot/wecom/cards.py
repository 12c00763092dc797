"""An Outbound as WeCom shows it: a button card when it fits, else text with numbered options.

A button_interaction card holds at most 6 buttons, short labels, a title of ~26 characters
and ~112 more below it; a message that does not fit is sent whole as text, never cut.
"""
from __future__ import annotations

import uuid
from typing import Any

from handlers.messages import Outbound

MAX_BUTTONS = 6
BUTTON_LABEL = 10
TITLE = 26
SUBTITLE = 112
KEY_BYTES = 1024


def layout(text: str) -> tuple[str, str] | None:
    """(title, text below it) for a card, or None when the text does not fit one.

    A card needs a title or a sub-title: a short first line becomes the title, else a short
    text goes whole below an empty title.
    """
    title, _, rest = text.partition("\n")
    if len(title) <= TITLE and len(rest) <= SUBTITLE:
        return title, rest
    if len(text) <= SUBTITLE:
        return "", text
    return None


def fits_card(out: Outbound) -> bool:
    return (0 < len(out.choices) <= MAX_BUTTONS and layout(out.text) is not None
            and all(len(c.label) <= BUTTON_LABEL and len(c.data.encode()) <= KEY_BYTES
                    for c in out.choices))


def button_card(out: Outbound, task_id: str | None = None) -> dict[str, Any]:
    """The template_card body; each button's key is the choice's data, sent back on a click."""
    title, rest = layout(out.text) or ("", out.text)
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": title} if title else {},
        "task_id": task_id or f"gb-{uuid.uuid4().hex}",
        "button_list": [{"text": c.label, "style": 1 if n == 0 else 2, "key": c.data}
                        for n, c in enumerate(out.choices)],
    }
    if rest:
        card["sub_title_text"] = rest
    return card


def card_text(card: dict[str, Any]) -> str:
    """The message a card shows, as one text (what the Outbound said)."""
    title = card.get("main_title", {}).get("title", "")
    rest = card.get("sub_title_text", "")
    return f"{title}\n{rest}" if title and rest else title or rest


def robot_posts(markdown: str, limit: int = 4000) -> list[str]:
    """A robot takes 4096 bytes of markdown per post: split at line ends, never mid-line."""
    posts, current = [], ""
    for line in markdown.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate.encode()) > limit:
            posts.append(current)
            candidate = line
        while len(candidate.encode()) > limit:     # one very long line: cut it by characters
            cut = len(candidate.encode()[:limit].decode(errors="ignore"))
            posts.append(candidate[:cut])
            candidate = candidate[cut:]
        current = candidate
    return [*posts, current] if current else posts
