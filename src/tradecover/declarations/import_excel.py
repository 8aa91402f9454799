"""Reading a declarations workbook (.xlsx): the first worksheet, with the columns and rows of the CSV format.

The workbook is read in openpyxl's read-only mode, values only (a formula gives its last computed value).
Each cell becomes the text the CSV would hold: a date cell its ISO date, a whole number its digits, a
decimal number its shortest repr (so 1234.5 is read as exactly 1234.50, and 12.345 in a USD file is
refused for its third decimal like any other amount). Rows keep the sheet's numbers, the header being row 1.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from tradecover.declarations.import_report import Rejections
from tradecover.declarations.import_rows import ImportRow, Progress, parse_records
from tradecover.errors import ValidationError
from tradecover.policies.model import Policy

EXCEL_SUFFIX = ".xlsx"
# What a damaged or foreign file raises inside openpyxl and the zip and XML readers beneath it
# (an XML parse error is a SyntaxError).
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    EOFError,
    SyntaxError,
)
_ADVICE = "save the sheet as CSV (UTF-8) or again as an Excel workbook (.xlsx)"


def is_workbook(file_name: str) -> bool:
    """Whether a file is to be read as an Excel workbook: its name ends in .xlsx."""
    return file_name.lower().endswith(EXCEL_SUFFIX)


def parse_workbook(
    content: bytes, file_name: str, policy: Policy, rejections: Rejections, progress: Progress
) -> tuple[list[ImportRow], int]:
    """The rows of the workbook's first sheet that parse, and how many data rows it has (blank rows aside)."""
    if not content:
        raise ValidationError(f"{file_name} is empty", field="file")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _UNREADABLE as error:
        raise ValidationError(
            f"{file_name} is not a readable Excel workbook ({_reason(error)}); {_ADVICE}", field="file"
        ) from None
    try:
        sheets = book.worksheets
        if not sheets:
            raise ValidationError(f"{file_name} has no worksheet; {_ADVICE}", field="file")
        sheet = sheets[0]
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise ValidationError(f"{file_name}: the first sheet is not a worksheet", field="file")
        # The stated dimensions may be missing or wrong; read every row the sheet holds.
        sheet.reset_dimensions()
        records = _records(sheet, file_name)
        try:
            _, cells = next(records)
        except StopIteration:
            raise ValidationError(f"{file_name}: the first sheet is empty", field="file") from None
        header = _trimmed(cells)
        try:
            return parse_records(header, _fitted(records, len(header)), policy, rejections, progress)
        except ValidationError as error:
            if error.message.startswith(file_name):
                raise
            raise ValidationError(f"{file_name}: {error.message}", field="file") from None
    finally:
        book.close()


def _records(sheet: ReadOnlyWorksheet, file_name: str) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        for values in sheet.iter_rows(values_only=True):
            number += 1
            yield number, [_text(value) for value in values]
    except _UNREADABLE as error:
        raise ValidationError(
            f"{file_name}: row {number + 1} cannot be read ({_reason(error)}); {_ADVICE}", field="file"
        ) from None


def _fitted(records: Iterator[tuple[int, list[str]]], width: int) -> Iterator[tuple[int, list[str]]]:
    """Rows padded or cut to the header's width; cells beyond it are kept only when they hold something."""
    for number, values in records:
        if len(values) > width and not any(v.strip() for v in values[width:]):
            values = values[:width]
        elif len(values) < width:
            values = values + [""] * (width - len(values))
        yield number, values


def _trimmed(header: list[str]) -> list[str]:
    end = len(header)
    while end and not header[end - 1].strip():
        end -= 1
    return header[:end]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # The shortest repr is the number as typed: Decimal(repr(1234.5)) is exactly 1234.5.
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _reason(error: BaseException) -> str:
    text = str(error).strip().strip("'\"")
    return text or type(error).__name__
