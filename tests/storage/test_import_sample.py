"""The sample district in data/ imports as the demo needs it."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from storage.importer import import_grids, import_people
from storage.uow import UnitOfWork

DATA = Path(__file__).resolve().parents[2] / "data"


async def test_the_sample_district_and_its_people_import(uow: UnitOfWork):
    grids_file, people_file = DATA / "sample_district.geojson", DATA / "sample_people.csv"
    features = json.loads(grids_file.read_text(encoding="utf-8"))["features"]
    rows = csv.DictReader(people_file.read_text(encoding="utf-8").splitlines())
    codes = {row["code"] for row in rows}
    grids = await import_grids(uow, grids_file)
    people = await import_people(uow, people_file)
    assert (grids.created, grids.total) == (len(features), len(features))
    assert (people.created, people.total) == (len(codes), len(codes))
    async with uow:
        tree = await uow.grids.tree()
    micro_grids = [grid for grid in tree if grid.level.value == "micro_grid"]
    assert micro_grids and all(tree.leader_on_chain(grid.code) for grid in micro_grids)
