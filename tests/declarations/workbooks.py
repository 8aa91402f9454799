"""Small .xlsx files built with openpyxl for the import tests."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook

from tradecover.declarations.import_rows import COLUMNS


def workbook(rows: dict[int, Sequence[object]], *, header: Sequence[object] = COLUMNS) -> bytes:
    """A workbook whose first sheet has the header in row 1 and each given row at its number."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for column, name in enumerate(header, start=1):
        sheet.cell(row=1, column=column, value=name)
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def empty_workbook() -> bytes:
    """A workbook whose only sheet holds nothing."""
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def workbook_without_sheets() -> bytes:
    """A well-formed workbook package whose workbook part lists no sheet."""
    source = zipfile.ZipFile(io.BytesIO(workbook({})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                part = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", part, flags=re.S)
            target.writestr(item, part)
    return out.getvalue()


def zip_of_text() -> bytes:
    """A zip archive that is not a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("notes.txt", "hello")
    return out.getvalue()
