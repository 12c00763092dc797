"""What people read about an order's whereabouts: a unit's name, a place, who holds it now.

The public never reads a person's name here: a unit and a post (江畔社区派单员), or the place.
"""
from __future__ import annotations

from domain.grids import Holder, Unit
from domain.orders import WorkOrder
from handlers import texts
from handlers.filing import handling_unit
from handlers.holders import find_holder
from handlers.messages import work_time
from handlers.work import Work

__all__ = ["filed_notice", "holder_label", "place_of", "unit_name", "work_time"]


def unit_name(work: Work, unit: str | None) -> str:
    if not unit:
        return texts.DISPATCHER_UNIT
    where = Unit.parse(unit)
    tree = work.deps.router.tree
    name = tree.get(where.code).name if where.code in tree else where.code
    return texts.QUEUE_UNIT.format(name=name) if where.queue else name


def place_of(work: Work, order: WorkOrder) -> str:
    tree = work.deps.router.tree
    if order.grid_code and order.grid_code in tree:
        return tree.get(order.grid_code).name
    return order.address or texts.UNPLACED


def holder_label(work: Work, holder: Holder) -> str:
    """A unit and post the public may read, e.g. 江畔社区派单员; never a person's name."""
    tree = work.deps.router.tree
    if holder.is_operator or holder.grid_code is None or holder.grid_code not in tree:
        return texts.OPERATOR_UNIT
    grid = tree.get(holder.grid_code)
    return grid.name + texts.ROLE_LABELS.get(holder.post, holder.post)


async def filed_notice(work: Work, order: WorkOrder) -> str:
    """What the resident reads after filing: who holds the order now, and its real deadline."""
    place, sign_by = place_of(work, order), work_time(order.sign_due)
    if order.assignee_id is None:
        return texts.FILED_UNHELD.format(code=order.code, place=place, sign_by=sign_by)
    tree, unit = work.deps.router.tree, order.unit_code or ""
    where = Unit.parse(unit)
    category = work.deps.taxonomy.get(order.category)
    # The unit that should have held it (the category may want the community, not the building).
    meant = (handling_unit(work, order.grid_code, None, category.level)
             if order.grid_code else unit)
    name = tree.get(unit).name if unit in tree else unit
    if unit == meant and not where.queue:      # held where it belongs: nothing to add
        return texts.FILED.format(code=order.code, category=category.label, unit=name,
                                  sign_by=sign_by)
    held = await find_holder(work, unit)
    if held is not None and held.person_id != order.assignee_id:
        held = None                  # not how it would be held now: name the unit alone
    if where.queue:
        label = (holder_label(work, held) if held else
                 (tree.get(where.code).name if where.code in tree else where.code)
                 + texts.ROLE_LABELS["dispatcher"])
        return texts.FILED_QUEUE.format(code=order.code, unit=label, sign_by=sign_by)
    if held is not None and held.is_operator:
        name = texts.OPERATOR_UNIT + texts.HELD_BY_OPERATOR.format(place=place)
    elif held is not None and meant in tree:
        name += texts.HELD_ABOVE.format(place=tree.get(meant).name,
                                        post=texts.ROLE_LABELS.get(held.post, held.post))
    return texts.FILED.format(code=order.code, category=category.label, unit=name,
                              sign_by=sign_by)


def invalid_category(reason: str) -> str:
    """不予受理's category as the reason's words name it: a false report costs points."""
    return "false" if any(word in reason for word in texts.FALSE_REPORT_WORDS) else "other"
