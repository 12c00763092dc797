"""民意直报: an opinion or suggestion a resident sends straight to a chosen level.

Not a repair order: nobody is dispatched and no clock runs. The chosen level's staff read it as
written; everyone else (the digest, the echo wall's 群众反映) reads it scrubbed, and grouped by
place (the sender's community) and topic (a category's top level by its keywords, else by
similar wording).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from domain.categories import Taxonomy
from domain.grids import GridTree, Level
from domain.privacy import scrub
from domain.refusals import DomainError

# The levels an opinion may go to (docs/domain.md, 民意直报).
LEVELS = (Level.COMMUNITY, Level.STREET, Level.COUNTY)
LONGEST = 500
# Two opinions without a category's keyword share a topic when their wording is this close.
SIMILAR = 70.0


@dataclass(frozen=True)
class Opinion:
    """One opinion: `text` as written (for the chosen level's staff), `public` scrubbed."""

    person_id: int | None
    grid_code: str            # the sender's home grid: the place it speaks of
    target_code: str          # the grid of the chosen level it was sent to
    level: Level
    text: str
    public: str
    topic: str                # a category's top level, or "" when no keyword matched
    at: datetime
    id: int | None = None


@dataclass(frozen=True)
class OpinionEvent:
    """An opinion was sent: what the door tells the chosen level's staff from."""

    kind: str
    at: datetime
    actor_id: int | None
    target_code: str
    level: Level
    data: dict[str, Any] = field(default_factory=dict)


def opinion_code(opinion_id: int) -> str:
    """The number an opinion is told by (YJ-000012): ASCII, so erasure finds the messages
    that quote it."""
    return f"YJ-{opinion_id:06d}"


def levels_above(tree: GridTree, home: str) -> list[Level]:
    """The levels a resident of `home` may send to: those on its chain, lowest first."""
    return [grid.level for grid in tree.chain(home) if grid.level in LEVELS]


def topic_of(text: str, taxonomy: Taxonomy) -> str:
    """The top-level category whose keywords the text hits best, or ""."""
    found = taxonomy.suggest(text, limit=1)
    return found[0][0].top if found else ""


def send(tree: GridTree, person_id: int, home: str | None, level: Level, text: str,
         now: datetime, taxonomy: Taxonomy) -> tuple[Opinion, OpinionEvent]:
    """An opinion from a resident of `home` to its grid of `level`."""
    words = text.strip()
    if not words or len(words) > LONGEST:
        raise DomainError("OPINION_LENGTH", longest=LONGEST)
    if home is None or home not in tree or level not in LEVELS:
        raise DomainError("OPINION_NO_HOME")
    target = tree.ancestor_at(home, level)
    if target is None:
        raise DomainError("OPINION_NO_LEVEL")
    opinion = Opinion(person_id, home, target.code, level, words, scrub(words),
                      topic_of(words, taxonomy), now)
    return opinion, OpinionEvent("opined", now, person_id, target.code, level,
                                 {"topic": opinion.topic})


@dataclass
class Voices:
    """群众反映: opinions of one place on one topic, counted, with scrubbed examples."""

    community: str            # the community's code ("" when the home lies above any)
    topic: str
    count: int = 0
    samples: list[str] = field(default_factory=list)


def group(opinions: Iterable[Opinion], tree: GridTree, samples: int = 3) -> list[Voices]:
    """Opinions grouped by community and topic, the largest groups first. Only the scrubbed
    words travel; opinions without a topic are grouped by similar wording."""
    groups: list[Voices] = []
    keyed: dict[tuple[str, str], Voices] = {}
    loose: list[tuple[str, Voices]] = []   # (first words, group) of the topic-less groups
    for opinion in sorted(opinions, key=lambda o: (o.at, o.id or 0)):
        place = _community(tree, opinion.grid_code)
        if opinion.topic:
            voices = keyed.get((place, opinion.topic))
            if voices is None:
                voices = keyed[(place, opinion.topic)] = Voices(place, opinion.topic)
                groups.append(voices)
        else:
            voices = next((v for first, v in loose if v.community == place
                           and fuzz.ratio(first, opinion.public) >= SIMILAR), None)
            if voices is None:
                voices = Voices(place, "")
                loose.append((opinion.public, voices))
                groups.append(voices)
        voices.count += 1
        if len(voices.samples) < samples and opinion.public not in voices.samples:
            voices.samples.append(opinion.public)
    return sorted(groups, key=lambda v: (-v.count, v.community, v.topic))


def _community(tree: GridTree, code: str) -> str:
    if code not in tree:
        return ""
    community = tree.ancestor_at(code, Level.COMMUNITY)
    return community.code if community else ""
