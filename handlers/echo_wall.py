"""The echo wall (回音壁), 事事有着落，件件有回音: closed orders told in public, privately.

An entry holds only what docs/domain.md (The echo wall) allows: the public code, category, a
coarse place (the compound's or grid's name, a point snapped to ≥ 100 m), times, whether it was on time, the
handling unit, the result scrubbed of numbers, house numbers, WeChat ids, names said in context
and the names of the people who reported it, the after-photo re-encoded without EXIF, and the
rating bucket. The place is only ever a grid, community or street name: a typed address is
the reporter's words and may name a home or a neighbour, so it never goes public. The entry is kept
as the data of the order's "published" event: what went public is on record, word for word.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domain import orders
from domain.calendar import SHANGHAI
from domain.categories import Taxonomy
from domain.grids import Grid, GridTree, Level, grid_of
from domain.orders import Event, Satisfaction, WorkOrder
from domain.privacy import ROOM_MASK, coarse_point, scrub, strip_house_number
from handlers import texts
from handlers.deps import Deps
from handlers.messages import Outbound
from storage.media import MediaKind, MediaRefused, MediaVault
from storage.records import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
PHOTO_DIR = "echo"
LONGEST_PHOTO = 1600
LONGEST_SUMMARY = 140
HOUSE_MASK = ROOM_MASK      # one mask for any door, whichever pattern found it
# The wall's three words for the five-level scale, by catalogue key (read when an entry is made).
RATING = {Satisfaction.VERY_SATISFIED: "ECHO_RATING_GOOD",
          Satisfaction.SATISFIED: "ECHO_RATING_GOOD",
          Satisfaction.BASICALLY_SATISFIED: "ECHO_RATING_FAIR",
          Satisfaction.UNSATISFIED: "ECHO_RATING_BAD",
          Satisfaction.VERY_UNSATISFIED: "ECHO_RATING_BAD"}
_RANK = {"ECHO_RATING_GOOD": 3, "ECHO_RATING_FAIR": 2, "ECHO_UNRATED": 1, "ECHO_RATING_BAD": 0}

_NUMERAL = r"[0-9０-９A-Za-z零〇一二三四五六七八九十百两]"
# Building, unit and room numbers in free text ("3号楼2单元501室", "3-2-501", "12栋"), masked
# whole; a date written with dashes is left alone.
_HOUSE = re.compile(
    rf"(?<![0-9０-９A-Za-z月])(?:[甲乙丙]?{_NUMERAL}+\s*"
    r"(?:号楼|号院|号房|号|栋|幢|座|单元|门洞|门|室|层|楼|户)\s*[-－—]?\s*)+(?:[0-9０-９]+(?![0-9]))?"
    r"|(?<![0-9A-Za-z\-])(?!(?:19|20)[0-9]{2}[-－—/][0-9]{1,2}[-－—/][0-9]{1,2})"
    r"[0-9０-９]{1,4}(?:\s*[-－—]\s*[0-9０-９]{1,4}){1,3}(?![0-9])")


@dataclass(frozen=True)
class EchoChannels:
    """Where entries are posted: a Telegram channel and a WeCom group robot (None: not used)."""

    telegram_chat: str | None = None
    wecom_robot: str | None = None
    media_dir: Path = Path("media")
    pace: timedelta = timedelta(seconds=3)   # a group or robot takes 20 posts a minute


def mask_house_numbers(text: str) -> str:
    return _HOUSE.sub(HOUSE_MASK, text)


def public_text(text: str | None, names: Iterable[str] = ()) -> str:
    """Free text fit for the wall: no known names, phone or ID numbers, plates, house numbers."""
    if not text:
        return ""
    text = mask_house_numbers(scrub(text, names)).strip()
    return text if len(text) <= LONGEST_SUMMARY else text[:LONGEST_SUMMARY - 1] + "…"


def coarse_place(order: WorkOrder, tree: GridTree) -> str:
    """The grid the order lies in — never a building — else the community or street that
    handles it, by name; never the address the reporter typed."""
    node = _public_grid(order, tree) or _public_area(order.unit_code, tree)
    if node is None:
        return texts.ECHO_UNLOCATED
    return strip_house_number(node.name) or node.name


def _public_grid(order: WorkOrder, tree: GridTree) -> Grid | None:
    return _public_area(order.grid_code, tree)


def _public_area(code: str | None, tree: GridTree) -> Grid | None:
    """The grid, community or street of a grid or unit code (a queue's too)."""
    code = grid_of(code)
    if not code or code not in tree:
        return None
    return next((g for g in tree.chain(code) if g.level.rank <= Level.GRID.rank), None)


def public_unit(unit: str | None, tree: GridTree) -> str:
    """The handling unit by a public name; a micro-grid (a building) shows as its grid."""
    code = grid_of(unit)
    if code not in tree:
        return texts.ECHO_UNIT_UNKNOWN
    grid = tree.get(code)
    if grid.level is Level.MICRO_GRID and grid.parent:
        return texts.ECHO_UNIT_MICRO.format(grid=tree.get(grid.parent).name)
    return grid.name


def echo_entry(order: WorkOrder, history: list[Event], tree: GridTree, taxonomy: Taxonomy,
               names: Iterable[str], photo: str | None = None) -> dict[str, Any]:
    """What the wall shows of one closed order; `names` are the people never to be named."""
    names = list(names)
    grid = _public_grid(order, tree)
    community = tree.ancestor_at(grid.code, Level.COMMUNITY) if grid else None
    resolved = next((e for e in reversed(history) if e.kind == "resolved"), None)
    closing = next((e for e in reversed(history) if e.to_state is orders.State.CLOSED), None)
    rating = "ECHO_UNRATED"
    if closing is not None and closing.kind == "rated":
        rating = RATING[Satisfaction(closing.data["satisfaction"])]
    on_time = resolved.data.get("on_time") if resolved else None
    point = coarse_point(order.lat, order.lng) if order.lat is not None and order.lng is not None \
        else None
    return {
        "code": order.code, "category": taxonomy.get(order.category).label,
        "category_code": order.category, "place": coarse_place(order, tree),
        "grid": grid.code if grid else None,
        "community": community.code if community else None,
        "community_name": community.name if community else None,
        "point": list(point) if point else None,
        "reported_at": _local(order.created_at), "closed_at": _local(order.closed_at),
        "on_time": on_time, "unit": public_unit(order.unit_code, tree),
        "summary": public_text(order.result_note, names) or texts.ECHO_NO_SUMMARY,
        "photo": photo, "rating": getattr(texts, rating),
        "rank": _RANK[rating] * 2 + (1 if on_time else 0),
    }


def _local(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat(timespec="minutes") if moment else None


def public_photo(history: list[Event], media_dir: Path, code: str) -> str | None:
    """The after-photo re-encoded from its pixels alone (no EXIF, no GPS); its path in media.

    The copy is named by its hash in the wall's own vault folder: the only media that is public.
    """
    resolved = next((e for e in reversed(history) if e.kind == "resolved"), None)
    source = resolved.data.get("photo") if resolved else None
    if not source:
        return None
    path = Path(source)
    if not path.is_file():
        path = media_dir / source
    try:
        kept = MediaVault(media_dir / PHOTO_DIR).keep(path.read_bytes(), MediaKind.IMAGE,
                                                       longest=LONGEST_PHOTO)
    except (OSError, MediaRefused) as trouble:
        log.warning("order %s: after-photo left out of the echo wall: %s", code,
                    type(trouble).__name__)
        return None
    return f"{PHOTO_DIR}/{kept.name}"


def post_text(entry: Mapping[str, Any]) -> str:
    return texts.ECHO_POST.format(**_fields(entry))


def post_markdown(entry: Mapping[str, Any]) -> str:
    return texts.ECHO_POST_MD.format(**_fields(entry))


def _fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    timing = {True: texts.ECHO_ON_TIME, False: texts.ECHO_LATE}.get(entry["on_time"], "")
    return {**entry, "timing": timing, "reported": _short(entry["reported_at"]),
            "closed": _short(entry["closed_at"])}


def _short(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%m-%d %H:%M") if iso else "—"


class _Posts:
    """Outbox rows for the wall's channels, spaced so a group or robot is never flooded."""

    def __init__(self, uow: UnitOfWork, channels: EchoChannels, now: datetime):
        self.uow, self.channels, self.now = uow, channels, now
        self._next: dict[tuple[str, str], datetime] = {}
        self.owed: list[OutboxMessage] = []

    async def post(self, entry: Mapping[str, Any]) -> None:
        photo = str(self.channels.media_dir / entry["photo"]) if entry["photo"] else None
        if self.channels.telegram_chat:
            payload = Outbound("telegram", self.channels.telegram_chat, post_text(entry),
                               photo=photo).as_payload()
            await self._add("telegram", self.channels.telegram_chat, payload, entry["code"])
        if self.channels.wecom_robot:
            await self._add("wecom_robot", self.channels.wecom_robot,
                            {"text": post_markdown(entry)}, entry["code"])

    async def _add(self, channel: str, address: str, payload: dict[str, Any], code: str) -> None:
        key = (channel, address)
        if key not in self._next:
            last = await self.uow.publishing.last_due(channel, address)
            self._next[key] = max(self.now, last + self.channels.pace) if last else self.now
        due, self._next[key] = self._next[key], self._next[key] + self.channels.pace
        self.owed.append(OutboxMessage(channel, address, payload, due_at=due,
                                       dedupe_key=f"echo:{code}:{channel}"))


async def publish_due(uow: UnitOfWork, deps: Deps, channels: EchoChannels,
                      limit: int = 200) -> list[str]:
    """Publish closed, unpublished orders of publishable categories; returns their codes.

    One transaction: the "published" events, `published_at` and the posts land together, and
    the orders are claimed first, so two workers never publish one order twice.
    """
    tree, taxonomy = deps.router.tree, deps.taxonomy
    publishable = [c.code for c in taxonomy if c.publishable]
    async with uow:
        claimed = await uow.publishing.unpublished(publishable, limit)
        if not claimed:
            return []
        codes = [order.code for order in claimed]
        histories = await uow.publishing.histories(codes)
        followers = await uow.publishing.followers_of(codes)
        private = {o.reporter_id for o in claimed if o.reporter_id is not None}
        people = await uow.publishing.names(private | {p for f in followers.values() for p in f})
        now = uow.clock.now()
        posts = _Posts(uow, channels, now)
        published = []
        for order in claimed:
            names = [n for pid in (order.reporter_id, *followers.get(order.code, ()))
                     for n in people.get(pid, ()) if n]   # a nickname may be None
            history = histories.get(order.code, [])
            photo = public_photo(history, channels.media_dir, order.code)
            entry = echo_entry(order, history, tree, taxonomy, names, photo)
            published.append(orders.remark(order, "published", now, data=entry))
            await posts.post(entry)
        await uow.publishing.record(published)
        await uow.publishing.mark_published(codes, now)
        await uow.publishing.owe_once(posts.owed)
        await uow.commit()
    return codes
