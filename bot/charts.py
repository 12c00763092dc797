"""The digests' pictures: matplotlib (Agg, no display) with a Chinese font that ships from PyPI.

A fresh machine with only python3 has no CJK system font, and matplotlib would draw empty boxes.
The font comes with the `noto-cjk-sans-otc` package (Noto Sans CJK, whose collection holds the
Simplified-Chinese face); installed system fonts are the fallback.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from handlers import texts
from handlers.digest import Chart, build_digests

# Simplified-Chinese faces first; the Japanese face of the collection still draws every hanzi.
CHINESE_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
                    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
                    "SimHei", "Droid Sans Fallback", "Noto Sans CJK JP")
COLOURS = ("#2b6cb0", "#38a169", "#d69e2e")
MARKS = {"red": "#c53030", "black": "#2d3748", "": COLOURS[0]}


@cache
def chinese_family() -> str | None:
    """The first font family found that draws Chinese: the packaged one, else a system font."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        pass
    else:
        font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CHINESE_FAMILIES if family in known), None)


def _style(families: list[str] | None) -> dict[RcKeyType, Any]:
    if families is None:
        family = chinese_family()
        # A list of families is a fallback chain: Latin digits and signs come from DejaVu.
        families = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    return {"font.family": families, "axes.unicode_minus": False}


def render_chart(chart: Chart, families: list[str] | None = None) -> bytes:
    """The chart as a PNG: grouped bars (rates in %), or ranked horizontal bars."""
    with matplotlib.rc_context(_style(families)):
        figure = Figure(figsize=(8, 4.5), dpi=110, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.set_title(chart.title, fontsize=14)
        if not chart.labels:
            axes.text(0.5, 0.5, texts.CHART_NO_DATA, ha="center", va="center", fontsize=14)
            axes.set_axis_off()
        elif chart.horizontal:
            _ranking(axes, chart)
        else:
            _bars(axes, chart)
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()


def _percent(values: Iterable[float | None]) -> list[float]:
    return [100 * v if v is not None else 0.0 for v in values]


def _bars(axes: Any, chart: Chart) -> None:
    width = 0.8 / max(len(chart.series), 1)
    for i, (name, values) in enumerate(chart.series):
        xs = [x + (i - (len(chart.series) - 1) / 2) * width for x in range(len(chart.labels))]
        bars = axes.bar(xs, _percent(values), width, label=name, color=COLOURS[i % len(COLOURS)])
        axes.bar_label(bars, labels=[f"{v:.0%}" if v is not None else "—" for v in values],
                       fontsize=8)
    axes.set_xticks(range(len(chart.labels)), chart.labels, fontsize=9,
                    rotation=20 if len(chart.labels) > 5 else 0)
    axes.set_ylim(0, 125)   # room above 100 % for the legend
    axes.set_ylabel("%")
    if len(chart.series) > 1:
        axes.legend(loc="upper right", ncols=len(chart.series), fontsize=9)


def _ranking(axes: Any, chart: Chart) -> None:
    _, values = chart.series[0]
    ys = list(range(len(chart.labels)))[::-1]
    marks = chart.marks or ("",) * len(chart.labels)
    bars = axes.barh(ys, _percent(values), color=[MARKS.get(m, COLOURS[0]) for m in marks])
    axes.bar_label(bars, labels=[f"{v:.0%}" if v is not None else "—" for v in values],
                   fontsize=9, padding=3)
    axes.set_yticks(ys, chart.labels, fontsize=10)
    axes.set_xlim(0, 110)
    axes.set_xlabel(chart.series[0][0] + " %")


async def preview_digests(services: Any, out_dir: Path, now: datetime | None = None) -> list[Path]:
    """`gridbot digest --preview`: each digest as text and PNG under `out_dir`, nothing sent."""
    router = await services.router()
    async with services.uow() as uow:
        digests = await build_digests(uow, router.tree, services.taxonomy,
                                      now or services.clock.now())
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for digest in digests:
        stem = out_dir / f"{digest.audience}-{digest.unit}"
        people = sorted({r.person_id for r in digest.recipients})
        text = stem.with_suffix(".txt")
        text.write_text(f"{digest.text}\n\n# to {len(people)} people: {people}\n", encoding="utf-8")
        written.append(text)
        if digest.chart is not None:
            picture = stem.with_suffix(".png")
            picture.write_bytes(render_chart(digest.chart))
            written.append(picture)
    return written
