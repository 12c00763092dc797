"""Reading staff from a CSV (`code,name,role,grid,phone,duty[,party]`), checked row by row.

The optional `party` column marks 党员: `member`, or `group` for a member of the line's grid's
网格党小组 (党小组); empty for anyone else.
"""
from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from storage.import_report import PeopleImportError
from storage.records import Role

REQUIRED = ("code", "name", "role", "grid")
HEADER = "code,name,role,grid,phone,duty"
ROLE_NAMES = ", ".join(role.value for role in Role)
PARTY = ("member", "group")


@dataclass(frozen=True)
class StaffLine:
    """One line of the file: a person and one of their roles."""

    line: int
    code: str
    name: str
    role: Role
    grid: str
    phone: str | None
    duty: str | None
    party_member: bool = False
    party_group: str | None = None    # the line's grid, when marked `group`


def read_staff(path: str | Path, grids: Collection[str]) -> list[StaffLine]:
    """Every line as a StaffLine; `grids` are the grid codes the database holds."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            missing = [name for name in REQUIRED if name not in (reader.fieldnames or ())]
            if missing:
                raise PeopleImportError(
                    f"line 1: header lacks {', '.join(missing)} (expected {HEADER})")
            lines = []
            for row in reader:
                lines.append(_line(reader.line_num, row, grids))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PeopleImportError(f"{path}: cannot read CSV: {exc}") from None
    _check_names_agree(lines)
    return lines


def _line(number: int, row: dict[str, str | None], grids: Collection[str]) -> StaffLine:
    def cell(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    where = f"line {number}"
    code, name, role_name, grid = cell("code"), cell("name"), cell("role"), cell("grid")
    if code is None:
        raise PeopleImportError(f"{where}: code is missing")
    if name is None:
        raise PeopleImportError(f"{where}: name is missing")
    try:
        role = Role(role_name or "")
    except ValueError:
        raise PeopleImportError(f"{where}: role {role_name!r} is not one of {ROLE_NAMES}") from None
    if grid is None:
        raise PeopleImportError(f"{where}: grid is missing")
    if grid not in grids:
        raise PeopleImportError(f"{where}: grid {grid!r} does not exist")
    party = cell("party")
    if party is not None and party not in PARTY:
        raise PeopleImportError(f"{where}: party {party!r} is not one of member, group")
    return StaffLine(number, code, name, role, grid, cell("phone"), cell("duty"),
                     party is not None, grid if party == "group" else None)


def _check_names_agree(lines: list[StaffLine]) -> None:
    """One code may hold several roles, but it is one person."""
    first: dict[str, StaffLine] = {}
    for line in lines:
        earlier = first.setdefault(line.code, line)
        if earlier.name != line.name:
            raise PeopleImportError(
                f"line {line.line}: code {line.code} is {earlier.name} on line {earlier.line},"
                f" not {line.name}")
