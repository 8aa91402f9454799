"""Reading a declarations file: its header checked, each data row parsed or rejected with its row number.

The row numbers are the file's (the header is row 1). Rows that parse are checked against the book in
`declarations.import_checks`; `declarations.imports` is the use case.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from tradecover.declarations.import_report import Rejections
from tradecover.declarations.payments import check_reference
from tradecover.declarations.rules import MAX_INVOICE_NUMBER_LENGTH
from tradecover.errors import ValidationError
from tradecover.money import minor_unit_exponent
from tradecover.policies.model import Policy

COLUMNS = (
    "record",
    "buyer_country",
    "buyer_registration_number",
    "invoice_number",
    "amount",
    "currency",
    "shipment_date",
    "due_date",
    "received_on",
    "reference",
)
REQUIRED_COLUMNS = ("record", "buyer_country", "buyer_registration_number", "amount", "currency")
MAX_ROWS = 2_000_000
PROGRESS_EVERY = 50_000

# stage ("checking", "judging" or "saving"), rows done, rows in all
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """Progress is not shown."""


@dataclass(slots=True)
class ImportRow:
    """One parsed row: a shipment or a payment, its buyer resolved later."""

    number: int
    is_payment: bool
    buyer_key: tuple[str, str]
    amount_minor: int
    day: dt.date
    invoice_number: str = ""
    due_date: dt.date | None = None
    reference: str | None = None
    buyer_id: uuid.UUID | None = None


def decode_text(content: bytes, file_name: str) -> str:
    """The text of a CSV file; an empty or non-UTF-8 file, or an old or macro workbook, is refused."""
    if file_name.lower().endswith((".xlsm", ".xls")):
        raise ValidationError(
            f"{file_name}: only .xlsx workbooks are read; save the sheet as .xlsx or as CSV (UTF-8)",
            field="file",
        )
    if content.startswith(b"PK\x03\x04"):
        raise ValidationError(
            f"{file_name} is a zip file, not CSV text; an Excel workbook must be named .xlsx, "
            "or save the sheet as CSV (UTF-8)",
            field="file",
        )
    if not content.strip():
        raise ValidationError("the file is empty", field="file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"the file is not UTF-8 text (byte {error.start}); save it as CSV (UTF-8)", field="file"
        ) from None


def _header(row: Sequence[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in row]
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise ValidationError(
            f"unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}", field="file"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ValidationError(f"the header lacks the column {missing[0]!r}", field="file")
    if len(set(names) - {""}) != len([n for n in names if n]):
        raise ValidationError("a column appears twice in the header", field="file")
    return {name: index for index, name in enumerate(names) if name}


def _minor(text: str, exponent: int) -> int:
    plain = text.replace(",", "").strip()
    whole, dot, fraction = plain.partition(".")
    # The common form (ASCII digits, at most the currency's decimals) without a Decimal.
    if (
        whole.isascii()
        and whole.isdigit()
        and len(fraction) <= exponent
        and (not dot or (fraction.isascii() and fraction.isdigit()))
    ):
        minor: int = int(whole) * 10**exponent + (int(fraction.ljust(exponent, "0")) if fraction else 0)
    else:
        minor = _decimal_minor(text, plain, exponent)
    if minor <= 0:
        raise ValueError("amount must be more than zero")
    return minor


def _decimal_minor(text: str, plain: str, exponent: int) -> int:
    try:
        value = Decimal(plain)
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"amount {text!r} is not a number")
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"amount {text} has more than {exponent} decimal places")
    return int(scaled)


def _date(text: str, name: str) -> dt.date:
    try:
        return _day(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


@functools.lru_cache(maxsize=4096)
def _day(text: str) -> dt.date:
    # A file has a few hundred distinct dates over many rows.
    return dt.date.fromisoformat(text.strip())


def parse_csv(
    text: str, policy: Policy, rejections: Rejections, progress: Progress
) -> tuple[list[ImportRow], int]:
    """The rows of a CSV that parse, and how many data rows the file has (blank lines aside)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ValidationError(f"the file has no readable header row ({error})", field="file") from None
    return parse_records(header, _csv_records(reader), policy, rejections, progress)


def _csv_records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    number = 1
    try:
        for values in reader:
            number += 1
            yield number, values
    except csv.Error as error:
        raise ValidationError(f"row {number + 1}: the CSV is malformed ({error})", field="file") from None


def parse_records(
    header: Sequence[str],
    records: Iterable[tuple[int, list[str]]],
    policy: Policy,
    rejections: Rejections,
    progress: Progress,
) -> tuple[list[ImportRow], int]:
    """The data rows (row number, cell texts) that parse, and how many there are (blank rows aside)."""
    columns = _header(header)
    width = len(header)
    exponent = minor_unit_exponent(policy.currency)
    # A missing optional column reads as the blank cell appended past the row's end.
    at = _Columns(*(columns.get(name, width) for name in COLUMNS))
    rows: list[ImportRow] = []
    counted = 0
    for number, values in records:
        if number - 1 > MAX_ROWS:
            raise ValidationError(f"the file has more than {MAX_ROWS:,} rows; split it", field="file")
        if not "".join(values).strip():
            continue
        counted += 1
        if len(values) != width:
            rejections.add(number, f"{len(values)} fields where the header has {width}")
            continue
        try:
            rows.append(_row(number, [*values, ""], at, policy.currency, exponent))
        except ValueError as error:
            rejections.add(number, str(error))
        if number % PROGRESS_EVERY == 0:
            progress("checking", number, 0)
    if not rows and not rejections.rows:
        raise ValidationError("the file has a header but no rows", field="file")
    return rows, counted


class _Columns(NamedTuple):
    """Where each column is in a row."""

    record: int
    buyer_country: int
    buyer_registration_number: int
    invoice_number: int
    amount: int
    currency: int
    shipment_date: int
    due_date: int
    received_on: int
    reference: int


def _row(number: int, values: list[str], at: _Columns, currency: str, exponent: int) -> ImportRow:
    kind = values[at.record].strip().lower()
    if kind not in ("shipment", "payment"):
        raise ValueError(f"record {values[at.record].strip()!r} is not 'shipment' or 'payment'")
    code = values[at.currency].strip().upper()
    if code != currency:
        raise ValueError(f"currency {code or '(blank)'} is not the policy currency {currency}")
    key = (values[at.buyer_country].strip().upper(), values[at.buyer_registration_number].strip())
    if not key[0] or not key[1]:
        raise ValueError("the buyer's country and registration number are both needed")
    amount = _minor(values[at.amount], exponent)
    if kind == "payment":
        try:
            reference = check_reference(values[at.reference].strip())
        except ValidationError as error:
            raise ValueError(f"reference {error.message}") from None
        received = _date(values[at.received_on], "received_on")
        return ImportRow(number, True, key, amount, received, reference=reference)
    invoice = values[at.invoice_number].strip()
    if not invoice or len(invoice) > MAX_INVOICE_NUMBER_LENGTH or "\x00" in invoice:
        raise ValueError(f"invoice_number must be 1 to {MAX_INVOICE_NUMBER_LENGTH} printable characters")
    return ImportRow(
        number,
        False,
        key,
        amount,
        _date(values[at.shipment_date], "shipment_date"),
        invoice_number=invoice,
        due_date=_date(values[at.due_date], "due_date"),
    )
