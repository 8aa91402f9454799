"""Buyer grades 1–10 with 12-month PDs, and the buyer-plus-political combined PD."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import ValidationError
from tradecover.reference.grades import all_buyer_grades, buyer_grade_pd, combined_pd, get_buyer_grade

probabilities = st.decimals(min_value=0, max_value=1, places=6, allow_nan=False, allow_infinity=False)


def test_buyer_grades_run_from_one_to_ten_with_strictly_rising_pds() -> None:
    grades = all_buyer_grades()
    assert [g.grade for g in grades] == list(range(1, 11))
    pds = [g.pd for g in grades]
    assert all(low < high for low, high in itertools.pairwise(pds))
    assert all(0 < pd <= 1 for pd in pds)
    assert all(g.label for g in grades)


def test_the_best_grade_has_a_small_pd_and_grade_ten_is_defaulted() -> None:
    assert buyer_grade_pd(1) == Decimal("0.0003")
    assert buyer_grade_pd(9) == Decimal("0.2000")
    assert buyer_grade_pd(10) == 1
    assert get_buyer_grade(10).is_defaulted
    assert not get_buyer_grade(9).is_defaulted


@pytest.mark.parametrize("grade", [0, 11, -3, True, "5", None])
def test_a_buyer_grade_outside_one_to_ten_is_a_validation_error_on_the_grade_field(grade: object) -> None:
    with pytest.raises(ValidationError) as refused:
        buyer_grade_pd(grade)  # type: ignore[arg-type]
    assert refused.value.field == "grade"


def test_combined_pd_is_one_minus_the_product_of_survivals_exactly() -> None:
    assert combined_pd(Decimal("0.02"), Decimal("0.0015")) == Decimal("0.02147")
    assert combined_pd(Decimal("0.2000"), Decimal("0.0600")) == Decimal("0.248")
    assert combined_pd(Decimal("0.0003"), Decimal(0)) == Decimal("0.0003")
    assert combined_pd(Decimal(1), Decimal("0.0600")) == 1


@given(probabilities, probabilities)
def test_combined_pd_matches_exact_fractions_and_lies_between_the_larger_and_the_sum(
    a: Decimal, b: Decimal
) -> None:
    combined = combined_pd(a, b)
    assert Fraction(combined) == 1 - (1 - Fraction(a)) * (1 - Fraction(b))
    assert max(a, b) <= combined <= min(a + b, Decimal(1))
    assert combined == combined_pd(b, a)


def test_combined_pd_refuses_floats_and_probabilities_outside_zero_to_one() -> None:
    with pytest.raises(TypeError):
        combined_pd(0.02, Decimal("0.001"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        combined_pd(Decimal("0.02"), Decimal("1.5"))
    assert refused.value.field == "political_pd"
    with pytest.raises(ValidationError) as refused:
        combined_pd(Decimal("-0.01"), Decimal("0"))
    assert refused.value.field == "buyer_pd"
