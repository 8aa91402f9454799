"""Countries: ISO 3166-1 codes and names from pycountry, with region, country grade 0–7 and political PD.

Grades follow the style of the OECD country risk classification (0 = high-income OECD or euro area,
7 = highest risk); each grade maps to a 12-month political-risk PD in `data/country_grades.csv`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

import pycountry

from tradecover.errors import ValidationError
from tradecover.reference.table import DataFile, ReferenceDataError, data_file, read_rows

LOWEST_COUNTRY_GRADE = 0
HIGHEST_COUNTRY_GRADE = 7
REGIONS = (
    "north_america",
    "eu",
    "europe_other",
    "china",
    "asean",
    "other_asia",
    "middle_east",
    "africa",
    "latin_america",
    "oceania",
    "other",
)


@dataclass(frozen=True, slots=True)
class CountryGrade:
    """A country grade with its 12-month political-risk PD."""

    grade: int
    political_pd: Decimal
    label: str


@dataclass(frozen=True, slots=True)
class Country:
    """A country or territory with its risk grade, political PD and reporting region."""

    code: str
    name: str
    grade: int
    political_pd: Decimal
    region: str

    @property
    def is_eu(self) -> bool:
        """True for the 27 member states of the European Union."""
        return self.region == "eu"


def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 alpha-2 code; refuses unknown codes."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code", field="country")
    return str(country.name)


def read_country_grades(path: DataFile) -> dict[int, CountryGrade]:
    """Parse the grade table: grades 0–7 in order, political PDs in [0, 1] not falling with the grade."""
    _, rows = read_rows(path, ("grade", "political_pd", "label"))
    grades: dict[int, CountryGrade] = {}
    for row in rows:
        grade, pd = row.integer("grade"), row.decimal("political_pd")
        if grade != len(grades):
            raise row.fail(f"expected country grade {len(grades)} here (grades 0–7 in order), found {grade}")
        if not 0 <= pd <= 1:
            raise row.fail(f"political_pd {pd} is outside [0, 1]")
        if grades and pd <= grades[grade - 1].political_pd:
            raise row.fail(f"political_pd {pd} does not rise above grade {grade - 1}'s")
        grades[grade] = CountryGrade(grade, pd, row.text("label"))
    if len(grades) != HIGHEST_COUNTRY_GRADE + 1:
        raise ReferenceDataError(f"{path}: grades 0–{len(grades) - 1} listed; expected exactly 0–7")
    return grades


def read_countries(path: DataFile, grades: dict[int, CountryGrade]) -> dict[str, Country]:
    """Parse the country table: each pycountry alpha-2 code exactly once, a known region and grade."""
    _, rows = read_rows(path, ("code", "region", "grade"))
    countries: dict[str, Country] = {}
    for row in rows:
        code, region, grade = row.text("code"), row.text("region"), row.integer("grade")
        known = pycountry.countries.get(alpha_2=code) if len(code) == 2 and code.isupper() else None
        if known is None:
            raise row.fail(f"{code!r} is not an upper-case ISO 3166-1 alpha-2 code known to pycountry")
        if code in countries:
            raise row.fail(f"country {code} appears twice")
        if region not in REGIONS:
            raise row.fail(f"region {region!r} is not one of {', '.join(REGIONS)}")
        if grade not in grades:
            raise row.fail(f"country grade {grade} is outside 0–7")
        countries[code] = Country(code, str(known.name), grade, grades[grade].political_pd, region)
    missing = sorted({c.alpha_2 for c in pycountry.countries} - set(countries))
    if missing:
        raise ReferenceDataError(f"{path}: no row for the ISO 3166-1 codes {', '.join(missing)}")
    return countries


@functools.cache
def _country_grades() -> dict[int, CountryGrade]:
    return read_country_grades(data_file("country_grades.csv"))


@functools.cache
def _countries() -> dict[str, Country]:
    return read_countries(data_file("countries.csv"), _country_grades())


def get_country(code: str) -> Country:
    """A country by ISO 3166-1 alpha-2 code (any case); refuses unknown codes."""
    country = _countries().get(code.upper()) if isinstance(code, str) else None
    if country is None:
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code", field="country")
    return country


def all_countries() -> list[Country]:
    """Every country and territory of ISO 3166-1, by code."""
    return sorted(_countries().values(), key=lambda country: country.code)


def all_country_grades() -> list[CountryGrade]:
    """The country grades 0–7 with their political PDs, lowest risk first."""
    return list(_country_grades().values())


def country_grade_pd(grade: int) -> Decimal:
    """The 12-month political-risk PD of a country grade 0–7."""
    if isinstance(grade, bool) or not isinstance(grade, int) or grade not in _country_grades():
        raise ValidationError(f"country grade must be an integer from 0 to 7, not {grade!r}", field="grade")
    return _country_grades()[grade].political_pd
