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
