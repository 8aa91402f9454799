"""The pure buyer rules: the grade scale and the form of registration numbers."""

from __future__ import annotations

import pytest

from tradecover.buyers.rules import check_grade, normalise_name, normalise_registration_number
from tradecover.errors import ValidationError


@pytest.mark.parametrize("grade", [1, 5, 9, 10])
def test_grades_from_one_to_ten_are_accepted(grade: int) -> None:
    assert check_grade(grade) == grade


@pytest.mark.parametrize("grade", [0, 11, -1, True, "5", 5.0])
def test_a_grade_outside_one_to_ten_or_not_an_integer_is_refused(grade: object) -> None:
    with pytest.raises(ValidationError) as refused:
        check_grade(grade)  # type: ignore[arg-type]
    assert refused.value.field == "grade"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("  hrb   123456 ", "HRB 123456"),
        ("12-3456789", "12-3456789"),
        ("91330782ma2abc0x1y", "91330782MA2ABC0X1Y"),
        ("0123.456.789", "0123.456.789"),
        ("2019/123456/07", "2019/123456/07"),
    ],
)
def test_registration_numbers_are_compared_in_one_normal_form(given: str, stored: str) -> None:
    assert normalise_registration_number(given) == stored


@pytest.mark.parametrize("given", ["", "   ", "-123", "123-", "AB#12", "12_34", "X" * 65, "北京123"])
def test_a_malformed_registration_number_is_refused(given: str) -> None:
    with pytest.raises(ValidationError) as refused:
        normalise_registration_number(given)
    assert refused.value.field == "registration_number"


def test_names_are_trimmed_and_must_not_be_empty_or_too_long() -> None:
    assert normalise_name("  Bluewater   Retail  Inc. ") == "Bluewater Retail Inc."
    with pytest.raises(ValidationError):
        normalise_name("   ")
    with pytest.raises(ValidationError):
        normalise_name("x" * 201)
