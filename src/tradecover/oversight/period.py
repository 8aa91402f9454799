"""The date range a metric covers, its calendar months and the same range a year earlier."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from tradecover.errors import ValidationError

MAX_RANGE_DAYS = 3660


def month_start(day: dt.date) -> dt.date:
    """The first day of the day's calendar month."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of the day's calendar month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after the day's."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def years_earlier(day: dt.date, years: int = 1) -> dt.date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _date(value: object, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError("must be a date (YYYY-MM-DD)", field=field)
    return value


@dataclass(frozen=True, slots=True)
class Period:
    """A range of days, both ends included."""

    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, start: object, end: object) -> Period:
        """A checked period: real dates, `end` not before `start`, at most ten years."""
        first, last = _date(start, "date_from"), _date(end, "date_to")
        if last < first:
            raise ValidationError(f"must not be before date_from {first.isoformat()}", field="date_to")
        if (last - first).days > MAX_RANGE_DAYS:
            raise ValidationError("ask for at most ten years at a time", field="date_to")
        return cls(first, last)

    def months(self) -> list[dt.date]:
        """The first day of every calendar month the period touches, in order."""
        months, month = [], month_start(self.start)
        while month <= self.end:
            months.append(month)
            month = next_month(month)
        return months

    def year_earlier(self) -> Period:
        """The same days one year before: the base of year-on-year growth."""
        return Period(years_earlier(self.start), years_earlier(self.end))

    @property
    def label(self) -> str:
        """The period as people write it: 2025-01-01 – 2025-12-31."""
        return f"{self.start.isoformat()} – {self.end.isoformat()}"
