"""Build the fictional 锦江街道 (JJ): data/sample_district.geojson and data/sample_people.csv.

Deterministic: `python -m data.generate` writes the same bytes every time. Micro-grids are the
cells of one jittered lattice, so neighbours share corners exactly and never overlap; grids,
communities and the street are unions of their cells.
"""
from __future__ import annotations

import csv
import io
import json
import math
import random
from pathlib import Path
from typing import Any

from shapely.geometry import Polygon, mapping
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

HERE = Path(__file__).parent
STREET = ("JJ", "锦江街道", ["锦江街道办事处", "锦江街"])
CENTRE_LAT, CENTRE_LNG = 39.86, 124.15
ROTATION_DEG = 15.0  # the blocks run along the river bank, not due east
JITTER_M = 15.0
M_PER_DEG_LAT = 111_034.0
M_PER_DEG_LNG = 111_320.0 * math.cos(math.radians(CENTRE_LAT))

# The street seen from above, north up: one letter per micro-grid cell, the letter names its
# grid (a compound). "." is 锦江公园, a park that no grid covers: routing needs such a place.
MAP = (
    "AABBEEFFJJK",
    "AABBEEFFJJK",
    "CCDDG..HLLK",
    "CCDDGGHHLLM",
    "NNNNIIIIMMM",
)
COMMUNITIES = {
    "JJ-01": ("江畔社区", ["江畔社区居委会"]),
    "JJ-02": ("月湾社区", ["月湾社区居委会", "月亮湾社区"]),
    "JJ-03": ("桃源社区", ["桃源社区居委会"]),
}
# letter: community, official name, what residents say, how micro-grids are named
COMPOUNDS = {
    "A": ("JJ-01", "锦江畔小区", "锦江畔", "building"),
    "B": ("JJ-01", "滨江花园", "滨江花园", "pair"),
    "C": ("JJ-01", "江城明珠", "明珠小区", "building"),
    "D": ("JJ-01", "金山苑", "金山苑", "pair"),
    "N": ("JJ-01", "临江小区", "临江", "building"),
    "E": ("JJ-02", "月亮湾", "月亮湾", "pair"),
    "F": ("JJ-02", "翠湖园", "翠湖园", "building"),
    "G": ("JJ-02", "丹枫小区", "丹枫", "building"),
    "H": ("JJ-02", "书香苑", "书香苑", "building"),
    "I": ("JJ-02", "阳光新城", "阳光新城", "phase"),
    "J": ("JJ-03", "桃源里", "桃源里", "zone"),
    "K": ("JJ-03", "福民里", "福民里", "building"),
    "L": ("JJ-03", "锦绣家园", "锦绣家园", "pair"),
    "M": ("JJ-03", "铁路宿舍", "铁路宿舍", "building"),
}
CN_DIGITS = "零一二三四五六七八九十"


def cn_number(n: int) -> str:
    """3 → 三, 12 → 十二 (enough for building numbers)."""
    if n <= 10:
        return CN_DIGITS[n]
    return ("十" if n < 20 else CN_DIGITS[n // 10] + "十") + (CN_DIGITS[n % 10] if n % 10 else "")


def micro_grid_names(compound: str, short: str, style: str, k: int) -> tuple[str, list[str]]:
    """The k-th micro-grid (from 1) of a compound: its name and the other ways people say it."""
    if style == "building":
        name = f"{short}{k}号楼"
        aliases = [f"{compound}{k}号楼", f"{short}{k}栋", f"{short}{cn_number(k)}号楼",
                   f"{compound}{cn_number(k)}栋", f"{compound}{k}栋"]
    elif style == "pair":
        first, second = 2 * k - 1, 2 * k
        name = f"{short}{first}-{second}号楼"
        aliases = [f"{place}{n}{unit}" for n in (first, second)
                   for place in (short, compound) for unit in ("号楼", "栋")]
    else:
        unit = "期" if style == "phase" else "区"
        name = f"{short}{cn_number(k)}{unit}"
        aliases = [f"{short}{k}{unit}", f"{compound}{cn_number(k)}{unit}"]
    return name, _unique(aliases, name)


def _unique(items: list[str], drop: str) -> list[str]:
    return [x for x in dict.fromkeys(items) if x != drop]


def lattice(rng: random.Random) -> list[list[tuple[float, float]]]:
    """Cell corners as (lng, lat), indexed [column][row], row 0 on the south edge."""
    xs = _edges(rng, len(MAP[0]), 135.0, 175.0)
    ys = _edges(rng, len(MAP), 120.0, 160.0)
    cos_a, sin_a = math.cos(math.radians(ROTATION_DEG)), math.sin(math.radians(ROTATION_DEG))
    corners = []
    for x in xs:
        column = []
        for y in ys:
            dx = x - xs[-1] / 2 + rng.uniform(-JITTER_M, JITTER_M)
            dy = y - ys[-1] / 2 + rng.uniform(-JITTER_M, JITTER_M)
            east, north = dx * cos_a - dy * sin_a, dx * sin_a + dy * cos_a
            column.append((round(CENTRE_LNG + east / M_PER_DEG_LNG, 6),
                           round(CENTRE_LAT + north / M_PER_DEG_LAT, 6)))
        corners.append(column)
    return corners


def _edges(rng: random.Random, count: int, low: float, high: float) -> list[float]:
    edges = [0.0]
    for _ in range(count):
        edges.append(edges[-1] + rng.uniform(low, high))
    return edges


def cells_by_letter() -> dict[str, list[tuple[int, int]]]:
    """(column, south-based row) of every cell, grouped by map letter in reading order."""
    cells: dict[str, list[tuple[int, int]]] = {}
    for map_row, line in enumerate(MAP):
        for column, letter in enumerate(line):
            cells.setdefault(letter, []).append((column, len(MAP) - 1 - map_row))
    return cells


def build_district(seed: int = 7) -> dict[str, Any]:
    """The whole district as a GeoJSON FeatureCollection, parents before children."""
    corners = lattice(random.Random(seed))
    cells = cells_by_letter()

    def quad(column: int, row: int) -> Polygon:
        c = corners
        return Polygon([c[column][row], c[column + 1][row], c[column + 1][row + 1],
                        c[column][row + 1]])

    grids, micro_grids = [], []
    shapes: dict[str, list[Any]] = {code: [] for code in COMMUNITIES}
    for letter, (community, compound, short, style) in COMPOUNDS.items():
        code = f"{community}-{len(shapes[community]) + 1:02d}"
        polygons = [quad(*cell) for cell in cells[letter]]
        shapes[community].append(unary_union(polygons))
        grids.append(_feature(code, compound, "grid", community,
                              _unique([short, f"{compound}网格"], compound), shapes[community][-1]))
        for k, polygon in enumerate(polygons, start=1):
            name, aliases = micro_grid_names(compound, short, style, k)
            micro_grids.append(_feature(f"{code}-{k:02d}", name, "micro_grid", code, aliases,
                                        polygon))
    community_shapes = {code: unary_union(parts) for code, parts in shapes.items()}
    street_code, street_name, street_aliases = STREET
    features = [_feature(street_code, street_name, "street", None, street_aliases,
                         unary_union(list(community_shapes.values())))]
    features += [_feature(code, name, "community", street_code, aliases, community_shapes[code])
                 for code, (name, aliases) in COMMUNITIES.items()]
    return {"type": "FeatureCollection", "features": features + grids + micro_grids}


def park_point(seed: int = 7) -> tuple[float, float]:
    """(lat, lng) in the middle of 锦江公园, inside the street's outline but in no grid."""
    corners = lattice(random.Random(seed))
    (c0, r0), (c1, _) = cells_by_letter()["."]
    centre = Polygon([corners[c0][r0], corners[c1 + 1][r0], corners[c1 + 1][r0 + 1],
                      corners[c0][r0 + 1]]).centroid
    return round(centre.y, 6), round(centre.x, 6)


def _feature(code: str, name: str, level: str, parent: str | None, aliases: list[str],
             shape: Any) -> dict[str, Any]:
    properties = {"code": code, "name": name, "level": level, "parent": parent,
                  "aliases": aliases}
    return {"type": "Feature", "properties": properties,
            "geometry": _rounded(mapping(orient(shape, 1.0)))}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def district_geojson(seed: int = 7) -> str:
    """The file's text: one feature per line, so a diff shows which grid changed."""
    features = build_district(seed)["features"]
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国华明丽娟敏静伟芳秀英军勇艳杰涛强磊洋霞平刚桂兰红玉志海波宁鹏飞春雪梅晓东晨阳"
DEPARTMENTS = (
    ("城管", "城管执法中队联络员：市容、占道经营、违法建设"),
    ("住建", "住建服务站联络员：房屋安全、施工、物业监管"),
    ("市场监管", "市场监管所联络员：食品安全、电梯、无证经营"),
)
DUTIES = {
    "street": "街道指挥中心调度员：派单、兜底、审批延期",
    "community": "社区书记、一级网格长：调度上报事项、化解矛盾纠纷",
    "grid": "网格长：签收、办理、上报本网格事项",
    "micro_grid": "微网格长（楼栋长）：巡查楼栋、第一时间上报",
}
PEOPLE_HEADER = ("code", "name", "role", "grid", "phone", "duty", "party")
# 党员 in the roster: community secretaries, and the 网格党小组 of each community's first grid.
PARTY_GROUP_GRIDS = ("JJ-01-01", "JJ-02-01", "JJ-03-01")


def build_people(district: dict[str, Any], seed: int = 7) -> list[tuple[str, ...]]:
    """A leader for every grid (a dispatcher for the street), members, department liaisons."""
    rng = random.Random(seed)
    names: set[str] = set()

    def person(role: str, grid: str, duty: str, party: str = "") -> tuple[str, ...]:
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            if name not in names:
                break
        names.add(name)
        number = len(names)
        if grid in PARTY_GROUP_GRIDS:
            party = "group"
        return (f"P{number:04d}", name, role, grid, f"1390000{number:04d}", duty, party)

    rows = []
    for feature in district["features"]:
        props = feature["properties"]
        role = "dispatcher" if props["level"] == "street" else "leader"
        party = "member" if props["level"] == "community" else ""
        rows.append(person(role, props["code"], DUTIES[props["level"]], party))
    grid_codes = [f["properties"]["code"] for f in district["features"]
                  if f["properties"]["level"] == "grid"]
    rows += [person("member", code, "专职网格员：巡查、采集、协助办理") for code in grid_codes]
    for code in ("JJ-01-01-03", "JJ-02-01-01", "JJ-03-02-02"):
        rows.append(person("member", code, "楼栋志愿者：发现问题随手报"))
    rows += [person("department", STREET[0], f"{dept}｜{duty}") for dept, duty in DEPARTMENTS]
    return rows


def people_csv(district: dict[str, Any], seed: int = 7) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PEOPLE_HEADER)
    writer.writerows(build_people(district, seed))
    return out.getvalue()


def main() -> None:
    district = build_district()
    (HERE / "sample_district.geojson").write_text(district_geojson(), encoding="utf-8")
    (HERE / "sample_people.csv").write_text(people_csv(district), encoding="utf-8")
    counts = {}
    for feature in district["features"]:
        level = feature["properties"]["level"]
        counts[level] = counts.get(level, 0) + 1
    print(f"wrote {HERE}/sample_district.geojson {counts} and sample_people.csv; "
          f"park (lat, lng) = {park_point()}")


if __name__ == "__main__":
    main()
