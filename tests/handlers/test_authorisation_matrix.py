"""Who may do and see what on one order in grid A: every role × every action × in/out of scope.

One order is reported in 锦江畔3号楼 (grid A, JJ-01-01-03) by a resident, followed ('me too') by
a rider, and dispatched to grid A's leader; for the department rows it is whistled (吹哨) by the
street to department A instead. Each cell gets a fresh order in the state its action needs, does
the action through the chat as that person would (or as an attacker forging the button), and
checks the answer. A refused cell also checks that the order, its events and its followers are
exactly as before and that the refusal is a sentence from handlers/texts.py.

Scope: "in" is the role's person who has a part in the order (its reporter, its follower, the
leader of its grid, the community and street above it, the department it was whistled to); for
'me too', "in" means reporting the same problem at the same spot, "out" reporting elsewhere and
forging the button. Grid B's leader and the other community and department are "out". The
sample district has one street, so the street dispatcher has no "out" row. 派单 names the first
grid the assign menu offers the person (a micro-grid's leader is offered none: it returns or
escalates instead), or forges a sibling building when offered nothing.

A second table checks the targets a staff press names (a dispatch unit, a merge target) and the
private orders ('me too' or 合并 on a category never published): each target is one the menu
would offer, inside the actor's own subtree, checked when pressed.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.config import SAMPLE_DISTRICT
from bot.services import build_chat
from domain import invites
from domain.routing import grids_from_geojson
from handlers import access, dispatching, texts, use_cases
from handlers.use_cases import Draft
from handlers.work import Work
from tests import scenarios
from tests.handlers.conftest import CoreTalk

Y, N = True, False
ACTIONS = ("sign", "return", "escalate", "progress", "resolve", "extension", "assign", "invalid",
           "merge", "approve", "my", "detail", "metoo", "rate", "todo", "media")
TABLE = [
    # role              scope  签收 退回 上报 进展 办结 延期 派单 不受理 合并 批延期 /my 详情 +1 评价 /todo 媒体
    ("anonymous",       "in",  N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("anonymous",       "out", N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("unconsented",     "in",  N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("unconsented",     "out", N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("resident",        "in",  N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     Y,  Y,   Y, Y,   N,    Y),
    ("resident",        "out", N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("rider",           "in",  N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  Y,   Y, N,   N,    Y),
    ("rider",           "out", N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("leader of A",     "in",  Y,   Y,   Y,   Y,   Y,   Y,   N,   Y,     Y,   N,     N,  Y,   Y, N,   Y,    Y),
    ("leader of B",     "out", N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("community staff", "in",  N,   N,   Y,   N,   N,   N,   Y,   Y,     Y,   Y,     N,  Y,   Y, N,   N,    Y),
    ("community staff", "out", N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
    ("street",          "in",  N,   N,   Y,   N,   N,   N,   Y,   Y,     Y,   Y,     N,  Y,   Y, N,   N,    Y),
    ("department",      "in",  Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,     Y,   N,     N,  Y,   Y, N,   Y,    Y),
    ("department",      "out", N,   N,   N,   N,   N,   N,   N,   N,     N,   N,     N,  N,   N, N,   N,    N),
]
# Who plays each (role, scope).
ACTORS = {
    ("anonymous", "in"): "anon", ("anonymous", "out"): "anon",
    ("unconsented", "in"): "declined", ("unconsented", "out"): "declined",
    ("resident", "in"): "reporter", ("resident", "out"): "neighbour",
    ("rider", "in"): "rider_a", ("rider", "out"): "rider_b",
    ("leader of A", "in"): "leader_a", ("leader of B", "out"): "leader_b",
    ("community staff", "in"): "community_a", ("community staff", "out"): "community_b",
    ("street", "in"): "street",
    ("department", "in"): "dept_a", ("department", "out"): "dept_b",
}
STAFF = {"leader_a": ("JJ-01-01-03", "leader"), "leader_b": ("JJ-01-01-02", "leader"),
         "community_a": ("JJ-01", "leader"), "community_b": ("JJ-02", "leader"),
         "street": ("JJ", "dispatcher"), "dept_a": ("JJ", "department"),
         "dept_b": ("JJ", "department")}
# The state each action needs the order in.
NEEDS = {"progress": "accepted", "resolve": "accepted", "extension": "accepted",
         "approve": "extension asked", "rate": "resolved"}
# What the chat says when it refuses (every one a sentence of handlers/texts.py).
REFUSALS = {texts.NOT_ALLOWED, texts.NO_SUCH_ORDER, texts.METOO_REFUSED, texts.NEED_CONSENT,
            texts.DISPATCH_TARGET_REFUSED, texts.MERGE_PRIVATE_REFUSED}
# The staff buttons that ask for a reason, and the reason given.
REASONED = {"return": ("return", "不是本网格的事"), "escalate": ("up", "需要上级协调"),
            "progress": ("progress", "已联系保洁"), "resolve": ("resolve", "已清运完毕"),
            "extension": ("extend", "需要协调物业 3"), "invalid": ("invalid", "重复上报")}
DONE = {"sign": "已签收 {code}", "return": "已退回 {code}", "escalate": "已上报 {code}",
        "progress": texts.PROGRESS_SAVED, "resolve": "已办结 {code}",
        "extension": "延期申请已提交", "metoo": "已为您关注工单 {code}",
        "rate": "工单 {code} 已结案", "detail": "工单 {code}\n", "assign": "已将 {code} 派给",
        "invalid": "已将 {code} 标记为不予受理", "merge": "已将 {code} 合并到",
        "approve": "已同意 {code} 延期"}


def _inside(code: str) -> tuple[float, float]:
    grids = {g.code: g for g in grids_from_geojson(json.loads(SAMPLE_DISTRICT.read_text()))}
    inside = grids[code].geometry.representative_point()
    return inside.y, inside.x


class World:
    """The people of the table, bound and onboarded once; a fresh order for every cell."""

    def __init__(self, services, talk):
        self.services, self.talk, self.ids = services, talk, {}
        self.here, self.elsewhere = _inside("JJ-01-01-03"), _inside("JJ-02-01")

    async def build(self) -> None:
        talk = self.talk
        for user, (grid, role) in STAFF.items():
            code = invites.new_code()
            async with self.services.uow() as uow:
                now = self.services.clock.now()
                key = self.services.settings.invite_key
                uow.invites.add(invites.Invite(invites.hash_code(code, key), grid, role, now,
                                               now + timedelta(hours=72)))
                await uow.commit()
            assert "绑定成功" in (await talk.text(user, f"/start inv_{code}"))[-1].text
        for user in ("reporter", "neighbour"):
            await scenarios.onboard_resident(talk, user)
        for user in ("rider_a", "rider_b"):
            await scenarios.onboard_rider(talk, user)
        await talk.text("declined", "/start")
        await talk.press("declined", "consent:no")
        async with self.services.uow() as uow:
            for user in [*STAFF, "reporter", "neighbour", "rider_a", "rider_b"]:
                self.ids[user] = (await uow.people.by_channel(talk.channel, user)).id

    async def order(self, state: str, whistled: bool, grid: str = "JJ-01-01-03",
                    category: str = "H01") -> str:
        """Reported by the resident, followed by rider A, held by leader A (or department A);
        or reported in another grid, or of another category, and held where it routes."""
        deps = self.talk.chat.deps
        spot = self.here if grid == "JJ-01-01-03" else _inside(grid)
        async with self.services.uow() as uow:
            work = Work(uow, deps)
            order = await use_cases.file_order(work, self.ids["reporter"], Draft(
                category=category, description="楼下垃圾没人清运", lat=spot[0], lng=spot[1],
                grid=grid))
            await use_cases.follow(work, self.ids["rider_a"], order)
            if whistled:
                order = (await dispatching.assign_person(work, self.ids["street"], order.code,
                                                         self.ids["dept_a"])).order
            if state in ("accepted", "resolved", "extension asked"):
                order = (await use_cases.sign_for(work, order.assignee_id, order.code)).order
            if state == "extension asked":
                await dispatching.request_extension(work, order.assignee_id, order.code, 3,
                                                    "需要协调物业")
            if state == "resolved":
                await use_cases.resolve(work, order.assignee_id, order.code, "已清运")
            await uow.commit()
        return order.code

    async def snapshot(self, code: str):
        async with self.services.uow() as uow:
            return (await uow.orders.get(code), await uow.events.for_order(code),
                    await uow.orders.followers(code))

    async def may_view(self, user: str, code: str) -> bool:
        """The rule the web side's signed media links follow."""
        async with self.services.uow() as uow:
            person = await uow.people.by_channel(self.talk.channel, user)
            order = await uow.orders.get(code)
            return await access.may_view(Work(uow, self.talk.chat.deps), person, order)

    async def act(self, user: str, action: str, scope: str, code: str) -> tuple[bool, list]:
        """Do the action as `user`; whether it went through, and everything they were told."""
        talk = self.talk
        await talk.text(user, "/cancel")
        said: list = []
        if action == "media":
            return await self.may_view(user, code), said
        if action in ("my", "todo"):
            said = await talk.text(user, f"/{action}")
            return any(code in m.text for m in said), said
        if action == "sign":
            said = await talk.press(user, f"sign:{code}")
        elif action in REASONED:
            prefix, reason = REASONED[action]
            said = await talk.press(user, f"{prefix}:{code}")
            if said and said[-1].text not in REFUSALS:
                said += await talk.text(user, reason)
                if action == "resolve":          # 办结 waits for photos until 完成办结
                    said += await talk.press(user, f"finish:{code}")
        elif action == "assign":
            menu = await talk.press(user, f"assign:{code}")
            grids = [c.data for m in menu for c in m.choices
                     if c.data.startswith(f"to:{code}:") and "@" not in c.data]
            said = await talk.press(user, grids[0] if grids else f"to:{code}:JJ-01-01-02")
        elif action == "merge":
            into = await self.order("dispatched", whistled=False)
            said = await talk.press(user, f"merge:{code}")
            if said and said[-1].text not in REFUSALS:
                said += await talk.text(user, into)
        elif action == "approve":
            said = await talk.press(user, f"approve:{code}:3")
        elif action == "detail":
            said = await talk.press(user, f"detail:{code}")
        elif action == "rate":
            said = await talk.press(user, f"solved:{code}:1")
            said += await talk.press(user, f"rate:{code}:1:satisfied")
        elif action == "metoo":
            said = await self._report_then_metoo(user, scope, code)
        done = DONE[action].format(code=code)
        return any(m.text.startswith(done) or done in m.text for m in said), said

    async def _report_then_metoo(self, user: str, scope: str, code: str,
                                 category: str = "H01") -> list:
        talk = self.talk
        await talk.text(user, "/report")
        said = await talk.press(user, f"cat:{category}")
        said += await talk.location(user, *(self.here if scope == "in" else self.elsewhere))
        for _ in range(3):
            offered = [c.data for m in said for c in m.choices if c.data == f"metoo:{code}"]
            if offered:
                break
            if not any(c.data == "skip:" for c in said[-1].choices):
                break
            said = await talk.press(user, "skip:")
        return await talk.press(user, f"metoo:{code}")     # offered, or forged


@pytest.mark.parametrize("action", ACTIONS)
async def test_every_role_may_do_only_what_the_table_says(district, action):
    world = World(district, CoreTalk(await build_chat(district), district.clock))
    await world.build()
    column = ACTIONS.index(action) + 2
    wrong = []
    for row in TABLE:
        role, scope, expected = row[0], row[1], row[column]
        user = ACTORS[(role, scope)]
        code = await world.order(NEEDS.get(action, "dispatched"), whistled=role == "department")
        before = await world.snapshot(code)
        allowed, said = await world.act(user, action, scope, code)
        if allowed != expected:
            wrong.append((role, scope, action, "allowed" if allowed else "refused",
                          [m.text[:40] for m in said]))
            continue
        if not allowed:
            after = await world.snapshot(code)
            if after != before:
                wrong.append((role, scope, action, "refused but changed the order"))
            buttons = action not in ("my", "todo", "media")
            if buttons and not (said and said[-1].text in REFUSALS):
                wrong.append((role, scope, action, "refused without a clear sentence",
                              [m.text[:40] for m in said]))
    assert wrong == []


# Staff targets and private orders: what the press names is checked, not only the order it acts on.
# The order is the table's (reported in grid A, held by leader A); "private" is a 家庭矛盾 order
# reported at the same spot, held by community A.
#   actor          action           target         allowed
TARGET_TABLE = [
    ("community_a", "dispatch",      "JJ-01-02",    Y),   # a grid of its own community
    ("community_a", "dispatch",      "JJ-02",       N),   # another community (forged press)
    ("leader_a",    "dispatch",      "JJ-01-01-02", N),   # the building next door (forged press)
    ("street",      "dispatch",      "JJ-02",       Y),   # the street's own subtree
    ("community_a", "merge",         "JJ-01-02",    Y),   # into an order of its own community
    ("community_a", "merge",         "JJ-02-01",    N),   # into an order of another community
    ("leader_a",    "merge",         "JJ-01-02",    N),   # into an order outside its building
    ("community_a", "merge",         "private",     N),   # into a private order it handles
    ("community_a", "merge private", "JJ-01-02",    N),   # a private order into a public one
    ("neighbour",   "metoo",         "private",     N),   # the person reported on, at the spot
]


async def _told(world: World, code: str, but: str) -> int:
    """How many messages naming the order reached anyone but `but`."""
    return sum(code in m.text for user, inbox in world.talk.received.items() if user != but
               for m in inbox)


async def _orders_for(world: World, action: str, target: str) -> list[str]:
    """The order the press acts on, then the merge target if any."""
    if action == "metoo":
        return [await world.order("dispatched", whistled=False, category="M02")]
    private = await world.order("dispatched", whistled=False, category="M02")
    code = await world.order("dispatched", whistled=False)
    if action == "dispatch":
        return [code]
    into = private if target == "private" else await world.order("dispatched", False, target)
    return [private, into] if action == "merge private" else [code, into]


async def _press(world: World, user: str, action: str, target: str, codes: list[str]) -> list:
    talk = world.talk
    await talk.text(user, "/cancel")
    if action == "metoo":
        return await world._report_then_metoo(user, "in", codes[0], category="M02")
    if action == "dispatch":
        return await talk.press(user, f"to:{codes[0]}:{target}")
    said = await talk.press(user, f"merge:{codes[0]}")
    if said and said[-1].text == texts.ASK_MERGE_TARGET:
        said += await talk.text(user, codes[1])
    return said


@pytest.mark.parametrize(("user", "action", "target", "expected"), TARGET_TABLE)
async def test_staff_targets_and_private_orders_only_within_scope(district, user, action, target,
                                                                  expected):
    world = World(district, CoreTalk(await build_chat(district), district.clock))
    await world.build()
    codes = await _orders_for(world, action, target)
    before = [await world.snapshot(code) for code in codes]
    heard = [await _told(world, code, user) for code in codes]

    said = await _press(world, user, action, target, codes)

    done = {"dispatch": "已将 {code} 派给", "metoo": "已为您关注工单 {code}"}.get(
        action, "已将 {code} 合并到").format(code=codes[0])
    assert any(done in m.text for m in said) == expected, [m.text[:40] for m in said]
    if expected:
        return
    refusals = REFUSALS | {texts.MERGE_TARGET_REFUSED.format(code=codes[-1])}
    assert said and said[-1].text in refusals, [m.text[:40] for m in said]
    assert [await world.snapshot(code) for code in codes] == before
    # Nobody else heard of it: no photos, pin or contact button for another grid's holder.
    assert [await _told(world, code, user) for code in codes] == heard
