"""The community column (居民一家亲专栏): 本期议题, 群众反映 and 回音壁 side by side, with where
matters were settled (小事不出网格率, 大事不出社区率), per community and period.

Read by the echo wall page and the weekly digest. Everything here is public: words come only
from agenda items' titles and decisions and from opinions, each scrubbed once more on the way
out (names of the people involved included); comments and raw reports are never read. Reports
count by category, publishable categories only.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from domain.agenda import AgendaItem, AgendaState
from domain.categories import Taxonomy
from domain.grids import GridTree, Level
from domain.privacy import scrub
from domain.settlement import Settlement, settlement_by_level
from handlers import catalogue, opinions, texts
from storage.uow import UnitOfWork

ON_THE_TABLE = (AgendaState.OPEN, AgendaState.ON_AGENDA, AgendaState.DECIDED,
                AgendaState.IN_PROGRESS)
SETTLED = (AgendaState.JUDGING, AgendaState.CLOSED)
LIMIT = 10


def below(tree: GridTree, code: str) -> list[str]:
    """The grid and every grid beneath it."""
    found, stack = [], [code]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(child.code for child in tree.children(current))
    return found


async def _names(uow: UnitOfWork, items: list[AgendaItem]) -> list[str]:
    """The names of the people an item involves: masked even where no context word marks them."""
    people = {p for item in items for p in (item.proposer_id, item.owner_id) if p is not None}
    found = [await uow.people.get(p) for p in sorted(people)]
    return [n for person in found if person for n in (person.name, person.nickname) if n]


def _item(item: AgendaItem, names: list[str]) -> dict[str, Any]:
    return {"code": item.code, "title": scrub(item.title, names),
            "state": catalogue.label(item.state), "level": catalogue.label(item.level),
            "supports": len(item.supporters), "progress": item.progress,
            "decision": scrub(item.decision, names) if item.decision else None}


def _settlement(name: str, settled: Settlement) -> dict[str, Any]:
    return {"name": name, "closed": settled.closed, "small": settled.small_matters_rate,
            "big": settled.big_matters_rate}


async def read_column(uow: UnitOfWork, tree: GridTree, taxonomy: Taxonomy, community: str,
                      start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """The column of one community over [start, end), as plain data (the wall's JSON)."""
    area = below(tree, community)
    table = await uow.agenda.in_scopes(area, ON_THE_TABLE, LIMIT)
    settled = [item for item in await uow.agenda.in_scopes(area, SETTLED, LIMIT)
               if item.closed_at is None or start <= item.closed_at < end]
    names = await _names(uow, table + settled)
    reports: Counter[str] = Counter()
    for code, count in (await uow.opinions.reports_by_category(area, start, end)).items():
        if code in taxonomy and taxonomy.get(code).publishable:
            reports[taxonomy.get(code).top] += count
    voices = await opinions.voices(uow, tree, community, start, end)
    per_level = settlement_by_level(tree, await uow.publishing.settlement(start, end, now))
    grids = [g for g in sorted(tree, key=lambda g: g.code)
             if g.level is Level.GRID and g.code in area]
    return {
        "community": community, "name": tree.get(community).name,
        "agenda": [_item(item, names) for item in table],
        "voices": [{"topic": v.topic or texts.COLUMN_OTHER_TOPIC, "count": v.count,
                    "samples": [scrub(s, names) for s in v.samples]} for v in voices[:LIMIT]],
        "reports": [{"topic": topic, "count": n} for topic, n in reports.most_common(LIMIT)],
        "settled": [_item(item, names) for item in settled],
        "settlement": [_settlement(tree.get(community).name,
                                   per_level.get(community, Settlement()))]
        + [_settlement(g.name, per_level.get(g.code, Settlement())) for g in grids],
    }


def _rate(rate: float | None) -> str:
    return f"{rate:.0%}" if rate is not None else texts.DIGEST_NO_RATE


def column_lines(column: dict[str, Any]) -> list[str]:
    """The column as the digest's lines: the three sections, then the two rates."""
    lines = [texts.COLUMN_AGENDA]
    lines += [texts.COLUMN_ITEM.format(**item) for item in column["agenda"]] or [texts.COLUMN_NONE]
    lines.append(texts.COLUMN_VOICES)
    voiced = [texts.COLUMN_VOICE.format(topic=v["topic"], count=v["count"],
                                        samples=texts.LIST_SEPARATOR.join(v["samples"]))
              for v in column["voices"]]
    voiced += [texts.COLUMN_REPORTS.format(**r) for r in column["reports"]]
    lines += voiced or [texts.COLUMN_NONE]
    lines.append(texts.COLUMN_SETTLED)
    lines += [texts.COLUMN_DONE.format(**{**item, "decision": item["decision"] or ""})
              for item in column["settled"]] or [texts.COLUMN_NONE]
    lines += [texts.COLUMN_SETTLEMENT.format(name=row["name"], closed=row["closed"],
                                             small=_rate(row["small"]), big=_rate(row["big"]))
              for row in column["settlement"]]
    return lines
