"""Countries: ISO 3166 codes from pycountry."""

from __future__ import annotations

import pycountry

from tradecover.errors import ValidationError


def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 alpha-2 code; refuses unknown codes."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code", field="country")
    return str(country.name)
