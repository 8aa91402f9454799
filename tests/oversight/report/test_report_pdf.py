"""The PDF report of a hand-built view: pages, the text on them, a long table over pages, pixels drawn."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from tests.oversight.report.sample import LONG_ROWS, sample_view

from tradecover.oversight.report import build_report, render_report
from tradecover.oversight.view import Chart, ChartKind, Kind, OversightView, Section, Series


@pytest.fixture(scope="module")
def pages() -> list[str]:
    """The text of each page of the sample view's report."""
    return _texts(render_report(sample_view()))


@contextmanager
def _opened(pdf: bytes) -> Iterator[pdfium.PdfDocument]:
    document = pdfium.PdfDocument(pdf)
    try:
        yield document
    finally:
        document.close()


def _texts(pdf: bytes) -> list[str]:
    with _opened(pdf) as document:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def test_the_report_is_a_pdf_whose_page_count_is_the_one_reported() -> None:
    report = build_report(sample_view())
    assert report.pdf.startswith(b"%PDF-")
    with _opened(report.pdf) as document:
        assert len(document) == report.pages
        width, height = document[0].get_size()
    # Page 1 coverage, 2 the ranked countries, 3 the histogram and the table's start, 4-6 its other rows.
    assert report.pages == 6
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_the_title_block_names_viewer_period_currency_and_date(pages: list[str]) -> None:
    first = " ".join(pages[0].split())
    assert "Market oversight" in first
    assert "Organisation: Financial Supervisory Authority" in first
    assert "Period: 2025-01-01 – 2025-12-31" in first
    assert "Currency: CNY" in first
    assert "Generated: 2026-01-15" in first
    assert "Contents: 1. Coverage and growth · 2. Exposure and claims service · 3. Regions" in first


def test_every_section_heading_appears_once_in_order(pages: list[str]) -> None:
    text = "\n".join(pages)
    headings = ["1. Coverage and growth", "2. Exposure and claims service", "3. Regions"]
    lines = [line.strip() for line in text.splitlines()]
    positions = [lines.index(heading) for heading in headings]
    assert positions == sorted(positions)
    for title in (
        "Insured turnover by month",
        "Coverage by product",
        "Exposure by buyer country",
        "Days from filing to payment",
        "Recoveries by month",
        "Coverage by month and region",
        "Open claims",
    ):
        assert title in text


def test_figures_read_with_currency_and_change(pages: list[str]) -> None:
    first = pages[0]
    assert "CNY 12,345,678.50" in first
    assert "+15.3% year on year" in first
    assert "-5.0% month on month" in first
    assert "41.3%" in first  # 0.4125 rounded half up


def test_table_cells_are_formatted_by_kind(pages: list[str]) -> None:
    text = "\n".join(pages)
    # Row 7 (August 2024, Shenzhen): coverage 1234567.891, share 0.1534, 7 firms, 1.75 days.
    row = next(line for line in text.splitlines() if "1,234,567.89" in line)
    assert row.split() == ["2024-08", "Shenzhen", "1,234,567.89", "15.3%", "7", "1.8"]
    assert "Coverage (CNY)" in text
    assert "no rows in this period" in text


def test_a_long_table_spans_pages_with_its_header_repeated(pages: list[str]) -> None:
    holding = [i for i, page in enumerate(pages) if "Coverage (CNY)" in page and "Mean days" in page]
    assert len(holding) >= 3
    assert holding == list(range(holding[0], holding[0] + len(holding)))
    # Every row is printed exactly once: its money value (10,000 × i + 0.50) is unique.
    text = "\n".join(pages)
    for i in range(LONG_ROWS):
        expected = "1,234,567.89" if i == 7 else f"{10_000 * i:,}.50"
        assert sum(line.split()[2:3] == [expected] for line in text.splitlines()) == 1, expected


def test_each_page_has_its_numbered_footer(pages: list[str]) -> None:
    for number, page in enumerate(pages, start=1):
        assert f"tradecover · Market oversight · page {number}" in page


def test_an_empty_chart_says_so(pages: list[str]) -> None:
    assert sum(page.count("no data in this period") for page in pages) == 1


def test_the_hbar_prints_exact_values_and_says_what_it_left_out(pages: list[str]) -> None:
    text = "\n".join(pages)
    assert "4,000,000.00" in text  # Country 00
    assert "1,390,000.00" in text  # Country 29, the last drawn
    assert "Country 30" not in text
    assert "the first 30 of 40 shown; the table lists them all" in text


def _ink(image_path: Path, box: tuple[int, int, int, int]) -> int:
    with Image.open(image_path) as image:
        region = image.convert("L").crop(box)
        return sum(region.histogram()[:200])  # pixels darker than light grey


def test_page_one_renders_with_the_charts_drawn(tmp_path: Path) -> None:
    with _opened(render_report(sample_view())) as document:
        image = document[0].render(scale=1).to_pil()
    path = tmp_path / "page-1.png"
    image.save(path)
    width, height = image.size
    assert abs(width - 595) <= 1  # A4 at 72 dpi
    assert abs(height - 842) <= 1
    # The line chart sits in the middle third of page 1: its lines and axes put ink there.
    assert _ink(path, (40, height // 3, width - 40, 2 * height // 3)) > 2000
    # The blank right margin stays white.
    assert _ink(path, (width - 20, 0, width, height)) == 0


def test_a_view_with_no_sections_is_one_page() -> None:
    view = dataclasses.replace(sample_view(), sections=(), generated_on=dt.date(2026, 2, 1))
    report = build_report(view)
    assert report.pages == 1
    assert "Contents: no sections" in " ".join(_texts(report.pdf)[0].split())


def test_text_is_escaped_not_read_as_markup() -> None:
    view: OversightView = dataclasses.replace(sample_view(), title="Bank <Alpha> & Sons", sections=())
    assert "Bank <Alpha> & Sons" in _texts(render_report(view))[0]


def test_chinese_names_are_set_in_the_cjk_font_and_read_back() -> None:
    view = dataclasses.replace(sample_view(), viewer="义乌市商务局 (Yiwu Commerce Bureau)", sections=())
    report = render_report(view)
    assert b"STSong-Light" in report
    assert "Organisation: 义乌市商务局 (Yiwu Commerce Bureau)" in _texts(report)[0]


def test_chinese_labels_in_charts_are_set_in_the_cjk_font_and_read_back() -> None:
    regions = (("义乌市", Decimal(3_000_000)), ("深圳市", Decimal(2_000_000)), ("Ningbo", Decimal(1_000_000)))
    chart = Chart(
        "coverage-by-region",
        "Insured turnover by region",
        ChartKind.HBAR,
        Kind.MONEY,
        (Series("Insured turnover", regions),),
    )
    view = dataclasses.replace(sample_view(), sections=(Section("regions", "Regions", charts=(chart,)),))
    report = render_report(view)
    assert b"STSong-Light" in report
    text = " ".join(_texts(report)[-1].split())
    assert "义乌市" in text
    assert "深圳市" in text
    assert "Ningbo" in text
