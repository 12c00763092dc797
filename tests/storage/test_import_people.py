"""An admin imports the staff list: people by their code, each with a role on a grid."""
from __future__ import annotations

from pathlib import Path

import pytest

from storage.importer import ImportReport, PeopleImportError, import_grids, import_people
from storage.records import Membership, Role
from storage.uow import UnitOfWork
from tests.storage.test_import_grids import district

HEADER = "code,name,role,grid,phone,duty\n"
STAFF = HEADER + (
    "L-01,张网格长,leader,JJ-01-02,13800000001,网格长 负责锦江花园\n"
    "M-01,李网格员,member,JJ-01-02-03,13800000002,3号楼网格员\n"
    "M-01,李网格员,member,JJ-01-02-04,,4号楼网格员\n"
    "D-01,王调度,dispatcher,JJ-01,13800000003,社区调度\n"
)


@pytest.fixture
async def district_uow(uow: UnitOfWork) -> UnitOfWork:
    await import_grids(uow, district())
    return uow


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def staff(uow: UnitOfWork) -> tuple[list[tuple[str | None, str, str | None]], list]:
    async with uow:
        people = [await uow.people.by_staff_code(code) for code in ("L-01", "M-01", "D-01")]
        found = [(p.staff_code, p.name, p.phone) for p in people if p is not None]
        roles = [m for p in people if p is not None for m in await uow.memberships.of_person(p.id)]
    return found, roles


async def test_importing_staff_twice_updates_and_never_duplicates(district_uow: UnitOfWork,
                                                                 tmp_path: Path):
    uow = district_uow
    first = await import_people(uow, write(tmp_path, STAFF))
    again = await import_people(uow, write(tmp_path, STAFF.replace("张网格长", "张建国")))
    assert (first, again) == (ImportReport(3, 0, 3), ImportReport(0, 3, 3))
    people, roles = await staff(uow)
    assert people == [("L-01", "张建国", "13800000001"), ("M-01", "李网格员", "13800000002"),
                      ("D-01", "王调度", "13800000003")]
    assert len(roles) == 4
    async with uow:
        tree = await uow.grids.tree()
        leader = await uow.people.by_staff_code("L-01")
    assert leader is not None and (leader.duty, leader.kind) == ("网格长 负责锦江花园", "staff")
    assert tree.leader_on_chain("JJ-01-02-03") == (tree.get("JJ-01-02"), leader.id)
    assert Membership(leader.id, "JJ-01-02", Role.LEADER) in roles


BAD_LINES = [  # (what is wrong, the line added as line 6, the message)
    ("unknown grid", "X-01,赵六,member,JJ-99,,", "line 6: grid 'JJ-99' does not exist"),
    ("unknown role", "X-01,赵六,boss,JJ-01,,",
     "line 6: role 'boss' is not one of leader, member, dispatcher, department"),
    ("missing name", "X-01,,member,JJ-01,,", "line 6: name is missing"),
    ("one code, two names", "L-01,张三,member,JJ-01,,",
     "line 6: code L-01 is 张网格长 on line 2, not 张三"),
]


async def test_a_bad_line_is_named_and_leaves_the_database_as_it_was(district_uow: UnitOfWork,
                                                                     tmp_path: Path):
    uow = district_uow
    await import_people(uow, write(tmp_path, HEADER + "M-01,李网格员,member,JJ-01-02-03,,\n"))
    before = await staff(uow)
    for case, line, message in BAD_LINES:
        changed = STAFF.replace("李网格员", "李四") + line + "\n"   # good changes, then a bad line
        with pytest.raises(PeopleImportError) as failure:
            await import_people(uow, write(tmp_path, changed))
        assert str(failure.value) == message, case
        assert await staff(uow) == before, case


async def test_a_file_without_the_expected_header_is_refused(district_uow: UnitOfWork,
                                                             tmp_path: Path):
    with pytest.raises(PeopleImportError, match="line 1: header lacks role, grid"):
        await import_people(district_uow, write(tmp_path, "code,name,phone\nL-01,张,138\n"))


async def test_the_roster_marks_party_members_and_the_grid_party_group(district_uow, tmp_path):
    roster = HEADER.strip() + ",party\n" + (
        "L-01,张网格长,leader,JJ-01-02,13800000001,网格长,group\n"
        "M-01,李网格员,member,JJ-01-02-03,13800000002,3号楼网格员,member\n"
        "D-01,王调度,dispatcher,JJ-01,13800000003,社区调度,\n")
    await import_people(district_uow, write(tmp_path, roster))
    async with district_uow as uow:
        marked = {code: (p.party_member, p.party_group) for code in ("L-01", "M-01", "D-01")
                  if (p := await uow.people.by_staff_code(code)) is not None}
    assert marked == {"L-01": (True, "JJ-01-02"), "M-01": (True, None), "D-01": (False, None)}
    with pytest.raises(PeopleImportError, match="line 2: party"):
        await import_people(district_uow, write(tmp_path, roster.replace(",group", ",yes")))
