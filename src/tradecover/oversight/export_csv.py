"""A view's table as CSV: one header line of the column labels, then one line per row.

Values are written exactly and without formatting, so a spreadsheet or script reads them back as they
were computed:
- money: a plain decimal in the view's reporting currency, major units (`1234567.89`, no grouping);
- percent: the fraction (`0.153` means 15.3%), the same number the JSON API gives;
- counts and days: plain numbers; dates `YYYY-MM-DD`; months `YYYY-MM`;
- an empty cell: no value (a gap, not a zero).
Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) is prefixed with `'`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from tradecover.oversight.view import Kind, OversightView, Table, Value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Value, kind: Kind) -> str:
    """One value as CSV text (see the module's conventions)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if kind is Kind.MONTH else value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return format(Decimal(value), "f")


def table_csv(table: Table) -> str:
    """The table as CSV text, header first, lines ended with CRLF as RFC 4180 says."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return out.getvalue()


def csv_file_name(view: OversightView, key: str) -> str:
    """`<audience>-<table key>-<from>-<to>.csv`."""
    return f"{view.audience}-{key}-{view.period.start.isoformat()}-{view.period.end.isoformat()}.csv"


def report_file_name(view: OversightView) -> str:
    """`<audience>-report-<from>-<to>.pdf`."""
    return f"{view.audience}-report-{view.period.start.isoformat()}-{view.period.end.isoformat()}.pdf"
