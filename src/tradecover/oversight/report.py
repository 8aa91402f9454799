"""The printable PDF report of an oversight view: A4, a title block, then each section's figures,
charts and tables."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer  # type: ignore[import-untyped]
from reportlab.platypus.tables import Table as PdfTable  # type: ignore[import-untyped]
from reportlab.platypus.tables import TableStyle

from tradecover.oversight.report_charts import CJK, CJK_FONT, FONT, chart_drawing, drawable
from tradecover.oversight.report_format import change, format_figure, format_value
from tradecover.oversight.view import Chart, Column, Figure, Kind, OversightView, Section, Table

MARGIN = 15 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
CELL_SIZE = 7.5
BOLD = "Helvetica-Bold"
TEXT_LEAST = 90.0  # the narrowest a text column is squeezed to before everything shrinks
CELL_PADDING = 14  # reportlab's 6 points either side, and a little air
NUMERIC = frozenset({Kind.MONEY, Kind.COUNT, Kind.PERCENT, Kind.DAYS})
SHORT_TABLE_ROWS = 25
LONG_TABLE_START = 160  # points left on a page for a long table's title and first rows
HEADER_FILL = colors.HexColor("#e8eef6")
STRIPE = colors.HexColor("#f6f6f6")


def _markup(text: str) -> str:
    """Text for a Paragraph: XML escaped, runs of Chinese characters set in the CJK font."""
    return CJK.sub(lambda run: f'<font name="{CJK_FONT}">{run.group()}</font>', escape(text))


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """A report's PDF bytes and how many pages it took."""

    pdf: bytes
    pages: int


def render_report(view: OversightView) -> bytes:
    """The view as a PDF document (A4)."""
    return build_report(view).pdf


def build_report(view: OversightView) -> RenderedReport:
    """The view as a PDF document, with its page count."""
    buffer = io.BytesIO()
    footer = f"tradecover · {view.title} · page "
    pages = [0]

    def on_page(canvas: Any, document: Any) -> None:
        pages[0] = max(pages[0], document.page)
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawCentredString(A4[0] / 2, 8 * mm, f"{footer}{document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=view.title,
        author="tradecover",
        subject=f"{view.viewer}, {view.period.label}",
    )
    document.build(_story(view), onFirstPage=on_page, onLaterPages=on_page)
    return RenderedReport(buffer.getvalue(), pages[0])


class _Styles:
    """The paragraph styles the report uses."""

    def __init__(self) -> None:
        sheet = getSampleStyleSheet()
        self.title = sheet["Title"]
        self.heading = sheet["Heading1"]
        self.subheading = ParagraphStyle("subheading", parent=sheet["Heading3"], spaceBefore=8, spaceAfter=4)
        self.body = sheet["BodyText"]
        self.note = ParagraphStyle(
            "note", parent=sheet["BodyText"], fontSize=8, leading=10, textColor="#444444"
        )
        self.figure = ParagraphStyle("figure", parent=sheet["BodyText"], fontSize=9, leading=11)
        self.cell = ParagraphStyle("cell", parent=sheet["BodyText"], fontSize=CELL_SIZE, leading=9)
        self.head = ParagraphStyle("head", parent=self.cell, fontName=BOLD)
        self.head_right = ParagraphStyle("head_right", parent=self.head, alignment=TA_RIGHT)


def _story(view: OversightView) -> list[Any]:
    styles = _Styles()
    story: list[Any] = [Paragraph(_markup(view.title), styles.title)]
    for label, text in (
        ("Organisation", view.viewer),
        ("Period", view.period.label),
        ("Currency", view.currency),
        ("Generated", view.generated_on.isoformat()),
    ):
        story.append(Paragraph(f"<b>{label}:</b> {_markup(text)}", styles.body))
    contents = " · ".join(f"{number}. {_markup(s.title)}" for number, s in enumerate(view.sections, start=1))
    story += [
        Spacer(1, 6),
        Paragraph(f"<b>Contents:</b> {contents or 'no sections'}", styles.body),
        Spacer(1, 10),
    ]
    for number, section in enumerate(view.sections, start=1):
        story += _section(section, number, view.currency, styles)
    return story


def _section(section: Section, number: int, currency: str, styles: _Styles) -> list[Any]:
    """The heading starts on the page of the section's first block, so it never stands alone."""
    heading: list[Any] = [Paragraph(f"{number}. {_markup(section.title)}", styles.heading)]
    if section.note:
        heading.append(Paragraph(_markup(section.note), styles.note))
    blocks: list[_Block] = []
    if section.figures:
        blocks.append(_Block([_figures(section.figures, currency, styles), Spacer(1, 6)]))
    blocks += [_chart(chart, currency, styles) for chart in section.charts]
    blocks += [_table(table, currency, styles) for table in section.tables]
    first, rest = (blocks[0], blocks[1:]) if blocks else (_Block([]), [])
    flow = _Block(heading + first.flowables, first.long).flow()
    for block in rest:
        flow += block.flow()
    return flow


@dataclass(frozen=True, slots=True)
class _Block:
    """Flowables that begin together: kept on one page, or, when `long`, begun where a few rows fit."""

    flowables: list[Any]
    long: bool = False

    def flow(self) -> list[Any]:
        if self.long:
            return [CondPageBreak(LONG_TABLE_START), *self.flowables]
        return [KeepTogether(self.flowables)]


def _figures(figures: tuple[Figure, ...], currency: str, styles: _Styles) -> PdfTable:
    rows = [
        [
            Paragraph(_markup(figure.label), styles.figure),
            format_figure(figure.value, figure.kind, currency),
            change(figure.change, figure.change_label) if figure.change is not None else "",
        ]
        for figure in figures
    ]
    table = PdfTable(rows, colWidths=[FRAME_WIDTH * 0.45, FRAME_WIDTH * 0.28, FRAME_WIDTH * 0.27])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (1, 0), (1, -1), BOLD, 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
            ]
        )
    )
    return table


def _unit_label(chart: Chart, currency: str) -> str:
    units = {Kind.MONEY: currency, Kind.PERCENT: "%", Kind.DAYS: "days", Kind.COUNT: "count"}
    label = units.get(chart.unit, "")
    if drawable(chart).overlay and chart.overlay_unit in units:
        label += f"; right axis {units[chart.overlay_unit]}"
    return f" ({label})" if label else ""


def _chart(chart: Chart, currency: str, styles: _Styles) -> _Block:
    title = Paragraph(f"<b>{_markup(chart.title)}</b>{_markup(_unit_label(chart, currency))}", styles.body)
    return _Block([title, chart_drawing(chart, FRAME_WIDTH), Spacer(1, 8)])


def _header(column: Column, currency: str, styles: _Styles) -> Paragraph:
    label = f"{column.label} ({currency})" if column.kind is Kind.MONEY else column.label
    return Paragraph(_markup(label), styles.head_right if column.kind in NUMERIC else styles.head)


def column_widths(table: Table, cells: list[list[str]], currency: str) -> list[float]:
    """Widths that fit the frame: headers on one line if there is room, else wrapped at their words."""
    desired: list[float] = []
    least: list[float] = []
    for index, column in enumerate(table.columns):
        header = _header_text(column, currency)
        widest = max((stringWidth(row[index], FONT, CELL_SIZE) for row in cells), default=0.0)
        word = max(stringWidth(part, BOLD, CELL_SIZE) for part in header.split() or [""])
        desired.append(min(max(widest, stringWidth(header, BOLD, CELL_SIZE)), 260.0) + CELL_PADDING)
        # Numbers never wrap; text cells wrap at words, so a long name may be narrower than itself.
        cell = widest if column.kind in NUMERIC else min(widest, TEXT_LEAST)
        least.append(max(cell, word) + CELL_PADDING)
    if sum(desired) <= FRAME_WIDTH:
        return [width + (FRAME_WIDTH - sum(desired)) / len(desired) for width in desired]
    if sum(least) <= FRAME_WIDTH:
        share = (FRAME_WIDTH - sum(least)) / (sum(desired) - sum(least))
        return [low + (high - low) * share for low, high in zip(least, desired, strict=True)]
    return [width * FRAME_WIDTH / sum(least) for width in least]


def _header_text(column: Column, currency: str) -> str:
    return f"{column.label} ({currency})" if column.kind is Kind.MONEY else column.label


def _table(table: Table, currency: str, styles: _Styles) -> _Block:
    cells = [
        [format_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    opening: list[Any] = [Paragraph(_markup(table.title), styles.subheading)]
    if table.note:
        opening.append(Paragraph(_markup(table.note), styles.note))
    header = [_header(column, currency, styles) for column in table.columns]
    if not cells:
        body: list[list[Any]] = [["no rows in this period", *[""] * (len(table.columns) - 1)]]
    else:
        body = [
            [
                text if column.kind in NUMERIC else Paragraph(_markup(text), styles.cell)
                for text, column in zip(row, table.columns, strict=True)
            ]
            for row in cells
        ]
    grid = PdfTable([header, *body], colWidths=column_widths(table, cells, currency), repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor("#8899aa")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    commands += [
        ("ALIGN", (i, 1), (i, -1), "RIGHT") for i, c in enumerate(table.columns) if c.kind in NUMERIC
    ]
    if not cells:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    grid.setStyle(TableStyle(commands))
    # A long table splits across pages with its header repeated; a short one moves whole to the next page.
    return _Block([*opening, grid, Spacer(1, 6)], long=len(cells) > SHORT_TABLE_ROWS)
