"""Routing benchmark: load, single-point lookup, bulk lookup and a linear scan on a megacity.

    python -m bench.routing                      # 41,000 micro-grids, 20,000 probe points
    python -m bench.routing --micro-grids 5000   # a quicker run

Aims: p50 ≤ 20 µs per point, ≥ 100× a linear scan, load ≤ 3 s, resident memory ≤ 300 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import shapely

from data.megacity import generate, iter_points
from domain.addresses import AddressMatcher
from domain.grids import GridTree
from domain.routing import GridIndex, grids_from_geojson

SAMPLE = Path(__file__).parents[1] / "data" / "sample_district.geojson"
ADDRESSES = [
    "锦江畔小区三栋", "锦江畔 3栋", "滨江花园五栋", "江城明珠二号楼", "月亮湾社区", "火星基地99号",
]


def status_kb(field: str) -> int:
    """A figure in kB from /proc/self/status (VmRSS now, VmHWM the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def percentile(sorted_ns: list[int], q: float) -> float:
    """The q-th percentile in µs of sorted nanosecond timings."""
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--micro-grids", type=int, default=41_000)
    parser.add_argument("--points", type=int, default=20_000, help="probe points to look up")
    parser.add_argument("--scan-points", type=int, default=100, help="points for the linear scan")
    parser.add_argument("--load-repeats", type=int, default=3, help="loads to take the median of")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"machine: {machine()} (before the run)")
    rows: list[tuple[str, str, str]] = []
    rss_start = status_kb("VmRSS")

    started = time.perf_counter()
    fc = generate(args.micro_grids, args.seed)
    generated_s = time.perf_counter() - started
    rss_generated = status_kb("VmRSS")

    load_s, load_cpu_s = [], []
    for _ in range(args.load_repeats):
        tree = index = None  # let the previous copy go before building the next
        started, started_cpu = time.perf_counter(), time.process_time()
        tree = GridTree(grids_from_geojson(fc))
        index = GridIndex(tree)
        load_s.append(time.perf_counter() - started)
        load_cpu_s.append(time.process_time() - started_cpu)
    rss_loaded = status_kb("VmRSS")
    rows.append(("grids (all levels) / indexed", f"{len(tree):,} / {len(index):,}", ""))
    rows.append(("generate GeoJSON (not timed as load)", f"{generated_s:.2f} s", ""))
    rows.append((
        "load: GeoJSON dict → GridTree + GridIndex",
        f"{statistics.median(load_s):.2f} s",
        f"≤ 3 s; median of {len(load_s)}, best {min(load_s):.2f} s",
    ))
    rows.append(("load: CPU time", f"{statistics.median(load_cpu_s):.2f} s", "median"))

    probes = list(iter_points(fc, args.points, seed=args.seed + 1))
    lats = [p.lat for p in probes]
    lngs = [p.lng for p in probes]
    for p in probes[:200]:
        index.locate(p.lat, p.lng)
    timings = []
    answers = []
    for p in probes:
        t0 = time.perf_counter_ns()
        grid = index.locate(p.lat, p.lng)
        timings.append(time.perf_counter_ns() - t0)
        answers.append(grid.code if grid else None)
    timings.sort()
    inside = [p for p in probes if p.micro_grid]
    wrong = sum(
        1 for p, a in zip(probes, answers, strict=True) if p.micro_grid and a != p.micro_grid
    )
    rows.append(("single point: p50", f"{percentile(timings, 0.5):.1f} µs", "≤ 20 µs"))
    rows.append(("single point: p99", f"{percentile(timings, 0.99):.1f} µs", ""))
    rows.append(("single point: mean", f"{statistics.fmean(timings) / 1000:.1f} µs", ""))
    rows.append((
        "points found in the micro-grid drawn in",
        f"{len(inside) - wrong:,} / {len(inside):,}",
        f"{len(probes) - len(inside):,} outside",
    ))

    bulk_s = []
    for _ in range(5):
        started = time.perf_counter()
        bulk = index.locate_many(lats, lngs)
        bulk_s.append(time.perf_counter() - started)
    rate = len(probes) / statistics.median(bulk_s)
    rows.append(("bulk locate_many", f"{rate:,.0f} points/s", "median of 5 runs"))
    rows.append(("bulk agrees with single", str(bulk == answers), ""))

    # The naive way: every polygon in turn, smallest level first, stop at the first that covers.
    polygons = [(g.geometry, g.code) for g in sorted(
        (g for g in tree if g.geometry is not None), key=lambda g: (-g.level.rank, g.code))]
    scan = probes[: args.scan_points]
    started = time.perf_counter()
    scanned = []
    for p in scan:
        point = shapely.Point(p.lng, p.lat)
        scanned.append(next((code for geom, code in polygons if geom.covers(point)), None))
    scan_us = (time.perf_counter() - started) / len(scan) * 1e6
    rows.append(("linear scan (covers, in turn): mean", f"{scan_us:,.0f} µs", f"{len(scan)} pts"))
    speedup = scan_us / (statistics.fmean(timings) / 1000)
    rows.append(("speed-up of the index over the scan", f"{speedup:,.0f}×", "≥ 100×"))
    rows.append(("scan agrees with index", str(scanned == answers[: len(scan)]), ""))

    rows.append(("RSS at start", f"{rss_start / 1024:.0f} MB", ""))
    rows.append(("RSS after generating the GeoJSON dict", f"{rss_generated / 1024:.0f} MB", ""))
    rows.append(("RSS after load (GeoJSON dict kept)", f"{rss_loaded / 1024:.0f} MB", "≤ 300 MB"))
    rows.append(("peak RSS (VmHWM)", f"{status_kb('VmHWM') / 1024:.0f} MB", ""))

    sample = GridTree(grids_from_geojson(json.loads(SAMPLE.read_text(encoding="utf-8"))))
    matcher = AddressMatcher(sample)
    address_ns = []
    for _ in range(200):
        for text in ADDRESSES:
            t0 = time.perf_counter_ns()
            matcher.match(text)
            address_ns.append(time.perf_counter_ns() - t0)
    address_ns.sort()
    rows.append((
        f"address match on the sample district ({len(sample)} grids): p50",
        f"{percentile(address_ns, 0.5):.0f} µs",
        "< 1 ms",
    ))
    rows.append(("address match: p99", f"{percentile(address_ns, 0.99):.0f} µs", ""))

    print(f"megacity: {args.micro_grids:,} micro-grids, seed {args.seed}, {len(probes):,} probes")
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | {'value':>18} | aim / note |")
    print(f"|{'-' * (width + 2)}|{'-' * 20}|------------|")
    for name, value, aim in rows:
        print(f"| {name:<{width}} | {value:>18} | {aim} |")


if __name__ == "__main__":
    main()
