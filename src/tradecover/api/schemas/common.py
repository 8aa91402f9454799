"""Shapes shared by every area: the error body, money as decimal strings, safe text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from tradecover.money import Money

# PostgreSQL text cannot hold NUL; refusing it here makes it a 422 instead of a database error.
NO_NUL = r"^[^\x00]*$"


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD (or a date) is a date: pydantic would otherwise read '0' as a Unix timestamp."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date, YYYY-MM-DD")
    return value


# A date in a query string or body: YYYY-MM-DD only.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class ErrorDetail(BaseModel):
    """One thing wrong with a request: the field at fault (dotted, or null) and why."""

    field: str | None = Field(description="The field at fault, dotted (`body.email`), or null.")
    message: str = Field(description="What is wrong, in words a user can act on.")


class ErrorResponse(BaseModel):
    """The one error body of the API, for every 4xx and 5xx answer."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"errors": [{"field": "body.email", "message": "Field required"}]}]}
    )

    errors: list[ErrorDetail] = Field(min_length=1)


class MoneyAmount(BaseModel):
    """An exact amount of money: a decimal string (never a float) and an ISO 4217 currency code."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"amount": "8000000.00", "currency": "USD"}]})

    amount: Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$")] = Field(
        description='Decimal string, e.g. `"1250.50"`.'
    )
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(description="ISO 4217 code.")

    @classmethod
    def of(cls, money: Money) -> MoneyAmount:
        """The wire form of a Money."""
        return cls(amount=format(money.amount, "f"), currency=money.currency)

    def to_money(self) -> Money:
        """The Money this stands for (ValidationError when it does not fit the currency)."""
        return Money.of(self.amount, self.currency)
