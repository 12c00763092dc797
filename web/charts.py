"""Charts drawn on the server with matplotlib (Agg, no display), in a Chinese font from PyPI.

The digests' pictures (PNG, sent in chat) and the staff console's figures (SVG, inside the page)
are drawn here. A fresh machine with only python3 has no CJK system font, and matplotlib would
draw empty boxes: the font comes with the `noto-cjk-sans-otc` package (Noto Sans CJK, whose
collection holds the Simplified-Chinese face); installed system fonts are the fallback. In SVG
the glyphs are drawn as paths, so a page reads the same whatever fonts its reader has.
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from handlers import texts
from handlers.digest import Chart

# Simplified-Chinese faces first; the Japanese face of the collection still draws every hanzi.
CHINESE_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
                    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
                    "SimHei", "Droid Sans Fallback", "Noto Sans CJK JP")
COLOURS = ("#2b6cb0", "#38a169", "#d69e2e", "#805ad5", "#dd6b20")
MARKS = {"red": "#c53030", "black": "#2d3748", "mid": "#a0aec0", "": COLOURS[0]}


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


# --- the staff console's figures: SVG, sized for a phone's width as well as a desk's ----------

WIDTH = 4.4            # inches: about 420 CSS pixels, so a phone's 360 keeps labels readable
SVG_STYLE: dict[RcKeyType, Any] = {"svg.fonttype": "path", "svg.hashsalt": "gridbot"}   # glyphs as paths; stable ids


def _svg(draw: Any, height: float) -> str:
    """The page's heading names the chart (and the image's alt text): no title inside."""
    with matplotlib.rc_context({**_style(None), **SVG_STYLE}):
        figure = Figure(figsize=(WIDTH, height), layout="constrained")
        axes = figure.add_subplot()
        draw(axes)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _nothing(axes: Any) -> None:
    axes.text(0.5, 0.5, texts.CHART_NO_DATA, ha="center", va="center", fontsize=13)
    axes.set_axis_off()


def _labels(values: Iterable[float | None]) -> list[str]:
    return [f"{v:.0%}" if v is not None else "—" for v in values]


@lru_cache(maxsize=32)   # a page read again draws nothing again
def ranking_svg(chart: Chart) -> str:
    """One value per label as ranked horizontal bars, coloured by `chart.marks` (红榜, 黑榜)."""
    def draw(axes: Any) -> None:
        if not chart.labels:
            return _nothing(axes)
        _ranking(axes, chart)
        axes.tick_params(labelsize=11)
        axes.set_xlim(0, 118)
    return _svg(draw, 0.9 + 0.32 * max(len(chart.labels), 2))


@lru_cache(maxsize=32)   # a page read again draws nothing again
def bars_svg(chart: Chart) -> str:
    """Several rates per label as grouped horizontal bars, the first series on top."""
    count = len(chart.series)
    step = 0.2 * count + 0.3

    def draw(axes: Any) -> None:
        if not chart.labels:
            return _nothing(axes)
        height = 0.8 / max(count, 1)
        for i, (name, values) in enumerate(chart.series):
            ys = [(len(chart.labels) - 1 - y) + (count - 1 - i - (count - 1) / 2) * height
                  for y in range(len(chart.labels))]
            bars = axes.barh(ys, _percent(values), height, label=name,
                             color=COLOURS[i % len(COLOURS)])
            axes.bar_label(bars, labels=_labels(values), fontsize=9, padding=2)
        axes.set_yticks(range(len(chart.labels))[::-1], chart.labels, fontsize=11)
        axes.set_xlim(0, 112)
        axes.set_xlabel("%")
        _legend(axes, count)
    return _svg(draw, 1.3 + step * max(len(chart.labels), 1))


@lru_cache(maxsize=32)   # a page read again draws nothing again
def trend_svg(chart: Chart) -> str:
    """Rates over time: one line per series, a gap where a rate has no denominator."""
    def draw(axes: Any) -> None:
        if not chart.labels:
            return _nothing(axes)
        xs = range(len(chart.labels))
        for i, (name, values) in enumerate(chart.series):
            ys = [100 * v if v is not None else math.nan for v in values]
            axes.plot(xs, ys, marker="o", markersize=4, label=name,
                      color=COLOURS[i % len(COLOURS)])
        axes.set_xticks(xs, chart.labels, fontsize=10, rotation=45 if len(xs) > 5 else 0)
        axes.set_ylim(0, 105)
        axes.set_ylabel("%")
        axes.grid(axis="y", alpha=0.3)
        _legend(axes, len(chart.series), below=0.3 if len(xs) > 5 else 0.14)
    return _svg(draw, 3.6)


def _legend(axes: Any, count: int, below: float = 0.14) -> None:
    """The series' names under the plot (`below` its height, clear of the axis' labels), in
    two columns, which fit a phone's width."""
    if count > 1:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -below), ncols=min(count, 2),
                    fontsize=10, frameon=False)
