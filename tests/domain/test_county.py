"""A county above the streets: the tree, routing and the street-fallback (兜底) with one."""
import pytest
from shapely.geometry import box

from domain.addresses import AddressMatcher
from domain.grids import Grid, GridTree, GridTreeError, Level
from domain.routing import GridIndex, Router

COUNTY = Grid("CH", "成华区", Level.COUNTY, geometry=box(104.0, 30.0, 104.2, 30.2))
STREETS = [Grid("S2", "二仙桥街道", Level.STREET, "CH", geometry=box(104.0, 30.0, 104.05, 30.05)),
           Grid("S1", "府青路街道", Level.STREET, "CH", geometry=box(104.1, 30.1, 104.15, 30.15))]
BELOW = [Grid("S1-01", "府青社区", Level.COMMUNITY, "S1", geometry=box(104.1, 30.1, 104.12, 30.12)),
         Grid("S1-01-01", "第一网格", Level.GRID, "S1-01", geometry=box(104.1, 30.1, 104.11, 30.11),
              leader_id=7)]


def tree() -> GridTree:
    return GridTree([COUNTY, *STREETS, *BELOW])


def router(t: GridTree) -> Router:
    return Router(t, GridIndex(t), AddressMatcher(list(t)))


def test_the_county_sits_above_the_street_and_ends_the_chain():
    t = tree()
    assert [g.code for g in t.chain("S1-01-01")] == ["S1-01-01", "S1-01", "S1", "CH"]
    assert [g.code for g in t.roots()] == ["CH"]
    assert t.ancestor_at("S1-01-01", Level.COUNTY) == COUNTY


def test_a_county_has_no_parent_and_nothing_but_a_county_or_a_street_stands_alone():
    with pytest.raises(GridTreeError):
        GridTree([*STREETS[:1], Grid("X", "某区", Level.COUNTY, "S1")])
    with pytest.raises(GridTreeError):
        GridTree([Grid("C", "孤儿社区", Level.COMMUNITY)])


def test_the_fallback_is_still_a_street_with_a_county_root():
    assert tree().fallback_street().code == "S1"


def test_the_fallback_without_a_county_is_the_root_street_with_the_smallest_code():
    t = GridTree([Grid("B", "乙街道", Level.STREET), Grid("A", "甲街道", Level.STREET)])
    assert t.fallback_street().code == "A"


def test_a_point_in_the_county_but_in_no_street_goes_to_the_fallback_streets_queue():
    route = router(tree()).route_point(30.19, 104.19)
    assert route.fallback == "queue:S1" and route.chain == ["S1", "CH"]


def test_a_point_in_a_grid_under_a_county_climbs_to_the_county():
    route = router(tree()).route_point(30.105, 104.105)
    assert route.grid.code == "S1-01-01" and route.chain[-1] == "CH" and route.leader_id == 7


def test_an_address_naming_only_the_county_goes_to_the_fallback_street():
    route = router(tree()).route_address("成华区")
    assert route.fallback == "queue:S1"
