"""Buyer grades 1 (best) … 9 (worst), 10 = defaulted, each with a 12-month probability of default."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from tradecover.errors import ValidationError
from tradecover.money import to_decimal
from tradecover.reference.table import DataFile, ReferenceDataError, data_file, read_rows

BEST_BUYER_GRADE = 1
DEFAULTED_BUYER_GRADE = 10


@dataclass(frozen=True, slots=True)
class BuyerGrade:
    """A buyer grade with its 12-month PD and a short label."""

    grade: int
    pd: Decimal
    label: str

    @property
    def is_defaulted(self) -> bool:
        """True for grade 10: the buyer has defaulted (PD 1)."""
        return self.grade == DEFAULTED_BUYER_GRADE


def read_buyer_grades(path: DataFile) -> dict[int, BuyerGrade]:
    """Parse a buyer grade table: grades 1–10 in order, PDs in [0, 1] rising strictly, grade 10 at 1."""
    _, rows = read_rows(path, ("grade", "pd", "label"))
    grades: dict[int, BuyerGrade] = {}
    for row in rows:
        grade, pd = row.integer("grade"), row.decimal("pd")
        if grade != len(grades) + 1:
            raise row.fail(f"expected buyer grade {len(grades) + 1} here (1–10 in order), found {grade}")
        if not 0 <= pd <= 1:
            raise row.fail(f"pd {pd} is outside [0, 1]")
        if grades and pd <= grades[grade - 1].pd:
            raise row.fail(f"pd {pd} does not rise above grade {grade - 1}'s {grades[grade - 1].pd}")
        grades[grade] = BuyerGrade(grade, pd, row.text("label"))
    if len(grades) != DEFAULTED_BUYER_GRADE:
        raise ReferenceDataError(f"{path}: grades 1–{len(grades)} listed; expected exactly 1–10")
    if grades[DEFAULTED_BUYER_GRADE].pd != 1:
        raise ReferenceDataError(f"{path}: grade 10 (defaulted) must have pd 1")
    return grades


@functools.cache
def _buyer_grades() -> dict[int, BuyerGrade]:
    return read_buyer_grades(data_file("buyer_grades.csv"))


def all_buyer_grades() -> list[BuyerGrade]:
    """Every buyer grade, best first."""
    return list(_buyer_grades().values())


def get_buyer_grade(grade: int) -> BuyerGrade:
    """One buyer grade; refuses anything but an int in 1–10."""
    if isinstance(grade, bool) or not isinstance(grade, int) or grade not in _buyer_grades():
        raise ValidationError(f"buyer grade must be an integer from 1 to 10, not {grade!r}", field="grade")
    return _buyer_grades()[grade]


def buyer_grade_pd(grade: int) -> Decimal:
    """The 12-month probability of default of a buyer grade (grade 10, defaulted, is 1)."""
    return get_buyer_grade(grade).pd


def combined_pd(buyer_pd: Decimal, political_pd: Decimal) -> Decimal:
    """The chance that the buyer defaults or a political event stops payment: 1 − (1 − a)(1 − b), exact."""
    a = to_decimal(buyer_pd, field="buyer_pd")
    b = to_decimal(political_pd, field="political_pd")
    for name, value in (("buyer_pd", a), ("political_pd", b)):
        if not 0 <= value <= 1:
            raise ValidationError(f"a probability must lie in [0, 1], not {value}", field=name)
    return 1 - (1 - a) * (1 - b)
