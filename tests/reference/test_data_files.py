"""Malformed reference files fail at load, naming the file and the line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tradecover.reference.countries import read_countries, read_country_grades
from tradecover.reference.currencies import read_currencies
from tradecover.reference.fx import read_fx_rates
from tradecover.reference.grades import read_buyer_grades
from tradecover.reference.sectors import read_sectors
from tradecover.reference.table import ReferenceDataError, data_file

BUYER_GRADES = data_file("buyer_grades.csv").read_text(encoding="utf-8")
COUNTRY_GRADES = data_file("country_grades.csv").read_text(encoding="utf-8")
COUNTRIES = data_file("countries.csv").read_text(encoding="utf-8")
FX_RATES = data_file("fx_rates.csv").read_text(encoding="utf-8")
CURRENCY_CODES = data_file("currencies.csv").read_text(encoding="utf-8").split()[1:]


def _countries(path: Path) -> object:
    return read_countries(path, read_country_grades(data_file("country_grades.csv")))


def _fx(path: Path) -> object:
    return read_fx_rates(path, CURRENCY_CODES)


def _replace_line(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


CASES: list[tuple[str, Callable[[Path], object], str, int, str]] = [
    (
        "wrong header",
        read_buyer_grades,
        _replace_line(BUYER_GRADES, 1, "grade,probability,label"),
        1,
        "header",
    ),
    ("ragged row", read_buyer_grades, _replace_line(BUYER_GRADES, 4, "3,0.0020"), 4, "cells"),
    ("not a number", read_buyer_grades, _replace_line(BUYER_GRADES, 3, "2,0.0O08,very strong"), 3, "decimal"),
    ("empty cell", read_buyer_grades, _replace_line(BUYER_GRADES, 2, "1,,excellent"), 2, "empty"),
    ("padded cell", read_buyer_grades, _replace_line(BUYER_GRADES, 2, "1, 0.0003,excellent"), 2, "padded"),
    ("grade skipped", read_buyer_grades, _replace_line(BUYER_GRADES, 5, "5,0.0050,good"), 5, "expected"),
    ("pd falls", read_buyer_grades, _replace_line(BUYER_GRADES, 6, "5,0.0001,satisfactory"), 6, "rise"),
    ("pd above one", read_country_grades, _replace_line(COUNTRY_GRADES, 9, "7,1.5,x"), 9, "outside"),
    ("blank line", read_sectors, "code,name\nmetals,Metals\n\nenergy,Energy\n", 3, "cells"),
    ("duplicate sector", read_sectors, "code,name\nmetals,Metals\nmetals,Steel\n", 3, "twice"),
    ("sector not snake_case", read_sectors, "code,name\nMetals,Metals\n", 2, "snake_case"),
    ("unknown currency", read_currencies, "code\nCNY\nXYZ\n", 3, "XYZ"),
    ("unknown country", _countries, _replace_line(COUNTRIES, 2, "XX,eu,0"), 2, "XX"),
    ("unknown region", _countries, _replace_line(COUNTRIES, 2, "AD,europe,0"), 2, "region"),
    ("country grade 8", _countries, _replace_line(COUNTRIES, 2, "AD,europe_other,8"), 2, "grade"),
    ("fx dates not rising", _fx, _replace_line(FX_RATES, 3, FX_RATES.splitlines()[1]), 3, "rise"),
    ("fx bad date", _fx, _replace_line(FX_RATES, 2, "2024-13-01" + FX_RATES.splitlines()[1][10:]), 2, "date"),
    (
        "fx zero rate",
        _fx,
        _replace_line(FX_RATES, 2, FX_RATES.splitlines()[1].replace("7.1000", "0")),
        2,
        "CNY",
    ),
]


@pytest.mark.parametrize(("label", "reader", "text", "line", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_is_refused_naming_file_and_line(
    tmp_path: Path, label: str, reader: Callable[[Path], object], text: str, line: int, words: str
) -> None:
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=rf"^{re.escape(str(path))}:{line}: .*{words}"):
        reader(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r":1: the file is empty"):
        read_sectors(path)


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("code,name\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="no data rows"):
        read_sectors(path)


def test_a_country_table_missing_a_country_names_the_missing_code(tmp_path: Path) -> None:
    path = tmp_path / "countries.csv"
    path.write_text("\n".join(line for line in COUNTRIES.splitlines() if not line.startswith("CN,")) + "\n")
    with pytest.raises(ReferenceDataError, match="CN"):
        _countries(path)


def test_a_buyer_grade_table_whose_grade_ten_is_not_certain_default_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text(_replace_line(BUYER_GRADES, 11, "10,0.9,defaulted"), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="pd 1"):
        read_buyer_grades(path)


def test_an_fx_table_missing_a_currency_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fx.csv"
    path.write_text("date,CNY\n2024-01-01,7.1\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r":1: header"):
        _fx(path)


def test_the_shipped_files_load_cleanly() -> None:
    assert len(read_buyer_grades(data_file("buyer_grades.csv"))) == 10
    assert len(_countries(data_file("countries.csv"))) > 240  # type: ignore[arg-type]
    assert read_sectors(data_file("sectors.csv"))
    assert read_currencies(data_file("currencies.csv"))
