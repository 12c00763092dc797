"""The digest's chart draws Chinese with real glyphs, not empty boxes, from a font PyPI ships."""
from __future__ import annotations

import io
import warnings

import numpy
from PIL import Image, ImageChops

from bot.charts import chinese_family, render_chart
from handlers.digest import Chart

TITLE = "江畔社区 本周各网格按期办结率与满意率"
CHART = Chart(TITLE, ("锦江畔小区", "滨江花园", "江城明珠"),
              (("按期办结率", (0.8, 0.95, None)), ("满意率", (0.9, 0.7, 0.6))))


def draw(families: list[str] | None = None) -> tuple[Image.Image, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_chart(CHART, families)
    return Image.open(io.BytesIO(png)).convert("L"), [str(w.message) for w in caught]


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    return int((numpy.asarray(image.crop(box)) < 128).sum())


def test_a_chinese_title_is_drawn_with_chinese_glyphs():
    assert chinese_family() is not None
    image, complaints = draw()
    assert not [c for c in complaints if "missing from font" in c]
    title_band = (0, 0, image.width, image.height // 12)
    assert dark_pixels(image, title_band) > 1500      # nineteen dense hanzi, not blank boxes


def test_without_a_chinese_font_the_same_title_comes_out_differently():
    good, _ = draw()
    boxes, complaints = draw(["DejaVu Sans"])
    assert any("missing from font" in c for c in complaints)
    title_band = (0, 0, good.width, good.height // 12)
    difference = ImageChops.difference(good.crop(title_band), boxes.crop(title_band))
    changed = int((numpy.asarray(difference) > 64).sum())
    assert changed > 1500                               # most strokes differ from the boxes
