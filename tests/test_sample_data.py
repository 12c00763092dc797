import csv
import json
import re
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from shapely import union_all
from shapely.geometry import Point, shape

from data.generate import build_district, build_people, park_point
from data.megacity import generate, iter_points
from domain.grids import Grid, GridTree, Level

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def features() -> list[dict]:
    return json.loads((DATA / "sample_district.geojson").read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def by_code(features) -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in features}


@pytest.fixture(scope="module")
def people() -> list[dict]:
    with (DATA / "sample_people.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def codes_at(features, level: str) -> list[str]:
    return [f["properties"]["code"] for f in features if f["properties"]["level"] == level]


def test_the_sample_district_builds_a_grid_tree(features):
    tree = GridTree([Grid(p["code"], p["name"], Level(p["level"]), p.get("parent"),
                          tuple(p.get("aliases") or ())) for p in (f["properties"] for f in features)])
    assert [g.code for g in tree.roots()] == ["JJ"]
    assert [g.code for g in tree.chain("JJ-01-01-03")] == ["JJ-01-01-03", "JJ-01-01", "JJ-01", "JJ"]


def test_the_sample_district_is_big_enough(features):
    counts = Counter(f["properties"]["level"] for f in features)
    assert counts["street"] == 1
    assert counts["community"] >= 3 and counts["grid"] >= 12 and counts["micro_grid"] >= 40


def test_codes_spell_their_parents(features):
    for p in (f["properties"] for f in features if f["properties"]["parent"]):
        assert p["code"].rsplit("-", 1)[0] == p["parent"]


def test_micro_grids_of_a_grid_do_not_overlap_and_lie_within_it(features, by_code):
    for grid in codes_at(features, "grid"):
        outline = shape(by_code[grid]["geometry"])
        cells = [shape(f["geometry"]) for f in features if f["properties"]["parent"] == grid]
        assert cells, grid
        for a, b in combinations(cells, 2):
            assert a.intersection(b).area < 1e-12, grid
        assert all(cell.difference(outline).area < 1e-12 for cell in cells), grid
        assert abs(union_all(cells).area - outline.area) < 1e-12, grid


def test_grids_tile_their_community(features, by_code):
    for community in codes_at(features, "community"):
        grids = [shape(f["geometry"]) for f in features if f["properties"]["parent"] == community]
        outline = shape(by_code[community]["geometry"])
        assert union_all(grids).symmetric_difference(outline).area < 1e-12, community


def test_micro_grids_are_compound_sized(features):
    metres_per_degree = (85_430, 111_034)  # lng, lat at 39.86°N
    for code in codes_at(features, "micro_grid"):
        f = next(f for f in features if f["properties"]["code"] == code)
        west, south, east, north = shape(f["geometry"]).bounds
        width = (east - west) * metres_per_degree[0]
        height = (north - south) * metres_per_degree[1]
        assert 80 < width < 260 and 80 < height < 260, code


def test_a_park_inside_the_street_is_covered_by_no_grid(features, by_code):
    lat, lng = park_point()
    west, south, east, north = shape(by_code["JJ"]["geometry"]).bounds
    assert west < lng < east and south < lat < north
    inside = [f["properties"]["code"] for f in features
              if f["properties"]["level"] != "street" and shape(f["geometry"]).contains(
                  Point(lng, lat))]
    assert inside == []


def test_jinjiangpan_buildings_are_micro_grids_with_their_spoken_names(by_code):
    building = by_code["JJ-01-01-03"]["properties"]
    assert building["name"] == "锦江畔3号楼"
    assert {"锦江畔小区3号楼", "锦江畔3栋", "锦江畔三号楼", "锦江畔小区三栋"} <= set(
        building["aliases"])
    assert by_code["JJ-01-01"]["properties"]["name"] == "锦江畔小区"


def test_coordinates_keep_six_decimals(features):
    text = (DATA / "sample_district.geojson").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{7,}", text)


def test_the_committed_district_is_what_the_script_makes(features):
    fresh = build_district()["features"]
    assert [f["properties"] for f in fresh] == [f["properties"] for f in features]
    assert all(shape(a["geometry"]).equals(shape(b["geometry"])) for a, b in zip(fresh, features, strict=False))


def test_every_grid_has_a_leader_and_the_street_a_dispatcher(features, people):
    heads = {(p["grid"], p["role"]) for p in people}
    for code in codes_at(features, "micro_grid") + codes_at(features, "grid") + codes_at(
            features, "community"):
        assert (code, "leader") in heads, code
    assert ("JJ", "dispatcher") in heads


def test_people_are_well_formed(features, by_code, people):
    assert list(people[0]) == ["code", "name", "role", "grid", "phone", "duty", "party"]
    assert {p["party"] for p in people} == {"", "member", "group"}     # a few 党员, a 党小组
    assert len({p["code"] for p in people}) == len(people)
    assert all(re.fullmatch(r"139\d{8}", p["phone"]) for p in people)
    assert all(p["grid"] in by_code for p in people)
    assert {p["role"] for p in people} == {"leader", "member", "dispatcher", "department"}
    departments = [p for p in people if p["role"] == "department"]
    assert len(departments) >= 2 and all(p["grid"] == "JJ" for p in departments)


def test_the_committed_people_are_what_the_script_makes(people):
    assert [tuple(p.values()) for p in people] == build_people(build_district())


def test_the_megacity_has_the_requested_count_and_nests():
    fc = generate(micro_grids=1234, seed=5)
    levels = Counter(f["properties"]["level"] for f in fc["features"])
    assert levels["micro_grid"] == 1234
    assert levels["grid"] == 124  # ten to a grid, the last one partial
    codes = {f["properties"]["code"] for f in fc["features"]}
    assert all(f["properties"]["parent"] in codes for f in fc["features"]
               if f["properties"]["parent"])


def test_megacity_micro_grids_do_not_overlap_and_cover_their_grid():
    fc = generate(micro_grids=95, seed=2)
    cells = [shape(f["geometry"]) for f in fc["features"]
             if f["properties"]["level"] == "micro_grid"]
    assert union_all(cells).area == pytest.approx(sum(c.area for c in cells), rel=1e-9)
    grids = [shape(f["geometry"]) for f in fc["features"] if f["properties"]["level"] == "grid"]
    assert union_all(grids).symmetric_difference(union_all(cells)).area < 1e-12


def test_the_megacity_is_the_same_for_the_same_seed():
    assert generate(300, seed=3) == generate(300, seed=3)
    assert generate(300, seed=3) != generate(300, seed=4)


def test_probe_points_fall_inside_their_micro_grid_or_outside_the_city():
    fc = generate(micro_grids=200, seed=1)
    cells = {f["properties"]["code"]: shape(f["geometry"]) for f in fc["features"]
             if f["properties"]["level"] == "micro_grid"}
    city = union_all(list(cells.values()))
    points = list(iter_points(fc, 300, seed=9, outside_share=0.2))
    assert len(points) == 300
    inside = [p for p in points if p.micro_grid]
    outside = [p for p in points if p.micro_grid is None]
    assert inside and outside
    assert all(cells[p.micro_grid].contains(Point(p.lng, p.lat)) for p in inside)
    assert not any(city.contains(Point(p.lng, p.lat)) for p in outside)
    assert points == list(iter_points(fc, 300, seed=9, outside_share=0.2))
