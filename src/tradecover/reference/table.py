"""Reading the reference CSV files strictly: a malformed file fails at load, naming file and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

DataFile = Path | Traversable


class ReferenceDataError(Exception):
    """A reference data file is malformed; the message names the file and line."""


def data_file(name: str) -> Traversable:
    """A file shipped in `tradecover/reference/data/`."""
    return resources.files("tradecover.reference").joinpath("data", name)


@dataclass(frozen=True, slots=True)
class Row:
    """One data line of a reference file, with where it came from for error messages."""

    source: str
    line: int
    values: dict[str, str]

    def fail(self, problem: str) -> ReferenceDataError:
        """An error naming this row's file and line."""
        return ReferenceDataError(f"{self.source}:{self.line}: {problem}")

    def text(self, column: str) -> str:
        """The column's text (never empty: empty cells are refused at read)."""
        return self.values[column]

    def integer(self, column: str) -> int:
        """The column as a plain decimal integer."""
        raw = self.values[column]
        if not raw.lstrip("-").isdigit():
            raise self.fail(f"{column} {raw!r} is not an integer")
        return int(raw)

    def decimal(self, column: str) -> Decimal:
        """The column as an exact, finite Decimal."""
        raw = self.values[column]
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise self.fail(f"{column} {raw!r} is not a decimal number") from None
        if not value.is_finite():
            raise self.fail(f"{column} {raw!r} is not a finite number")
        return value

    def day(self, column: str) -> date:
        """The column as an ISO date (YYYY-MM-DD)."""
        raw = self.values[column]
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise self.fail(f"{column} {raw!r} is not an ISO date (YYYY-MM-DD)") from None


def read_rows(path: DataFile, columns: Sequence[str] | None = None) -> tuple[list[str], list[Row]]:
    """The header and rows of a CSV file; refuses a wrong header, ragged rows and empty or padded cells.

    With `columns` the header must be exactly those names in that order; without, any header of unique,
    non-empty names is taken (the FX table has one column per currency).
    """
    source = str(path)
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise ReferenceDataError(f"{source}:1: the file is empty; expected a header line") from None
        except csv.Error as error:
            raise ReferenceDataError(f"{source}:1: {error}") from None
        if columns is not None and header != list(columns):
            raise ReferenceDataError(f"{source}:1: header {header} should be {list(columns)}")
        if len(set(header)) != len(header) or any(not name or name != name.strip() for name in header):
            raise ReferenceDataError(f"{source}:1: header names must be unique and non-empty: {header}")
        rows: list[Row] = []
        try:
            for cells in reader:
                line = reader.line_num
                if len(cells) != len(header):
                    raise ReferenceDataError(
                        f"{source}:{line}: {len(cells)} cells where the header has {len(header)}"
                    )
                for name, cell in zip(header, cells, strict=True):
                    if not cell or cell != cell.strip():
                        raise ReferenceDataError(f"{source}:{line}: {name} is empty or padded: {cell!r}")
                rows.append(Row(source, line, dict(zip(header, cells, strict=True))))
        except csv.Error as error:
            raise ReferenceDataError(f"{source}:{reader.line_num}: {error}") from None
    if not rows:
        raise ReferenceDataError(f"{source}:2: no data rows after the header")
    return header, rows
