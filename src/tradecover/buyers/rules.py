"""Pure rules for buyer records: the grade scale and the form of a registration number."""

from __future__ import annotations

import re

from tradecover.errors import ValidationError

BEST_GRADE = 1
WORST_GRADE = 9
DEFAULTED_GRADE = 10
MAX_NAME_LENGTH = 200
MAX_CITY_LENGTH = 100
MAX_REGISTRATION_NUMBER_LENGTH = 64

# Letters and digits, with the separators registries print (HRB 12345, 12-3456789, 0123.456.789, SC/123).
_REGISTRATION_NUMBER = re.compile(r"^[A-Z0-9](?:[A-Z0-9 ./-]*[A-Z0-9])?$")


def check_grade(grade: int) -> int:
    """A buyer grade: 1 (best) … 9 (worst), 10 for a defaulted buyer."""
    if isinstance(grade, bool) or not isinstance(grade, int):
        raise ValidationError("must be a whole number from 1 to 10", field="grade")
    if not BEST_GRADE <= grade <= DEFAULTED_GRADE:
        raise ValidationError(f"must be from {BEST_GRADE} to {DEFAULTED_GRADE}, not {grade}", field="grade")
    return grade


def normalise_registration_number(value: str) -> str:
    """The registration number as it is compared: trimmed, upper case, inner spaces collapsed to one."""
    normalised = " ".join(value.split()).upper()
    if not normalised:
        raise ValidationError("must not be empty", field="registration_number")
    if len(normalised) > MAX_REGISTRATION_NUMBER_LENGTH:
        raise ValidationError(
            f"must have at most {MAX_REGISTRATION_NUMBER_LENGTH} characters", field="registration_number"
        )
    if not _REGISTRATION_NUMBER.match(normalised):
        raise ValidationError(
            "use letters, digits, spaces and . / - only, starting and ending with a letter or digit",
            field="registration_number",
        )
    return normalised


def normalise_name(value: str, *, field: str = "name", max_length: int = MAX_NAME_LENGTH) -> str:
    """A trimmed, non-empty name of bounded length with inner whitespace collapsed."""
    normalised = " ".join(value.split())
    if not normalised:
        raise ValidationError("must not be empty", field=field)
    if len(normalised) > max_length:
        raise ValidationError(f"must have at most {max_length} characters", field=field)
    return normalised


LOWEST_COUNTRY_GRADE = 0
HIGHEST_COUNTRY_GRADE = 7
MAX_REASON_LENGTH = 500


def check_country_grade(grade: int) -> int:
    """A country grade: 0 (lowest risk) … 7 (highest), as in the OECD country risk classification."""
    if isinstance(grade, bool) or not isinstance(grade, int):
        raise ValidationError("must be a whole number from 0 to 7", field="grade")
    if not LOWEST_COUNTRY_GRADE <= grade <= HIGHEST_COUNTRY_GRADE:
        raise ValidationError(
            f"must be from {LOWEST_COUNTRY_GRADE} to {HIGHEST_COUNTRY_GRADE}, not {grade}", field="grade"
        )
    return grade


def normalise_reason(value: str) -> str:
    """Why a grade changed: required, trimmed, at most 500 characters."""
    return normalise_name(value, field="reason", max_length=MAX_REASON_LENGTH)


def check_grade_change(current: int, new: int) -> None:
    """A regrade must change something: the same grade again is refused."""
    if current == new:
        raise ValidationError(f"the grade is already {current}", field="grade")


def describe_grade_change(old: int, new: int) -> str:
    """'downgraded' when the grade number rises (more risk), 'upgraded' when it falls."""
    return "downgraded" if new > old else "upgraded"
