"""The rejection report of a declarations file: one reason per rejected row, as CSV `row,reason`."""

from __future__ import annotations

import csv
import io


class Rejections:
    """The rows of a file rejected so far, each with its first reason."""

    def __init__(self) -> None:
        self.rows: dict[int, str] = {}

    def add(self, number: int, reason: str) -> None:
        """Reject a row; its first reason is the one reported."""
        self.rows.setdefault(number, reason)

    def report(self) -> str:
        """The report as CSV: a `row,reason` header, then the rows in order."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("row", "reason"))
        for number in sorted(self.rows):
            writer.writerow((number, self.rows[number]))
        return out.getvalue()
