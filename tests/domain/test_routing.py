import copy
import json
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box, mapping

from domain.addresses import AddressMatcher
from domain.geo import wgs84_to_gcj02
from domain.grids import Grid, GridTree, Level
from domain.routing import GridIndex, Router, grids_from_geojson

LAT0, LNG0, CELL = 39.86, 124.15, 0.001  # one cell is about 110 m north-south, 85 m east-west


def cells(x0: float, y0: float, x1: float, y1: float):
    """A rectangle in cells east (x) and north (y) of the district's south-west corner."""
    return box(LNG0 + x0 * CELL, LAT0 + y0 * CELL, LNG0 + x1 * CELL, LAT0 + y1 * CELL)


def at(x: float, y: float) -> tuple[float, float]:
    """(lat, lng) of a spot given in cells."""
    return LAT0 + y * CELL, LNG0 + x * CELL


def district(leaders: dict[str, int] | None = None) -> list[Grid]:
    """锦江街道: 锦江社区 holds 锦江畔 (buildings 1, 2, 3, 13) and an empty corner; 河畔社区 is
    apart, with a gap between the two communities; the street's own polygon covers all."""
    leaders = leaders or {}
    rows = [
        ("JJ", "锦江街道", Level.STREET, None, (), cells(0, 0, 6, 5)),
        ("JJ-01", "锦江社区", Level.COMMUNITY, "JJ", (), cells(0, 0, 5, 2)),
        ("JJ-01-01", "锦江畔", Level.GRID, "JJ-01", ("锦江畔小区",), cells(0, 0, 4, 1)),
        ("JJ-01-01-01", "锦江畔1号楼", Level.MICRO_GRID, "JJ-01-01", (), cells(0, 0, 1, 1)),
        ("JJ-01-01-02", "锦江畔2号楼", Level.MICRO_GRID, "JJ-01-01", (), cells(1, 0, 2, 1)),
        ("JJ-01-01-03", "锦江畔3号楼", Level.MICRO_GRID, "JJ-01-01", ("锦江畔3栋",),
         cells(2, 0, 3, 1)),
        ("JJ-01-01-13", "锦江畔13号楼", Level.MICRO_GRID, "JJ-01-01", (), cells(3, 0, 4, 1)),
        ("JJ-02", "河畔社区", Level.COMMUNITY, "JJ", (), cells(0, 3, 4, 5)),
        ("JJ-02-01", "幸福里", Level.GRID, "JJ-02", (), cells(0, 3, 2, 5)),
    ]
    return [
        Grid(code, name, level, parent, aliases, geometry, leaders.get(code))
        for code, name, level, parent, aliases, geometry in rows
    ]


def router_for(grids: list[Grid]) -> Router:
    tree = GridTree(grids)
    return Router(tree, GridIndex(tree), AddressMatcher(tree))


@pytest.fixture
def router() -> Router:
    return router_for(district(leaders={"JJ-01-01": 7, "JJ": 1}))


def test_a_point_inside_a_building_lands_on_that_micro_grid(router):
    route = router.route_point(*at(2.5, 0.5))
    assert route.grid.code == "JJ-01-01-03"
    assert route.chain == ["JJ-01-01-03", "JJ-01-01", "JJ-01", "JJ"]
    assert route.fallback is None


def test_the_leader_is_the_nearest_one_up_the_chain(router):
    assert router.route_point(*at(2.5, 0.5)).leader_id == 7


def test_a_point_in_a_compound_outside_every_building_lands_on_the_compound(router):
    route = router.route_point(*at(1, 3.5))
    assert route.grid.code == "JJ-02-01"
    assert route.fallback is None


def test_a_point_on_a_shared_border_always_goes_to_the_lowest_code():
    grids = district()
    forwards = router_for(grids).index
    backwards = router_for(list(reversed(grids))).index
    border = at(1, 0.5)  # between 1号楼 and 2号楼
    answers = {forwards.locate(*border).code for _ in range(5)}
    answers |= {backwards.locate(*border).code for _ in range(5)}
    assert answers == {"JJ-01-01-01"}


def test_a_point_on_the_outer_edge_of_a_building_still_counts():
    corner = at(0, 0)
    assert router_for(district()).index.locate(*corner).code == "JJ-01-01-01"


def test_a_point_only_the_community_covers_goes_to_the_community_queue(router):
    route = router.route_point(*at(4.5, 1.5))
    assert route.grid.code == "JJ-01"
    assert route.fallback == "queue:JJ-01"


def test_a_point_in_the_gap_only_the_street_covers_goes_to_the_street_queue(router):
    route = router.route_point(*at(5.5, 4.5))
    assert route.grid.code == "JJ"
    assert route.fallback == "queue:JJ"
    assert route.leader_id == 1


def test_a_point_just_outside_every_grid_goes_to_the_nearby_community_queue():
    grids = [g for g in district() if g.code != "JJ"] + [
        Grid("JJ", "锦江街道", Level.STREET)  # the street has no polygon of its own
    ]
    route = router_for(grids).route_point(*at(2, -1))  # ~110 m south of 锦江社区
    assert route.grid is None
    assert route.fallback == "queue:JJ-01"
    assert route.chain == ["JJ-01", "JJ"]


def test_a_point_far_outside_every_grid_goes_to_the_street_queue(router):
    route = router.route_point(39.0, 116.0)
    assert route.grid is None
    assert route.fallback == "queue:JJ"


def test_a_wechat_gcj02_point_lands_where_its_gps_point_does(router):
    wgs = at(2.5, 0.5)
    gcj = wgs84_to_gcj02(*wgs)
    assert router.route_point(*gcj, gcj02=True).grid.code == "JJ-01-01-03"
    assert router.route_point(*gcj).grid != router.route_point(*wgs).grid


def test_locate_many_agrees_with_locate_point_by_point(router):
    spots = [at(x / 2, y / 2) for x in range(-2, 14) for y in range(-2, 12)]
    bulk = router.index.locate_many([s[0] for s in spots], [s[1] for s in spots])
    one_by_one = [g.code if (g := router.index.locate(*s)) else None for s in spots]
    assert bulk == one_by_one
    assert None in bulk and "JJ-01-01-13" in bulk


def test_an_address_naming_a_building_routes_to_that_micro_grid(router):
    route = router.route_address("锦江畔小区三栋")
    assert route.grid.code == "JJ-01-01-03"
    assert route.candidates[0].code == "JJ-01-01-03"
    assert route.fallback is None


def test_an_address_naming_only_a_community_goes_to_its_queue(router):
    route = router.route_address("河畔社区")
    assert route.fallback == "queue:JJ-02"


def test_a_nonsense_address_goes_to_the_street_queue(router):
    route = router.route_address("火星基地99号")
    assert route.grid is None
    assert route.candidates == []
    assert route.fallback == "queue:JJ"


def test_two_places_matching_equally_are_decided_by_their_common_parent():
    grids = [
        *district(),
        Grid("JJ-01-02", "锦江畔", Level.GRID, "JJ-01"),  # a second compound of the same name
    ]
    route = router_for(grids).route_address("锦江畔")
    assert route.fallback == "queue:JJ-01"


FEATURE = {
    "type": "Feature",
    "properties": {"code": "JJ", "name": "锦江街道", "level": "street", "parent": None},
    "geometry": mapping(cells(0, 0, 1, 1)),
}


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def test_grids_from_geojson_reads_codes_levels_aliases_and_polygons():
    micro = copy.deepcopy(FEATURE)
    micro["properties"] = {
        "code": "JJ-1", "name": "1号楼", "level": "micro_grid", "parent": "JJ",
        "aliases": ["1栋"],
    }
    street, building = grids_from_geojson(collection(FEATURE, micro))
    assert (street.code, street.level, street.parent) == ("JJ", Level.STREET, None)
    assert building.aliases == ("1栋",)
    assert building.geometry.covers(cells(0.2, 0.2, 0.8, 0.8))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": ""}, "feature 1: field 'code'"),
        ({"level": "district"}, "feature 1 (JJ-2): field 'level' must be one of street"),
        ({"name": None}, "feature 1 (JJ-2): field 'name'"),
        ({"aliases": "1栋"}, "feature 1 (JJ-2): field 'aliases'"),
    ],
)
def test_grids_from_geojson_names_the_feature_and_the_bad_field(change, message):
    bad = copy.deepcopy(FEATURE)
    bad["properties"] = {**bad["properties"], "code": "JJ-2", **change}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        grids_from_geojson(collection(FEATURE, bad))


def test_grids_from_geojson_rejects_a_self_crossing_polygon():
    bowtie = copy.deepcopy(FEATURE)
    crossing = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    bowtie["geometry"] = {"type": "Polygon", "coordinates": [crossing]}
    with pytest.raises(ValueError, match=r"feature 0 \(JJ\): field 'geometry' is not a valid"):
        grids_from_geojson(collection(bowtie))


def test_grids_from_geojson_rejects_what_is_not_a_feature_collection():
    with pytest.raises(ValueError, match="field 'type'"):
        grids_from_geojson({"type": "Feature"})


# The sample district shipped in data/: 锦江街道 with its 锦江畔 compound and a hole in the street.
SAMPLE = Path(__file__).parents[2] / "data" / "sample_district.geojson"


@pytest.fixture(scope="module")
def sample() -> Router:
    return router_for(grids_from_geojson(json.loads(SAMPLE.read_text(encoding="utf-8"))))


def test_every_sample_micro_grid_is_found_from_a_point_inside_it(sample):
    for grid in sample.tree:
        if grid.level is Level.MICRO_GRID:
            inside = grid.geometry.representative_point()
            assert sample.route_point(inside.y, inside.x).grid.code == grid.code


def test_a_sample_corner_shared_by_buildings_goes_to_the_lowest_code(sample):
    first, second = sample.tree.get("JJ-01-01-01"), sample.tree.get("JJ-01-01-03")
    lng, lat = first.geometry.intersection(second.geometry).coords[0]
    assert {sample.route_point(lat, lng).grid.code for _ in range(3)} == {"JJ-01-01-01"}


def test_the_sample_gap_inside_the_street_goes_to_a_dispatcher_queue(sample):
    (hole,) = sample.tree.get("JJ").geometry.interiors
    inside = Polygon(hole).representative_point()
    route = sample.route_point(inside.y, inside.x)
    assert route.grid is None
    assert route.fallback in {"queue:JJ-01", "queue:JJ-02", "queue:JJ-03"}


@pytest.mark.parametrize("address", ["锦江畔3号楼", "锦江畔小区三栋", "锦江畔 3栋"])
def test_sample_addresses_for_building_three_route_to_it(sample, address):
    assert sample.route_address(address).grid.code == "JJ-01-01-03"


def test_a_sample_building_in_a_shared_micro_grid_is_found(sample):
    assert sample.route_address("滨江花园五栋").grid.code == "JJ-01-02-03"  # 滨江花园5-6号楼


def test_a_sample_community_named_like_its_compound_is_told_apart(sample):
    assert sample.route_address("月亮湾社区").fallback == "queue:JJ-02"
    assert sample.route_address("月亮湾").grid.code == "JJ-02-01"


def test_a_huge_micro_grid_among_small_ones_is_still_found():
    huge = Grid("JJ-02-01-01", "大院", Level.MICRO_GRID, "JJ-02-01", (), cells(-20, 3, 20, 30))
    small = Grid("JJ-02-01-02", "幸福里小楼", Level.MICRO_GRID, "JJ-02-01", (), cells(0, 3, 1, 4))
    index = router_for([*district(), huge, small]).index
    assert index.locate(*at(-15, 25)).code == "JJ-02-01-01"
    assert index.locate(*at(0.5, 3.5)).code == "JJ-02-01-01"  # both cover it: lowest code
    assert index.locate(*at(2.5, 0.5)).code == "JJ-01-01-03"
