"""An admin imports a district's grids from GeoJSON: all or nothing, again and again."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.importer import GridImportError, ImportReport, import_grids
from storage.uow import UnitOfWork


def square(x: int, y: int, size: float = 0.001) -> dict[str, Any]:
    west, south = 124.1 + x * size, 39.8 + y * size
    ring = [[west, south], [west + size, south], [west + size, south + size],
            [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, name: str, level: str, parent: str | None = None,
            geometry: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    properties = {"code": code, "name": name, "level": level, "parent": parent, **extra}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def district() -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        feature("JJ", "锦江街道", "street"),
        feature("JJ-01", "锦江社区", "community", "JJ"),
        feature("JJ-01-02", "锦江花园网格", "grid", "JJ-01", aliases=["锦江花园", "锦江小区"]),
        feature("JJ-01-02-03", "3号楼微网格", "micro_grid", "JJ-01-02", square(0, 0)),
        feature("JJ-01-02-04", "4号楼微网格", "micro_grid", "JJ-01-02", {
            "type": "MultiPolygon",   # a building and its detached bicycle shed
            "coordinates": [square(1, 0)["coordinates"], square(3, 3)["coordinates"]]}),
    ]}


async def grid_names(uow: UnitOfWork) -> dict[str, tuple[str, str | None]]:
    async with uow:
        return {grid.code: (grid.name, grid.parent) for grid in await uow.grids.all()}


async def test_importing_twice_updates_and_never_duplicates(uow: UnitOfWork):
    collection = district()
    assert await import_grids(uow, collection) == ImportReport(created=5, updated=0, total=5)
    collection["features"][3]["properties"]["name"] = "3号楼（东）微网格"
    assert await import_grids(uow, collection) == ImportReport(created=0, updated=5, total=5)
    names = await grid_names(uow)
    assert len(names) == 5
    assert names["JJ-01-02-03"] == ("3号楼（东）微网格", "JJ-01-02")


async def test_a_file_may_add_below_grids_already_stored(uow: UnitOfWork, tmp_path: Path):
    await import_grids(uow, district())
    more = {"type": "FeatureCollection", "features": [
        feature("JJ-01-02-05", "5号楼微网格", "micro_grid", "JJ-01-02", square(2, 0))]}
    path = tmp_path / "more.geojson"
    path.write_text(json.dumps(more, ensure_ascii=False), encoding="utf-8")
    assert await import_grids(uow, path) == ImportReport(created=1, updated=0, total=1)
    async with uow:
        tree = await uow.grids.tree()
    assert [g.code for g in tree.chain("JJ-01-02-05")] == ["JJ-01-02-05", "JJ-01-02", "JJ-01", "JJ"]
    assert tree.get("JJ-01-02-04").geometry.geom_type == "MultiPolygon"


def _bow_tie() -> dict[str, Any]:
    ring = [[124.1, 39.8], [124.101, 39.801], [124.101, 39.8], [124.1, 39.801], [124.1, 39.8]]
    return {"type": "Polygon", "coordinates": [ring]}


BAD_FEATURES = [  # (what is wrong, the feature, the start of the message)
    ("bad level", feature("JJ-01-02-09", "9号楼", "xx", "JJ-01-02", square(5, 5)),
     "feature 6 (JJ-01-02-09): level 'xx' is not one of street, community, grid, micro_grid"),
    ("missing parent", feature("JJ-77-01", "不存在的网格", "grid", "JJ-77"),
     "feature 6 (JJ-77-01): parent 'JJ-77' does not exist in the file or the database"),
    ("invalid geometry", feature("JJ-01-02-09", "9号楼", "micro_grid", "JJ-01-02", _bow_tie()),
     "feature 6 (JJ-01-02-09): geometry is not a valid Polygon: Self-intersection"),
    ("point geometry", feature("JJ-01-02-09", "9号楼", "micro_grid", "JJ-01-02",
                               {"type": "Point", "coordinates": [124.1, 39.8]}),
     "feature 6 (JJ-01-02-09): geometry is a Point, not a Polygon or MultiPolygon"),
    ("duplicate code", feature("JJ-01-02-03", "重复", "micro_grid", "JJ-01-02", square(9, 9)),
     "feature 6 (JJ-01-02-03): code appears twice in the file (first as feature 3)"),
    ("level above its parent", feature("JJ-01-02-09", "9号楼", "community", "JJ-01-02"),
     "feature 6 (JJ-01-02-09): a community cannot sit under JJ-01-02 which is a grid"),
    ("unreadable geometry", feature("JJ-01-02-09", "9号楼", "micro_grid", "JJ-01-02",
                                    {"type": "Polygon", "coordinates": "somewhere"}),
     "feature 6 (JJ-01-02-09): geometry cannot be read"),
    ("missing name", feature("JJ-01-02-09", " ", "micro_grid", "JJ-01-02", square(5, 5)),
     "feature 6 (JJ-01-02-09): name is missing"),
]


async def test_a_bad_feature_is_named_and_leaves_the_database_as_it_was(uow: UnitOfWork):
    await import_grids(uow, district())
    before = await grid_names(uow)
    for case, bad, message in BAD_FEATURES:
        collection = district()
        collection["features"][0]["properties"]["name"] = "改名的街道"   # a good change, earlier
        collection["features"].append(feature("JJ-01-02-08", "8号楼", "micro_grid", "JJ-01-02",
                                              square(3, 0)))           # and a good addition
        collection["features"].append(bad)
        with pytest.raises(GridImportError) as failure:
            await import_grids(uow, collection)
        assert str(failure.value).startswith(message), case
        assert await grid_names(uow) == before, case


async def test_a_failed_import_inside_an_open_unit_of_work_undoes_only_itself(uow: UnitOfWork):
    collection = district()
    collection["features"][4]["properties"]["level"] = "building"
    async with uow:
        await uow.grids.upsert([])   # the caller's own work in the same transaction
        with pytest.raises(GridImportError, match=r"feature 4 .*level 'building'"):
            await import_grids(uow, collection)
        await uow.dialogs.put("web", "admin", {"step": "fix the file"})
        await uow.commit()
    async with uow:
        assert await uow.dialogs.get("web", "admin") == {"step": "fix the file"}
        assert await uow.grids.all() == []


def synthetic_district(micro_grids: int) -> dict[str, Any]:
    """One street, 10 communities, 10 grids each, micro-grids spread across them."""
    features = [feature("S", "街道", "street")]
    for c in range(10):
        features.append(feature(f"S-{c}", f"{c}社区", "community", "S"))
        for g in range(10):
            features.append(feature(f"S-{c}-{g}", f"{c}-{g}网格", "grid", f"S-{c}"))
    for n in range(micro_grids):
        parent = f"S-{n % 10}-{n // 10 % 10}"
        features.append(feature(f"{parent}-{n}", f"{n}号楼", "micro_grid", parent,
                                square(n % 100, n // 100), aliases=[f"{n}号楼"]))
    return {"type": "FeatureCollection", "features": features}


async def test_two_thousand_features_import_in_one_go(uow: UnitOfWork):
    collection = synthetic_district(1889)
    report = await import_grids(uow, collection, progress=False)
    assert report == ImportReport(created=2000, updated=0, total=2000)
    async with uow:
        tree = await uow.grids.tree()
    assert len(tree) == 2000
    assert [g.code for g in tree.chain("S-7-3-1837")] == ["S-7-3-1837", "S-7-3", "S-7", "S"]
    assert tree.get("S-7-3-1837").geometry.bounds[0] == pytest.approx(124.1 + 0.037)


async def test_a_failure_while_writing_leaves_nothing_half_imported(
        uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch):
    from storage import importer
    from storage.repositories.grids import GridRepository

    written = GridRepository.upsert_values

    async def disk_full_on_the_second_chunk(self: GridRepository, values: list) -> None:
        if values[0]["code"] != "JJ":
            raise OSError("disk full")
        await written(self, values)

    monkeypatch.setattr(importer, "CHUNK", 2)
    monkeypatch.setattr(GridRepository, "upsert_values", disk_full_on_the_second_chunk)
    with pytest.raises(OSError, match="disk full"):
        await import_grids(uow, district())
    assert await grid_names(uow) == {}


async def test_an_import_also_runs_on_a_plain_session_and_commits(uow: UnitOfWork,
                                                                  engine: AsyncEngine):
    async with session_factory(engine)() as session:
        assert await import_grids(session, district()) == ImportReport(5, 0, 5)
    assert len(await grid_names(uow)) == 5
