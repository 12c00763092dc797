"""Every order held by someone: the nearest leader or dispatcher up the grid chain, else the
configured operator above the street; and the check (`gridbot doctor`, the warning at start)
that lists grids and chains without a holder. What people are told about who holds an order
is handlers/names.py's.
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
    Level,
    Unit,
    leaderless,
    nearest_holder,
    queue_of,
    unheld_chains,
)
from domain.orders import WorkOrder
from handlers.deps import Deps
from handlers.work import Work
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def find_holder(work: Work, unit: str, operator: bool = True) -> Holder | None:
    """Who must act for a unit: its leader (for a queue, its dispatcher), nearest up the tree;
    above the street, the operator (unless `operator` is False: the operator is no one's
    public 网格长). None only when no one is bound and no operator is set."""
    tree = work.deps.router.tree
    where = Unit.parse(unit)
    # A street often has a dispatcher and no 网格长: the dispatcher then holds what reaches it.
    prefer = (DISPATCHER, LEADER) if where.queue else (LEADER, DISPATCHER)
    for grid in tree.chain(where.code) if where.code in tree else []:
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
    code = Unit.parse(unit).code
    return tree.chain(code)[-1].code if code in tree else code


async def holder_of(work: Work, unit: str, operator: bool = False) -> int | None:
    """Who must act for a unit: its leader, or for a queue its dispatcher, nearest up the tree;
    with `operator`, past the street the configured operator (who holds orders, not a grid)."""
    held = await find_holder(work, unit, operator)
    return held.person_id if held else None


async def approver_of(work: Work, order: WorkOrder, handler_id: int | None) -> int | None:
    """Who decides the holder's 申请延期: the community above the order's unit; when that is
    no one or the holder themself, the street's dispatcher (or the operator)."""
    tree = work.deps.router.tree
    unit = order.unit_code or ""
    community = tree.ancestor_at(unit, Level.COMMUNITY) if unit in tree else None
    approver = await holder_of(work, community.code) if community else None
    if approver is None or approver == handler_id:
        approver = await holder_of(work, queue_of(tree.fallback_street().code), operator=True)
    return approver


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
