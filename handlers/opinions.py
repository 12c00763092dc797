"""民意直报 use cases: an opinion sent straight to a chosen level, and 群众反映 for the public.

The sender's words reach the chosen level's staff as written; anything public reads them
scrubbed and grouped (domain/opinions.py).
"""
from __future__ import annotations

from datetime import datetime

from domain import opinions
from domain.categories import Taxonomy
from domain.grids import GridTree, Level
from domain.opinions import Opinion, OpinionEvent, Voices
from domain.refusals import DomainError
from storage.uow import UnitOfWork


async def send(uow: UnitOfWork, tree: GridTree, taxonomy: Taxonomy, person_id: int,
               level: Level, text: str, now: datetime
               ) -> tuple[Opinion, list[OpinionEvent]]:
    """A resident's opinion to their community, street or county, kept; its event."""
    person = await uow.people.get(person_id)
    if person is None:
        raise DomainError("NEED_CONSENT")
    opinion, event = opinions.send(tree, person_id, person.home_grid, level, text, now, taxonomy)
    opinion_id = await uow.opinions.add(opinion)
    event.data["opinion"] = opinion_id
    return opinion, [event]


async def voices(uow: UnitOfWork, tree: GridTree, community: str, start: datetime,
                 end: datetime) -> list[Voices]:
    """群众反映 of one community in [start, end): its residents' opinions, scrubbed, grouped."""
    places = [grid.code for grid in tree if grid.code in tree and tree.is_above(community,
                                                                                grid.code)]
    return opinions.group(await uow.opinions.from_places(places, start, end), tree)
