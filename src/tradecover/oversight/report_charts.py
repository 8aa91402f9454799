"""The four chart kinds of an oversight view as reportlab drawings for the PDF report.

Geometry is drawn here rather than with reportlab's chart widgets because a `None` point is a gap (the
widgets join across it) and the percent overlay needs its own axis on the right. Values become floats only
for coordinates; every number printed beside a bar is formatted from its exact value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth  # type: ignore[import-untyped]

from tradecover.oversight.report_format import format_value
from tradecover.oversight.view import Chart, ChartKind, Kind, Series

FONT = "Helvetica"
# Chinese names (firms, bureaus) print in Adobe's STSong CID font: PDF readers supply its glyphs, so
# nothing is embedded; Helvetica has none and would print boxes.
CJK_FONT = "STSong-Light"
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")
registerFont(UnicodeCIDFont(CJK_FONT))
SIZE = 7
EMPTY_TEXT = "no data in this period"
MAX_HBAR_ROWS = 30
PALETTE = tuple(colors.HexColor(code) for code in ("#1f5fa8", "#e07b1a", "#2e8b57", "#8e44ad", "#7f8c8d"))
OVERLAY_PALETTE = tuple(colors.HexColor(code) for code in ("#c0392b", "#b7950b"))
GRID = colors.HexColor("#dddddd")
AXIS = colors.HexColor("#555555")

Point = Decimal | int | None


@dataclass(frozen=True, slots=True)
class _Area:
    """The plotting rectangle inside a drawing."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True, slots=True)
class _Scale:
    """A value axis: its ticks and the map from a value to a coordinate between `start` and `end`."""

    ticks: tuple[float, ...]
    start: float
    end: float

    def at(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.start + (value - low) / (high - low) * (self.end - self.start)


def drawable(chart: Chart) -> Chart:
    """The chart without overlay series that have no value (a growth rate with no base period)."""
    overlay = tuple(s for s in chart.overlay if any(value is not None for _, value in s.points))
    return chart if overlay == chart.overlay else replace(chart, overlay=overlay)


def chart_drawing(chart: Chart, width: float) -> Drawing:
    """The chart drawn `width` points wide; an empty chart says so instead of drawing axes."""
    chart = drawable(chart)
    if chart.is_empty:
        return _empty(width)
    match chart.kind:
        case ChartKind.LINE:
            return _line_chart(chart, width)
        case ChartKind.BAR:
            return _bar_chart(chart, width, touching=False)
        case ChartKind.HISTOGRAM:
            return _bar_chart(chart, width, touching=True)
        case ChartKind.HBAR:
            return _hbar_chart(chart, width)


def _empty(width: float) -> Drawing:
    drawing = Drawing(width, 48)
    drawing.add(Rect(0, 4, width, 40, strokeColor=GRID, fillColor=colors.HexColor("#fafafa")))
    drawing.add(String(width / 2, 21, EMPTY_TEXT, fontName=FONT, fontSize=9, textAnchor="middle"))
    return drawing


def categories(series: Sequence[Series]) -> list[str]:
    """Every category of the series, in first-seen order."""
    seen: dict[str, None] = {}
    for one in series:
        for label, _ in one.points:
            seen.setdefault(label, None)
    return list(seen)


def _values(series: Series, names: Sequence[str]) -> list[Point]:
    by_label = dict(series.points)
    return [by_label.get(name) for name in names]


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[float, ...]:
    """Round tick values covering low..high in about `count` steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high < low:
        low, high = high, low
    if high == low:
        low, high = (low - 1, high + 1) if low == 0 else (min(0.0, low), max(0.0, high))
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude * (1 + 1e-9))
    first = math.floor(low / step + 1e-9) * step
    steps = math.ceil((high - first) / step - 1e-9)
    return tuple(round(first + i * step, 10) for i in range(max(steps, 1) + 1))


def axis_label(value: float, unit: Kind, step: float) -> str:
    """A tick label: percentages from fractions, money compact (1.5M), counts and days plain."""
    if unit is Kind.PERCENT:
        points = step * 100
        decimals = (
            0
            if abs(points - round(points)) < 1e-9
            else (1 if abs(points * 10 - round(points * 10)) < 1e-9 else 2)
        )
        return f"{value * 100:.{decimals}f}%"
    if unit is Kind.MONEY:
        for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{value / size:.4g}{suffix}"
        return f"{value:.4g}"
    decimals = 0 if abs(step - round(step)) < 1e-9 else (1 if abs(step * 10 - round(step * 10)) < 1e-9 else 2)
    return f"{value:,.{decimals}f}"


def _floats(values: Sequence[Point]) -> list[float]:
    return [float(v) for v in values if v is not None]


def _scale(values: Sequence[Point], start: float, end: float, with_zero: bool) -> _Scale:
    numbers = _floats(values) or [0.0]
    low, high = min(numbers), max(numbers)
    if with_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if low == high == 0:
        high = 1.0  # all zero: the values sit on the floor of a 0-1 axis
    return _Scale(nice_ticks(low, high), start, end)


def font_for(text: str) -> str:
    """The font a chart label is set in: the CJK font when it holds Chinese characters (it has Latin too)."""
    return CJK_FONT if CJK.search(text) else FONT


def _width(text: str, size: float = SIZE) -> float:
    return float(stringWidth(text, font_for(text), size))


def _text(x: float, y: float, text: str, anchor: str = "start", size: float = SIZE) -> String:
    return String(
        x, y, text, fontName=font_for(text), fontSize=size, textAnchor=anchor, fillColor=colors.black
    )


def _legend(drawing: Drawing, chart: Chart, width: float, top: float) -> float:
    """Draw the legend along the top; returns the height it took."""
    items = [(s.label, PALETTE[i % len(PALETTE)], False) for i, s in enumerate(chart.series)]
    items += [
        (f"{s.label} (right axis)", OVERLAY_PALETTE[i % len(OVERLAY_PALETTE)], True)
        for i, s in enumerate(chart.overlay)
    ]
    x, row = 0.0, 0
    for label, colour, dashed in items:
        needed = 16 + _width(label) + 12
        if x > 0 and x + needed > width:
            x, row = 0.0, row + 1
        y = top - 8 - row * 12
        if dashed:
            drawing.add(
                Line(x, y + 2.5, x + 12, y + 2.5, strokeColor=colour, strokeWidth=1.5, strokeDashArray=(3, 2))
            )
        else:
            drawing.add(Rect(x, y, 12, 6, fillColor=colour, strokeColor=None))
        drawing.add(_text(x + 16, y, label))
        x += needed
    return (row + 1) * 12 + 4


def _legend_height(chart: Chart, width: float) -> float:
    return _legend(Drawing(width, 1000), chart, width, 1000)


def _value_axis(drawing: Drawing, scale: _Scale, area: _Area, unit: Kind, right: bool = False) -> None:
    step = scale.ticks[1] - scale.ticks[0]
    for tick in scale.ticks:
        y = scale.at(tick)
        if not right:
            drawing.add(Line(area.left, y, area.right, y, strokeColor=GRID, strokeWidth=0.5))
            drawing.add(_text(area.left - 4, y - 2.5, axis_label(tick, unit, step), "end"))
        else:
            drawing.add(Line(area.right, y, area.right + 3, y, strokeColor=AXIS, strokeWidth=0.5))
            drawing.add(_text(area.right + 5, y - 2.5, axis_label(tick, unit, step)))
    x = area.right if right else area.left
    drawing.add(Line(x, area.bottom, x, area.top, strokeColor=AXIS, strokeWidth=0.5))


def _category_axis(drawing: Drawing, names: Sequence[str], area: _Area, baseline: float) -> None:
    step = area.width / len(names)
    widest = max(_width(name) for name in names) + 6
    every = max(1, math.ceil(widest / step))
    drawing.add(Line(area.left, baseline, area.right, baseline, strokeColor=AXIS, strokeWidth=0.7))
    for index, name in enumerate(names):
        if index % every == 0:
            drawing.add(_text(area.left + (index + 0.5) * step, area.bottom - 10, name, "middle"))


def _frame(chart: Chart, width: float, plot_height: float) -> tuple[Drawing, _Area]:
    legend = _legend_height(chart, width)
    height = plot_height + legend + 20
    drawing = Drawing(width, height)
    _legend(drawing, chart, width, height)
    right = width - (48 if chart.overlay else 10)
    return drawing, _Area(52, 16, right, height - legend - 6)


def _line_chart(chart: Chart, width: float) -> Drawing:
    names = categories(chart.series + chart.overlay)
    drawing, area = _frame(chart, width, 170)
    step = area.width / len(names)
    left_values = [v for s in chart.series for v in _values(s, names)]
    scale = _scale(left_values, area.bottom, area.top, with_zero=False)
    _value_axis(drawing, scale, area, chart.unit)
    _category_axis(drawing, names, area, area.bottom)
    for index, one in enumerate(chart.series):
        _polyline(drawing, _values(one, names), area.left, step, scale, PALETTE[index % len(PALETTE)], False)
    if chart.overlay:
        overlay_values = [v for s in chart.overlay for v in _values(s, names)]
        right_scale = _scale(overlay_values, area.bottom, area.top, with_zero=True)
        _value_axis(drawing, right_scale, area, chart.overlay_unit, right=True)
        zero = right_scale.at(0.0)
        drawing.add(Line(area.left, zero, area.right, zero, strokeColor=OVERLAY_PALETTE[0], strokeWidth=0.3))
        for index, one in enumerate(chart.overlay):
            colour = OVERLAY_PALETTE[index % len(OVERLAY_PALETTE)]
            _polyline(drawing, _values(one, names), area.left, step, right_scale, colour, True)
    return drawing


def _polyline(
    drawing: Drawing,
    values: Sequence[Point],
    left: float,
    step: float,
    scale: _Scale,
    colour: object,
    dashed: bool,
) -> None:
    """One series: a line through each run of consecutive values, a dot on every value; gaps stay open."""
    runs: list[list[float]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        x, y = left + (index + 0.5) * step, scale.at(float(value))
        runs[-1] += [x, y]
        drawing.add(Circle(x, y, 1.8, fillColor=colour, strokeColor=None))
    dash = (3, 2) if dashed else None
    for run in runs:
        if len(run) >= 4:
            drawing.add(PolyLine(run, strokeColor=colour, strokeWidth=1.4, strokeDashArray=dash))


def _bar_chart(chart: Chart, width: float, touching: bool) -> Drawing:
    names = categories(chart.series)
    drawing, area = _frame(chart, width, 160)
    all_values = [v for s in chart.series for v in _values(s, names)]
    scale = _scale(all_values, area.bottom, area.top, with_zero=True)
    _value_axis(drawing, scale, area, chart.unit)
    zero = scale.at(0.0)
    step = area.width / len(names)
    group = step * (0.98 if touching else 0.75)
    bar = group / len(chart.series)
    for index, one in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        for position, value in enumerate(_values(one, names)):
            if value is None:
                continue
            x = area.left + position * step + (step - group) / 2 + index * bar
            y = scale.at(float(value))
            drawing.add(Rect(x, min(y, zero), bar, abs(y - zero), fillColor=colour, strokeColor=None))
    _category_axis(drawing, names, area, zero)
    return drawing


def _clip(text: str, room: float) -> str:
    if _width(text) <= room:
        return text
    while text and _width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def _hbar_chart(chart: Chart, width: float) -> Drawing:
    every = categories(chart.series)
    names = every[:MAX_HBAR_ROWS]
    rows = [_values(one, names) for one in chart.series]
    labels = [[format_value(value, chart.unit) if value is not None else "" for value in row] for row in rows]
    label_room = min(150.0, max(_width(name) for name in names) + 6)
    value_room = max(_width(text) for row in labels for text in row) + 8
    row_height = max(14.0, 9.0 * len(chart.series) + 5)
    legend = _legend_height(chart, width)
    footer = 30 if len(every) > len(names) else 20
    height = legend + row_height * len(names) + footer + 6
    drawing = Drawing(width, height)
    _legend(drawing, chart, width, height)
    area = _Area(label_room, footer, width - value_room, height - legend - 6)
    scale = _scale([v for row in rows for v in row], area.left, area.right, with_zero=True)
    step = scale.ticks[1] - scale.ticks[0]
    for tick in scale.ticks:
        x = scale.at(tick)
        drawing.add(Line(x, area.bottom, x, area.top, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(_text(x, area.bottom - 10, axis_label(tick, chart.unit, step), "middle"))
    zero = scale.at(0.0)
    drawing.add(Line(zero, area.bottom, zero, area.top, strokeColor=AXIS, strokeWidth=0.7))
    bar = (row_height - 5) / len(chart.series)
    for position, name in enumerate(names):
        top = area.top - position * row_height
        drawing.add(_text(area.left - 4, top - row_height / 2 - 2.5, _clip(name, label_room - 6), "end"))
        for index, row in enumerate(rows):
            value = row[position]
            if value is None:
                continue
            x = scale.at(float(value))
            y = top - 2.5 - (index + 1) * bar
            colour = PALETTE[index % len(PALETTE)]
            drawing.add(Rect(min(x, zero), y, abs(x - zero), bar - 1, fillColor=colour, strokeColor=None))
            drawing.add(_text(max(x, zero) + 3, y + bar / 2 - 2.5, labels[index][position]))
    if len(every) > len(names):
        drawing.add(_text(0, 2, f"the first {len(names)} of {len(every)} shown; the table lists them all"))
    return drawing
