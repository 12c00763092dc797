"""Every order held by someone: the nearest leader or dispatcher up the grid chain, else the
configured operator above the street; what the resident is told about who holds it; and the
check (`gridbot doctor`, the warning at start) that lists grids and chains without a holder.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from domain.grids import (
    DISPATCHER,
    LEADER,
    OPERATOR,
    GridTree,
    Holder,
    leaderless,
    nearest_holder,
    unheld_chains,
)
from domain.orders import WorkOrder
from handlers import texts
from handlers.deps import Deps
from handlers.dialog import Work
from storage.uow import UnitOfWork

QUEUE = "queue:"
log = logging.getLogger(__name__)


async def find_holder(work: Work, unit: str, operator: bool = True) -> Holder | None:
    """Who must act for a unit: its leader (for a queue, its dispatcher), nearest up the tree;
    above the street, the operator (unless `operator` is False: the operator is no one's
    public 网格长). None only when no one is bound and no operator is set."""
    tree = work.deps.router.tree
    code = unit.removeprefix(QUEUE)
    # A street often has a dispatcher and no 网格长: the dispatcher then holds what reaches it.
    prefer = (DISPATCHER, LEADER) if unit.startswith(QUEUE) else (LEADER, DISPATCHER)
    for grid in tree.chain(code) if code in tree else []:
        posts: dict[str, list[int]] = {}
        for membership in await work.uow.memberships.holders(grid.code):  # one query a grid
            posts.setdefault(membership.role.value, []).append(membership.person_id)
        found = nearest_holder([grid], {grid.code: posts}, prefer)
        if found is not None:
            return found
    return await find_operator(work.uow, work.deps.operator) if operator else None


async def find_operator(uow: UnitOfWork, staff_code: str | None) -> Holder | None:
    """The configured operator, when the staff code names someone in the roster."""
    if not staff_code:
        return None
    person = await uow.people.by_staff_code(staff_code)
    return Holder(person.id, None, OPERATOR) if person and person.id is not None else None


def holding_unit(work: Work, holder: Holder, unit: str) -> str:
    """The unit an order is dispatched to: the holder's grid; for the operator, the street."""
    if holder.grid_code is not None:
        return holder.grid_code
    tree = work.deps.router.tree
    code = unit.removeprefix(QUEUE)
    return tree.chain(code)[-1].code if code in tree else code


def holder_label(work: Work, holder: Holder) -> str:
    """A unit and post the public may read, e.g. 江畔社区派单员; never a person's name."""
    tree: GridTree = work.deps.router.tree
    if holder.is_operator or holder.grid_code is None or holder.grid_code not in tree:
        return texts.OPERATOR_UNIT
    grid = tree.get(holder.grid_code)
    return grid.name + texts.ROLE_LABELS.get(holder.post, holder.post)


async def filed_notice(work: Work, order: WorkOrder) -> str:
    """What the resident reads after filing: who holds the order now, and its real deadline."""
    # use_cases imports this module: these come in at call time
    from handlers.use_cases import Draft, _handling_unit, place_of, work_time
    place, sign_by = place_of(work, order), work_time(order.sign_due)
    if order.assignee_id is None:
        return texts.FILED_UNHELD.format(code=order.code, place=place, sign_by=sign_by)
    tree, unit = work.deps.router.tree, order.unit_code or ""
    category = work.deps.taxonomy.get(order.category)
    # The unit that should have held it (the category may want the community, not the building).
    meant = (_handling_unit(work, Draft(grid=order.grid_code), category.level)
             if order.grid_code else unit)
    name = tree.get(unit).name if unit in tree else unit
    if unit == meant and not unit.startswith(QUEUE):      # held where it belongs: nothing to add
        return texts.FILED.format(code=order.code, category=category.label, unit=name,
                                  sign_by=sign_by)
    held = await find_holder(work, unit)
    if held is not None and held.person_id != order.assignee_id:
        held = None                  # not how it would be held now: name the unit alone
    if unit.startswith(QUEUE):
        code = unit.removeprefix(QUEUE)
        label = (holder_label(work, held) if held else
                 (tree.get(code).name if code in tree else code) + texts.ROLE_LABELS["dispatcher"])
        return texts.FILED_QUEUE.format(code=order.code, unit=label, sign_by=sign_by)
    if held is not None and held.is_operator:
        name = texts.OPERATOR_UNIT + texts.HELD_BY_OPERATOR.format(place=place)
    elif held is not None and meant in tree:
        name += texts.HELD_ABOVE.format(place=tree.get(meant).name,
                                        post=texts.ROLE_LABELS.get(held.post, held.post))
    return texts.FILED.format(code=order.code, category=category.label, unit=name,
                              sign_by=sign_by)


# --- the check: gridbot doctor and the warning at start ----------------------------------------

@dataclass
class HolderCheck:
    """Grids with no leader, smallest grids whose chain has no holder, orders held by nobody."""

    leaderless: list[tuple[str, str, str]] = field(default_factory=list)   # code, name, level
    unheld_chains: list[tuple[str, str]] = field(default_factory=list)     # code, name
    operator: str | None = None            # the configured staff code
    operator_found: bool = False           # it names someone in the roster
    unheld_orders: list[tuple[str, str | None]] = field(default_factory=list)   # code, unit

    @property
    def every_chain_held(self) -> bool:
        """Each chain ends at a person: on the chain itself, or at the operator above it."""
        chains = not self.unheld_chains or self.operator_found
        return chains and not self.unheld_orders

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.every_chain_held,
            "leaderless_grids": [{"code": c, "name": n, "level": lv}
                                 for c, n, lv in self.leaderless],
            "unheld_chains": [{"code": c, "name": n} for c, n in self.unheld_chains],
            "operator": {"configured": self.operator is not None, "found": self.operator_found},
            "unheld_orders": [{"code": c, "unit": u} for c, u in self.unheld_orders],
        }


async def check_holders(uow: UnitOfWork, tree: GridTree, operator: str | None) -> HolderCheck:
    """Read the roster against the tree: who holds each chain, and what nobody holds."""
    posts = await uow.memberships.posts()
    return HolderCheck(
        leaderless=[(g.code, g.name, g.level.value) for g in leaderless(tree, posts)],
        unheld_chains=[(g.code, g.name) for g in unheld_chains(tree, posts)],
        operator=operator,
        operator_found=await find_operator(uow, operator) is not None,
        unheld_orders=await uow.grids.unheld_orders())


async def warn_unheld(deps: Deps) -> HolderCheck:
    """At start: one warning line with the counts (codes and names stay out of the log)."""
    operator = deps.operator
    async with deps.uow() as uow:
        found = await check_holders(uow, deps.router.tree, operator)
    if not found.every_chain_held or found.leaderless:
        log.warning("holders: %d grids without a leader, %d chains without a holder, "
                    "operator %s, %d open orders held by nobody; run `gridbot doctor`",
                    len(found.leaderless), len(found.unheld_chains),
                    "set" if found.operator_found else
                    ("not in the roster" if operator else "not set"), len(found.unheld_orders))
    return found
