"""Printing tables for people: at their natural width, so that ids, e-mails and passwords stay whole."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

_WIDEST = 1000


def print_table(table: Table, console: Console | None = None) -> None:
    """Print the table unsqueezed; on a narrow terminal its lines wrap rather than its cells."""
    console = console or Console()
    natural = Measurement.get(console, console.options.update_width(_WIDEST), table).maximum
    (console if natural <= console.width else Console(width=natural)).print(table)
