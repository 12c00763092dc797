"""`gridbot import-grids` takes a county above the streets; the district without one still works."""
from __future__ import annotations

import pytest

from domain.grids import GridTree, Level
from storage.importer import GridImportError, import_grids
from storage.uow import UnitOfWork
from tests.storage.test_import_grids import district, feature


async def tree_of(uow: UnitOfWork) -> GridTree:
    async with uow:
        return GridTree(await uow.grids.all())


async def test_a_county_can_be_put_above_a_street_already_stored(uow: UnitOfWork):
    await import_grids(uow, district())
    await import_grids(uow, {"type": "FeatureCollection", "features": [
        feature("CH", "成华区", "county"), feature("JJ", "锦江街道", "street", "CH")]})
    tree = await tree_of(uow)
    assert [g.code for g in tree.chain("JJ-01-02-03")] == ["JJ-01-02-03", "JJ-01-02", "JJ-01",
                                                           "JJ", "CH"]
    assert tree.get("CH").level is Level.COUNTY
    assert tree.fallback_street().code == "JJ"


async def test_a_district_and_its_county_in_one_file(uow: UnitOfWork):
    collection = district()
    collection["features"][0]["properties"]["parent"] = "CH"
    collection["features"].append(feature("CH", "成华区", "county"))
    await import_grids(uow, collection)
    assert [g.code for g in (await tree_of(uow)).roots()] == ["CH"]


async def test_a_county_under_anything_is_refused_and_nothing_is_written(uow: UnitOfWork):
    await import_grids(uow, district())
    with pytest.raises(GridImportError, match="a county has no parent"):
        await import_grids(uow, {"type": "FeatureCollection", "features": [
            feature("CH", "成华区", "county", "JJ")]})
    assert "CH" not in await tree_of(uow)


async def test_a_street_may_not_sit_under_a_community(uow: UnitOfWork):
    await import_grids(uow, district())
    with pytest.raises(GridImportError, match="cannot sit under"):
        await import_grids(uow, {"type": "FeatureCollection", "features": [
            feature("JJ-9", "错放街道", "street", "JJ-01")]})
