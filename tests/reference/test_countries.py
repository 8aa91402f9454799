"""Countries: every ISO 3166-1 code has a grade, a political PD and a region; names come from pycountry."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pycountry
import pytest

from tradecover.errors import ValidationError
from tradecover.reference.countries import (
    HIGHEST_COUNTRY_GRADE,
    LOWEST_COUNTRY_GRADE,
    REGIONS,
    all_countries,
    all_country_grades,
    country_grade_pd,
    country_name,
    get_country,
)
from tradecover.reference.table import data_file, read_rows

EU_MEMBERS = set(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
ASEAN_MEMBERS = set(["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"])


def test_every_pycountry_country_has_exactly_one_row() -> None:
    codes = [country.code for country in all_countries()]
    assert codes == sorted(c.alpha_2 for c in pycountry.countries)
    assert len(codes) == len(set(codes))


def test_names_come_from_pycountry_and_are_not_kept_in_the_data_file() -> None:
    header, _ = read_rows(data_file("countries.csv"))
    assert "name" not in header
    for country in all_countries():
        known = pycountry.countries.get(alpha_2=country.code)
        assert known is not None
        assert country.name == known.name
        assert country.name == country_name(country.code)


def test_every_country_has_a_grade_in_range_a_known_region_and_its_grades_political_pd() -> None:
    for country in all_countries():
        assert LOWEST_COUNTRY_GRADE <= country.grade <= HIGHEST_COUNTRY_GRADE
        assert country.region in REGIONS
        assert country.political_pd == country_grade_pd(country.grade)


def test_political_pd_rises_strictly_with_the_country_grade_from_zero() -> None:
    grades = all_country_grades()
    assert [g.grade for g in grades] == list(range(8))
    assert grades[0].political_pd == Decimal("0.0000")
    pds = [g.political_pd for g in grades]
    assert all(low < high for low, high in itertools.pairwise(pds))
    assert all(0 <= pd < 1 for pd in pds)


def test_the_eu_region_is_exactly_the_27_member_states() -> None:
    assert {c.code for c in all_countries() if c.is_eu} == EU_MEMBERS
    assert not get_country("GB").is_eu
    assert not get_country("CH").is_eu


def test_asean_members_are_in_the_asean_region() -> None:
    assert {c.code for c in all_countries() if c.region == "asean"} == ASEAN_MEMBERS


@pytest.mark.parametrize(
    ("code", "grade", "region"),
    [
        ("US", 0, "north_america"),
        ("DE", 0, "eu"),
        ("JP", 0, "other_asia"),
        ("GB", 0, "europe_other"),
        ("FR", 0, "eu"),
        ("CN", 2, "china"),
        ("MY", 2, "asean"),
        ("VN", 4, "asean"),
        ("RU", 7, "europe_other"),
        ("VE", 7, "latin_america"),
        ("AE", 2, "middle_east"),
        ("AU", 0, "oceania"),
        ("ZA", 5, "africa"),
    ],
)
def test_well_known_countries_have_their_expected_grade_and_region(
    code: str, grade: int, region: str
) -> None:
    country = get_country(code)
    assert (country.grade, country.region) == (grade, region)


def test_high_income_oecd_countries_are_grade_zero_with_no_political_pd() -> None:
    for code in ("US", "CA", "DE", "FR", "GB", "JP", "KR", "AU", "NL", "CH"):
        assert get_country(code).grade == 0
        assert get_country(code).political_pd == 0


def test_asean_grades_are_between_two_and_seven_and_china_is_lower_risk_than_most() -> None:
    asean = [get_country(code) for code in ASEAN_MEMBERS - {"SG"}]
    assert all(2 <= c.grade <= 7 for c in asean)
    assert get_country("SG").grade == 0
    assert get_country("CN").grade <= min(c.grade for c in asean)


def test_a_country_code_is_found_in_any_case() -> None:
    assert get_country("cn") == get_country("CN")


@pytest.mark.parametrize("code", ["XX", "", "USA", "U", "us ", "EU"])
def test_an_unknown_country_code_is_a_validation_error_on_the_country_field(code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        get_country(code)
    assert refused.value.field == "country"


@pytest.mark.parametrize("grade", [-1, 8, True, "1"])
def test_a_country_grade_outside_zero_to_seven_is_refused(grade: object) -> None:
    with pytest.raises(ValidationError) as refused:
        country_grade_pd(grade)  # type: ignore[arg-type]
    assert refused.value.field == "grade"


def test_country_grade_pds_are_the_exact_decimals_of_the_table() -> None:
    assert country_grade_pd(1) == Decimal("0.0005")
    assert country_grade_pd(7) == Decimal("0.0600")
    assert isinstance(country_grade_pd(3), Decimal)
