"""SVG geometry for the oversight charts: lines with a percent overlay, grouped bars, ranked bars, histograms.

`draw(chart, currency)` turns a view's `Chart` into a `Drawing`: plain shapes (tag, attributes, tooltip,
text) that a template writes out as SVG, escaped. Values stay exact in the tooltips and tick labels;
only pixel positions are floats. Axes always include zero, so bar lengths compare honestly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from tradecover.oversight.view import Chart, ChartKind, Kind, Series
from tradecover.web.oversight_format import axis, display

WIDTH = 720
PLOT_HEIGHT = 230
LEFT, RIGHT, RIGHT_WITH_OVERLAY, BOTTOM = 70, 20, 64, 46
HBAR_LABEL_WIDTH, HBAR_VALUE_ROOM, HBAR_BAR, HBAR_GAP = 190, 96, 14, 10
LEGEND_ROW, CHAR_WIDTH = 18, 7.2
TICKS = 5
PALETTE = ("#2f6fed", "#f08c2e", "#137a4b", "#7a4fd8", "#0e9aa7", "#b8860b")
OVERLAY_PALETTE = ("#b42318", "#5b6b82", "#d6336c")
UNIT_CAPTIONS = {Kind.PERCENT: "%", Kind.COUNT: "count", Kind.DAYS: "days"}


@dataclass(frozen=True, slots=True)
class Shape:
    """One SVG element: its tag, attributes, an optional tooltip (<title>) and text content."""

    tag: str
    attrs: tuple[tuple[str, str], ...]
    title: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class Drawing:
    """A chart ready to write out: the viewBox size and its shapes in painting order."""

    key: str
    title: str
    kind: str
    width: int
    height: int
    shapes: tuple[Shape, ...]
    empty: bool

    @property
    def test_id(self) -> str:
        """The page's handle on the chart."""
        return f"chart-{self.key}"


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def shape(tag: str, *, title: str = "", text: str = "", **attrs: str | float) -> Shape:
    """A shape; attribute names with `_` become `-` (`stroke_width`), `cls` becomes `class`."""
    named = (
        ("class" if name == "cls" else name.replace("_", "-"), _n(v) if isinstance(v, float) else str(v))
        for name, v in attrs.items()
    )
    return Shape(tag, tuple(named), title, text)


@dataclass(frozen=True, slots=True)
class Scale:
    """Values from `low` to `high` (zero included) on pixels from `start` (low) to `end` (high)."""

    low: Decimal
    high: Decimal
    ticks: tuple[Decimal, ...]
    start: float
    end: float

    def at(self, value: Decimal | int) -> float:
        """The pixel of a value."""
        share = float((Decimal(value) - self.low) / (self.high - self.low))
        return self.start + share * (self.end - self.start)


def nice_ticks(low: Decimal, high: Decimal, *, whole: bool = False) -> tuple[Decimal, ...]:
    """About five round ticks (1, 2 or 5 times a power of ten) covering low..high and zero."""
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:
        high = Decimal(1)
    raw = (high - low) / TICKS
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(step, Decimal(1))
    first = (low / step).to_integral_value(ROUND_FLOOR) * step
    last = (high / step).to_integral_value(ROUND_CEILING) * step
    count = int((last - first) / step)
    return tuple(first + step * i for i in range(count + 1))


def scale(values: Sequence[Decimal | int], start: float, end: float, *, whole: bool = False) -> Scale:
    """A scale over the values with round ticks."""
    numbers = [Decimal(v) for v in values] or [Decimal(0)]
    ticks = nice_ticks(min(numbers), max(numbers), whole=whole)
    return Scale(ticks[0], ticks[-1], ticks, start, end)


def _values(series: Sequence[Series]) -> list[Decimal | int]:
    return [v for s in series for _, v in s.points if v is not None]


def _categories(chart: Chart) -> list[str]:
    seen: dict[str, None] = {}
    for s in (*chart.series, *chart.overlay):
        for label, _ in s.points:
            seen.setdefault(label, None)
    return list(seen)


def _legend(chart: Chart, left: float, width: float) -> tuple[list[Shape], float]:
    """Swatches and labels in rows from the top; returns the shapes and the height they take."""
    items = [(s.label, PALETTE[i % len(PALETTE)], False) for i, s in enumerate(chart.series)]
    items += [
        (f"{s.label} (right axis)", OVERLAY_PALETTE[i % len(OVERLAY_PALETTE)], True)
        for i, s in enumerate(chart.overlay)
    ]
    if len(items) < 2 and not chart.overlay:
        return [], 16.0
    shapes: list[Shape] = []
    x, row = left, 0
    for label, colour, dashed in items:
        room = 18 + len(label) * CHAR_WIDTH + 16
        if x + room > left + width and x > left:
            x, row = left, row + 1
        y = 4 + row * LEGEND_ROW
        if dashed:
            shapes.append(
                shape("line", x1=x, y1=y + 5.0, x2=x + 12, y2=y + 5.0, stroke=colour, cls="overlay")
            )
        else:
            shapes.append(shape("rect", x=x, y=float(y), width=10, height=10, fill=colour, cls="swatch"))
        shapes.append(shape("text", x=x + 16, y=y + 9.5, cls="legend", text=label))
        x += room
    return shapes, 8.0 + (row + 1) * LEGEND_ROW


def _caption(unit: Kind, currency: str) -> str:
    return currency if unit is Kind.MONEY else UNIT_CAPTIONS.get(unit, "")


def _y_axis(
    ys: Scale, unit: Kind, x: float, right: bool, left_edge: float, right_edge: float
) -> Iterator[Shape]:
    for tick in ys.ticks:
        y = ys.at(tick)
        if not right:
            cls = "zero" if tick == 0 else "grid"
            yield shape("line", x1=left_edge, y1=y, x2=right_edge, y2=y, cls=cls)
        anchor = "start" if right else "end"
        yield shape("text", x=x, y=y + 4, text_anchor=anchor, cls="tick", text=axis(tick, unit))


def _rotated(text: str, x: float, y: float) -> Shape:
    return shape(
        "text",
        x=x,
        y=y,
        transform=f"rotate(-90 {_n(x)} {_n(y)})",
        text_anchor="middle",
        cls="unit",
        text=text,
    )


def _x_labels(categories: list[str], band: float, left: float, y: float) -> Iterator[Shape]:
    every = max(1, math.ceil(58 / band))
    for i, label in enumerate(categories):
        if i % every == 0:
            short = label if len(label) <= 12 else label[:11] + "…"
            yield shape("text", x=left + (i + 0.5) * band, y=y, text_anchor="middle", cls="tick", text=short)


def _tip(series: Series, category: str, value: Decimal | int, unit: Kind, currency: str) -> str:
    money = f" {currency}" if unit is Kind.MONEY else ""
    return f"{series.label} · {category}: {display(value, unit)}{money}"


def _lines(
    series: Sequence[Series],
    index: dict[str, int],
    band: float,
    left: float,
    ys: Scale,
    unit: Kind,
    currency: str,
    palette: Sequence[str],
    cls: str,
) -> Iterator[Shape]:
    for i, s in enumerate(series):
        colour = palette[i % len(palette)]
        segments: list[list[tuple[float, float]]] = [[]]
        points: list[Shape] = []
        for category, value in s.points:
            if value is None:
                segments.append([])
                continue
            x, y = left + (index[category] + 0.5) * band, ys.at(value)
            segments[-1].append((x, y))
            tip = _tip(s, category, value, unit, currency)
            points.append(shape("circle", cx=x, cy=y, r=3.0, fill=colour, cls="point", title=tip))
        for segment in segments:
            if len(segment) > 1:
                d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in segment)
                yield shape("path", d=d, stroke=colour, fill="none", cls=cls)
        yield from points


def _bars(
    chart: Chart, index: dict[str, int], band: float, left: float, ys: Scale, currency: str, gap: float
) -> Iterator[Shape]:
    count = len(chart.series)
    width = (band - gap) / count
    zero = ys.at(0)
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        for category, value in s.points:
            if value is None:
                continue
            x = left + index[category] * band + gap / 2 + i * width
            top, bottom = sorted((ys.at(value), zero))
            tip = _tip(s, category, value, chart.unit, currency)
            yield shape(
                "rect",
                x=x,
                y=top,
                width=max(width - 1, 1.0),
                height=bottom - top,
                fill=colour,
                cls="bar",
                title=tip,
            )


def _vertical(chart: Chart, currency: str) -> Drawing:
    right = RIGHT_WITH_OVERLAY if chart.overlay else RIGHT
    legend, top = _legend(chart, LEFT, WIDTH - LEFT - right)
    categories = _categories(chart)
    index = {label: i for i, label in enumerate(categories)}
    plot_width = WIDTH - LEFT - right
    band = plot_width / max(len(categories), 1)
    bottom = top + PLOT_HEIGHT
    whole = chart.unit is Kind.COUNT
    ys = scale(_values(chart.series), bottom, top, whole=whole)
    shapes = [*legend, *_y_axis(ys, chart.unit, LEFT - 6, False, LEFT, WIDTH - right)]
    shapes.append(_rotated(_caption(chart.unit, currency), 12, top + PLOT_HEIGHT / 2))
    shapes += _x_labels(categories, band, LEFT, bottom + 18)
    if chart.kind is ChartKind.LINE:
        shapes += _lines(chart.series, index, band, LEFT, ys, chart.unit, currency, PALETTE, "line")
    else:
        gap = 2.0 if chart.kind is ChartKind.HISTOGRAM else band * 0.25
        shapes += _bars(chart, index, band, LEFT, ys, currency, gap)
    if chart.overlay:
        over = scale(_values(chart.overlay), bottom, top)
        shapes += _y_axis(over, chart.overlay_unit, WIDTH - right + 6, True, LEFT, WIDTH - right)
        shapes.append(_rotated(_caption(chart.overlay_unit, currency), WIDTH - 8, top + PLOT_HEIGHT / 2))
        shapes += _lines(
            chart.overlay,
            index,
            band,
            LEFT,
            over,
            chart.overlay_unit,
            currency,
            OVERLAY_PALETTE,
            "line overlay",
        )
    height = int(bottom + BOTTOM)
    return Drawing(chart.key, chart.title, chart.kind.value, WIDTH, height, tuple(shapes), chart.is_empty)


def _hbar(chart: Chart, currency: str) -> Drawing:
    left, right = HBAR_LABEL_WIDTH, WIDTH - HBAR_VALUE_ROOM
    legend, top = _legend(chart, left, right - left)
    categories = _categories(chart)
    count = len(chart.series)
    row = count * HBAR_BAR + HBAR_GAP
    bottom = top + row * len(categories)
    xs = scale(_values(chart.series), left, right, whole=chart.unit is Kind.COUNT)
    shapes = list(legend)
    for tick in xs.ticks:
        x = xs.at(tick)
        shapes.append(shape("line", x1=x, y1=top, x2=x, y2=bottom, cls="zero" if tick == 0 else "grid"))
        shapes.append(
            shape("text", x=x, y=bottom + 14, text_anchor="middle", cls="tick", text=axis(tick, chart.unit))
        )
    shapes.append(
        shape(
            "text",
            x=(left + right) / 2,
            y=bottom + 32,
            text_anchor="middle",
            cls="unit",
            text=_caption(chart.unit, currency),
        )
    )
    zero = xs.at(0)
    for r, category in enumerate(categories):
        y0 = top + r * row + HBAR_GAP / 2
        short = category if len(category) <= 28 else category[:27] + "…"
        shapes.append(
            shape(
                "text",
                x=left - 8,
                y=y0 + count * HBAR_BAR / 2 + 4,
                text_anchor="end",
                cls="label",
                text=short,
                title=category,
            )
        )
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        for category, value in s.points:
            if value is None:
                continue
            y = top + categories.index(category) * row + HBAR_GAP / 2 + i * HBAR_BAR
            start, end = sorted((zero, xs.at(value)))
            tip = _tip(s, category, value, chart.unit, currency)
            shapes.append(
                shape(
                    "rect",
                    x=start,
                    y=y,
                    width=end - start,
                    height=HBAR_BAR - 2.0,
                    fill=colour,
                    cls="bar",
                    title=tip,
                )
            )
            shapes.append(
                shape(
                    "text",
                    x=max(end, zero) + 4,
                    y=y + HBAR_BAR - 4.0,
                    cls="value",
                    text=display(value, chart.unit),
                )
            )
    height = int(bottom + BOTTOM)
    return Drawing(chart.key, chart.title, chart.kind.value, WIDTH, height, tuple(shapes), chart.is_empty)


def draw(chart: Chart, currency: str) -> Drawing:
    """The chart's drawing; an empty chart (no value anywhere) draws nothing and says so."""
    if chart.is_empty:
        return Drawing(chart.key, chart.title, chart.kind.value, WIDTH, 60, (), True)
    if chart.kind is ChartKind.HBAR:
        return _hbar(chart, currency)
    return _vertical(chart, currency)
