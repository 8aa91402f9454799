"""Sectors of the buyers' business, relevant to Chinese exporters and domestic trade."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tradecover.errors import ValidationError
from tradecover.reference.table import DataFile, data_file, read_rows

_CODE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Sector:
    """A business sector: a stable snake_case code and a display name."""

    code: str
    name: str


def read_sectors(path: DataFile) -> dict[str, Sector]:
    """Parse the sector table: unique snake_case codes with names."""
    _, rows = read_rows(path, ("code", "name"))
    sectors: dict[str, Sector] = {}
    for row in rows:
        code = row.text("code")
        if not _CODE.fullmatch(code):
            raise row.fail(f"sector code {code!r} is not snake_case")
        if code in sectors:
            raise row.fail(f"sector {code} appears twice")
        sectors[code] = Sector(code, row.text("name"))
    return sectors


@functools.cache
def _sectors() -> dict[str, Sector]:
    return read_sectors(data_file("sectors.csv"))


def all_sectors() -> list[Sector]:
    """Every sector, in the order of the data file."""
    return list(_sectors().values())


def get_sector(code: str) -> Sector:
    """A sector by code; refuses unknown codes."""
    sector = _sectors().get(code) if isinstance(code, str) else None
    if sector is None:
        raise ValidationError(f"{code!r} is not a known sector", field="sector")
    return sector
