"""Chart geometry, worked by hand: round ticks, pixel positions of points and bars, gaps, negative bars,
the right-hand percent axis, tooltips with exact values, and an empty chart."""

from __future__ import annotations

from decimal import Decimal

from tests.oversight.web.sample import sample_view

from tradecover.oversight.view import Chart, ChartKind, Kind, Series
from tradecover.web.charts import Drawing, Shape, draw, nice_ticks


def _charts() -> dict[str, Chart]:
    return {c.key: c for s in sample_view().sections for c in s.charts}


def _of(drawing: Drawing, cls: str) -> list[dict[str, str]]:
    return [dict(s.attrs) for s in drawing.shapes if dict(s.attrs).get("class") == cls]


def _shapes(drawing: Drawing, cls: str) -> list[Shape]:
    return [s for s in drawing.shapes if dict(s.attrs).get("class") == cls]


def test_ticks_are_round_and_cover_zero() -> None:
    assert nice_ticks(Decimal(0), Decimal("1300000")) == tuple(
        Decimal(v) for v in (0, 500000, 1000000, 1500000)
    )
    assert nice_ticks(Decimal("-0.05"), Decimal("0.2")) == tuple(
        Decimal(v) for v in ("-0.05", "0", "0.05", "0.10", "0.15", "0.20")
    )
    assert nice_ticks(Decimal(3), Decimal(5), whole=True) == tuple(Decimal(v) for v in range(6))
    assert nice_ticks(Decimal(0), Decimal(0)) == tuple(
        Decimal(v) for v in ("0", "0.2", "0.4", "0.6", "0.8", "1.0")
    )


def test_a_line_breaks_at_a_gap_and_its_overlay_goes_on_a_right_percent_axis() -> None:
    drawing = draw(_charts()["coverage-by-month"], "CNY")
    assert drawing.test_id == "chart-coverage-by-month"
    # Legend row: top = 8 + 18; plot 230 high: 0 at y 256, 1.5M at y 26. Six bands of (720-70-64)/6.
    lines = _of(drawing, "line")
    assert [line["d"] for line in lines] == ["M118.8 102.7 L216.5 87.3", "M411.8 118 L509.5 72 L607.2 56.7"]
    overlay = _of(drawing, "line overlay")
    # Right axis -5%..20%: 0% at y 256 - 0.05/0.25*230 = 210; 15.3% at 256 - 0.203/0.25*230 = 69.24.
    assert overlay[0]["d"] == "M118.8 69.2 L216.5 99.6"
    assert overlay[1]["d"] == "M411.8 256 L509.5 118 L607.2 26"
    points = _shapes(drawing, "point")
    assert len(points) == 10
    assert points[0].title == "Insured turnover · 2025-01: 1,000,000.00 CNY"
    assert points[7].title == "Year on year · 2025-04: -5.0%"
    ticks = [s.text for s in _shapes(drawing, "tick")]
    assert ticks[:4] == ["0", "500k", "1M", "1.5M"]
    assert [t for t in ticks if t.endswith("%")] == ["-5%", "0%", "5%", "10%", "15%", "20%"]
    units = [s.text for s in _shapes(drawing, "unit")]
    assert units == ["CNY", "%"]
    assert [s.text for s in _shapes(drawing, "legend")] == ["Insured turnover", "Year on year (right axis)"]


def test_grouped_bars_stand_side_by_side_in_each_category() -> None:
    drawing = draw(_charts()["coverage-by-product"], "USD")
    bars = _shapes(drawing, "bar")
    # Two bands of 630; a quarter of each left as a gap; two bars of (315 - 78.75) / 2 = 118.125.
    assert [dict(b.attrs)["x"] for b in bars] == ["109.4", "424.4", "227.5", "542.5"]
    assert dict(bars[0].attrs)["y"] == "72"  # 8M of 10M: 256 - 0.8 * 230
    assert dict(bars[0].attrs)["height"] == "184"
    assert bars[3].title == "2025 · Domestic: 3,100,000.00 USD"


def test_a_negative_bar_hangs_below_the_zero_line() -> None:
    chart = Chart("net", "Net", ChartKind.BAR, Kind.COUNT, (Series("Firms", (("Lost", -2), ("Won", 8))),))
    drawing = draw(chart, "CNY")
    lost, won = (dict(b.attrs) for b in _shapes(drawing, "bar"))
    # No legend for one series: top 16, bottom 246; ticks -2..8 by 2; zero at 246 - 2/10 * 230 = 200.
    assert (lost["y"], lost["height"]) == ("200", "46")
    assert (won["y"], won["height"]) == ("16", "184")
    assert [dict(z.attrs)["y1"] for z in _shapes(drawing, "zero")] == ["200"]


def test_ranked_bars_are_horizontal_with_their_values_written() -> None:
    drawing = draw(_charts()["exposure-by-country"], "CNY")
    bars = [dict(b.attrs) for b in _shapes(drawing, "bar")]
    # Bars from x 190 to 624 (0..3M); rows of 14 + 10 starting at 16 + 5.
    assert [(b["x"], b["y"], b["width"]) for b in bars] == [
        ("190", "21", "434"),
        ("190", "45", "217"),
        ("190", "69", "108.5"),
    ]
    assert [s.text for s in _shapes(drawing, "label")] == ["United States", "Germany", "Viet Nam"]
    assert [s.text for s in _shapes(drawing, "value")] == ["3,000,000.00", "1,500,000.00", "750,000.00"]


def test_a_histogram_draws_adjacent_bars_on_a_whole_number_axis() -> None:
    drawing = draw(_charts()["service-days"], "CNY")
    bars = [dict(b.attrs) for b in _shapes(drawing, "bar")]
    # Four bands of 157.5 with a 2 px gap: bars 154.5 wide (one px of air), 5 claims = the axis top.
    assert [b["x"] for b in bars] == ["71", "228.5", "386", "543.5"]
    assert [b["width"] for b in bars] == ["154.5"] * 4
    assert bars[1]["y"] == "16"
    assert [s.text for s in _shapes(drawing, "tick")][:6] == ["0", "1", "2", "3", "4", "5"]


def test_a_chart_without_values_draws_nothing() -> None:
    drawing = draw(_charts()["stress-losses"], "CNY")
    assert drawing.empty
    assert drawing.shapes == ()
