"""数据统计: the figures of a person's part of the tree, as tables and as charts.

The charts are SVG drawn on the server (web/charts.py, the digest's own drawing) and placed in
the page as data: images, so the page runs no script and needs no font from its reader:
docs/console.md says why. Every number a chart shows is in a table beside it.
"""
from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from domain.calendar import SHANGHAI
from domain.metrics import Rates
from domain.settlement import Settlement
from handlers import console, texts
from handlers.console_figures import TREND_WEEKS, Figures
from handlers.digest import Chart, percent
from handlers.use_cases import work_time
from handlers.work import Work
from web.console import views
from web.console.pages import e, layout, link_with, notice, select

# Charts are images inside the page; nothing else may load from anywhere but this server.
POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'")
RATES = ("timely_sign_rate", "on_time_rate", "resolution_rate", "overdue_rate",
         "satisfaction_rate", "solve_rate", "reopen_rate", "return_rate")
SETTLED = ("small_matters_rate", "big_matters_rate")
CHARTED = ("timely_sign_rate", "on_time_rate", "satisfaction_rate", "small_matters_rate")
TRENDED = (*CHARTED, "big_matters_rate")
RANKED = ("timely_sign_rate", "solve_rate", "satisfaction_rate", "on_time_rate")


def value(rates: Rates, settled: Settlement, key: str) -> float | None:
    """A rate by its name: one of `Rates`' eight, or one of `Settlement`'s two."""
    rate: float | None = getattr(rates if key in RATES else settled, key)
    return rate


def _day(moment: datetime, form: str = texts.DATE_DAY) -> str:
    return moment.astimezone(SHANGHAI).strftime(form)


def span(figures: Figures) -> str:
    return texts.CONSOLE_PERIOD_SPAN.format(
        start=_day(figures.start), end=_day(figures.end - timedelta(days=1)))


def _image(svg: str, title: str) -> str:
    data = base64.b64encode(svg.encode()).decode()
    alt = texts.CONSOLE_CHART_ALT.format(title=title)
    return (f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" '
            f'alt="{e(alt)}"></figure>')


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], kind: str = "figures") -> str:
    """A table whose cells are HTML already escaped; it scrolls sideways on a phone."""
    th = "".join(f'<th scope="col">{e(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (f'<div class="scroll"><table class="{e(kind)}"><thead><tr>{th}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _grid_link(code: str, name: str) -> str:
    return f'<a href="{e(link_with({"grid": code}))}">{e(name)}</a>'


def _units(figures: Figures) -> str:
    names = texts.CONSOLE_FIGURE_NAMES
    head = [texts.CONSOLE_FIGURES_UNIT, texts.CONSOLE_FIGURES_LEVEL, texts.CONSOLE_FIGURES_NEW,
            *(names[k] for k in (*RATES, *SETTLED))]
    rows = [[f'<span class="depth-{min(u.depth, 3)}">{_grid_link(u.code, u.name)}</span>',
             e(texts.LEVEL_LABELS.get(u.level.value, u.level.value)), str(u.new),
             *(e(percent(value(u.rates, u.settled, k))) for k in (*RATES, *SETTLED))]
            for u in figures.units]
    return (f"<section><h2>{e(texts.CONSOLE_FIGURES_TABLE.format(span=span(figures)))}</h2>"
            f"{_table(head, rows)}<p class=\"hint\">{e(texts.CONSOLE_FIGURES_NOTE)}</p>"
            "</section>")


def _compared(figures: Figures, draw: Callable[[Chart], str]) -> str:
    names = texts.CONSOLE_FIGURE_NAMES
    title = texts.CONSOLE_FIGURES_CHART.format(unit=figures.whole)
    chart = Chart(title, tuple(u.name for u in figures.compared),
                  tuple((names[k], tuple(value(u.rates, u.settled, k) for u in figures.compared))
                        for k in CHARTED))
    return f"<section><h2>{e(title)}</h2>{_image(draw(chart), title)}</section>"


def _trend(figures: Figures, draw: Callable[[Chart], str]) -> str:
    names = texts.CONSOLE_FIGURE_NAMES
    title = texts.CONSOLE_FIGURES_TREND.format(weeks=TREND_WEEKS, unit=figures.whole)
    weeks = [_day(w.start, "%m-%d") for w in figures.trend]
    pairs = [(w.rates, w.settled) for w in figures.trend]
    chart = Chart(title, tuple(weeks),
                  tuple((names[k], tuple(value(*p, k) for p in pairs)) for k in TRENDED))
    head = [texts.CONSOLE_FIGURES_WEEK, *(names[k] for k in TRENDED)]
    rows = [[e(week), *(e(percent(value(*p, k))) for k in TRENDED)]
            for week, p in zip(weeks, pairs, strict=True)]
    return (f"<section><h2>{e(title)}</h2>{_image(draw(chart), title)}"
            f"{_table(head, rows)}</section>")


def _ranking(figures: Figures, draw: Callable[[Chart], str]) -> str:
    title = texts.CONSOLE_FIGURES_RANKING
    if not figures.ranked:
        return f"<section><h2>{e(title)}</h2>{notice(texts.CONSOLE_FIGURES_NO_RANKING)}</section>"
    red = {r.code for r in figures.red}
    black = {r.code for r in figures.black}
    chart = Chart(title, tuple(r.name for r in figures.ranked),
                  ((texts.CONSOLE_FIGURES_SCORE, tuple(r.score for r in figures.ranked)),),
                  horizontal=True,
                  marks=tuple("red" if r.code in red else "black" if r.code in black else "mid"
                              for r in figures.ranked))
    names = texts.CONSOLE_FIGURE_NAMES
    head = [texts.CONSOLE_FIGURES_RANK, texts.CONSOLE_MAP_COLUMNS["grid"],
            texts.CONSOLE_FIGURES_SCORE, *(names[k] for k in RANKED)]
    position = {r.code: n for n, r in enumerate(figures.ranked, start=1)}
    lists = ""
    for words, rows, kind in ((texts.CONSOLE_FIGURES_RED, figures.red, "red"),
                              (texts.CONSOLE_FIGURES_BLACK, figures.black, "black")):
        if rows:
            cells = [[str(position[r.code]), _grid_link(r.code, r.name), e(percent(r.score)),
                      *(e(percent(getattr(r.rates, k))) for k in RANKED)] for r in rows]
            lists += f"<h3>{e(words)}</h3>{_table(head, cells, f'figures {kind}')}"
    return (f"<section><h2>{e(title)}</h2>{_image(draw(chart), title)}{lists}"
            f'<p class="hint">{e(texts.CONSOLE_FIGURES_SCORE_NOTE)}</p></section>')


def _red_list(figures: Figures, work: Work) -> str:
    title = texts.CONSOLE_FIGURES_RED_LIST
    if not figures.red_listed:
        return f"<section><h2>{e(title)}</h2>{notice(texts.CONSOLE_FIGURES_NO_RED_LIST)}</section>"
    cols = texts.CONSOLE_COLUMNS
    rows = [[f'<a href="/console/orders/{e(o.code)}">{e(o.code)}</a>',
             e(views.category_label(work, o.category)), e(console.place_of(work, o)),
             e(work_time(o.resolve_due))] for o in figures.red_listed]
    return (f"<section><h2>{e(title)}</h2>"
            f"{_table([cols['code'], cols['category'], cols['place'], cols['due']], rows)}"
            "</section>")


def figures_page(figures: Figures, who: str, csrf: str, work: Work) -> str:
    """The page: the period's form, the tables and charts of the person's units (a notice
    instead where their scope holds no grid), and the red list of what they may see."""
    from web.charts import bars_svg, ranking_svg, trend_svg  # matplotlib: on first use only

    periods = list(texts.CONSOLE_PERIODS.items())
    form = (f'<form method="get" action="/console/figures" class="filters period">'
            f'{select("period", texts.CONSOLE_PERIOD, periods, figures.period)}'
            f'<div class="buttons"><button type="submit" class="primary">'
            f"{e(texts.CONSOLE_FILTER)}</button></div></form>"
            f'<p class="hint">{e(span(figures))}</p>')
    body = f"<h1>{e(texts.CONSOLE_FIGURES)}</h1>{form}"
    if not figures.units:
        body += notice(texts.CONSOLE_FIGURES_NO_GRIDS)
    else:
        body += (_units(figures) + '<div class="charts">' + _compared(figures, bars_svg)
                 + _trend(figures, trend_svg) + _ranking(figures, ranking_svg) + "</div>")
    body += _red_list(figures, work)
    return layout(texts.CONSOLE_FIGURES, body, who, csrf, here="/console/figures")
