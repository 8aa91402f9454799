"""Working-day calendars: which days count when a deadline is "5 working days after shipment".

The Chinese calendar is data (`data/calendar_cn.csv`, from the State Council's yearly announcements):
public holidays, and the make-up working days (调休) on which a Saturday or Sunday is worked to bridge a
holiday. It covers whole years only; a date outside them is refused rather than guessed, because a
guessed deadline is a wrong deadline. Other currencies use a plain Monday-to-Friday calendar.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from tradecover.errors import ValidationError
from tradecover.reference.currencies import get_currency
from tradecover.reference.table import DataFile, ReferenceDataError, data_file, read_rows

_SATURDAY = 5
# Far more than any holiday run; stops a walk over a malformed calendar from running forever.
_MAX_CONSECUTIVE_DAYS_OFF = 31


class DateOutsideCalendar(ValidationError):
    """A date the calendar has no data for: its holidays are not known, so no working day is guessed."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """Working days: Monday to Friday, less holidays, plus make-up working days on weekends."""

    code: str
    name: str
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    # None: every year (a plain weekday calendar knows no holidays to miss).
    first_year: int | None = None
    last_year: int | None = None

    def covers(self, day: dt.date) -> bool:
        """True when the calendar has data for the day's year."""
        if self.first_year is None or self.last_year is None:
            return True
        return self.first_year <= day.year <= self.last_year

    def _check_covered(self, day: dt.date) -> None:
        if not self.covers(day):
            raise DateOutsideCalendar(
                f"the {self.name} calendar covers {self.first_year}–{self.last_year} only, "
                f"not {day.isoformat()}",
                field="date",
            )

    def is_working_day(self, day: dt.date) -> bool:
        """True on a weekday that is no holiday, and on a weekend day declared a working day."""
        self._check_covered(day)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < _SATURDAY

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (before it when negative); `day` itself for 0."""
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValidationError("must be a whole number of working days", field="count")
        self._check_covered(day)
        step = dt.timedelta(days=1 if count >= 0 else -1)
        remaining, current, idle = abs(count), day, 0
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining, idle = remaining - 1, 0
            else:
                idle += 1
                if idle > _MAX_CONSECUTIVE_DAYS_OFF:
                    raise ReferenceDataError(f"{self.name} calendar: no working day near {current}")
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is earlier).

        So `add_working_days(start, n) == end` gives `working_days_between(start, end) == n`.
        """
        if end < start:
            return -self.working_days_between(end, start)
        self._check_covered(start)
        self._check_covered(end)
        days = (end - start).days
        return sum(1 for offset in range(1, days + 1) if self.is_working_day(start + dt.timedelta(offset)))


WEEKDAYS = Calendar(code="WEEKDAYS", name="Monday-to-Friday")


def read_holiday_calendar(path: DataFile, *, code: str, name: str) -> Calendar:
    """Parse a `date,kind` file (kind `holiday` or `workday`): whole years, each with at least one row."""
    _, rows = read_rows(path, ("date", "kind"))
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for row in rows:
        day, kind = row.day("date"), row.text("kind")
        if day in holidays or day in workdays:
            raise row.fail(f"{day} appears twice")
        if kind == "holiday":
            holidays.add(day)
        elif kind == "workday":
            if day.weekday() < _SATURDAY:
                raise row.fail(f"{day} is a weekday; only a Saturday or Sunday can be a make-up working day")
            workdays.add(day)
        else:
            raise row.fail(f"kind {kind!r} is not 'holiday' or 'workday'")
    years = sorted({day.year for day in holidays | workdays})
    if years != list(range(years[0], years[-1] + 1)):
        raise ReferenceDataError(f"{path}: the years {years} have a gap; every year in between needs rows")
    return Calendar(code, name, frozenset(holidays), frozenset(workdays), years[0], years[-1])


@functools.cache
def china_calendar() -> Calendar:
    """Mainland China's working days: public holidays and make-up working days (调休), by year."""
    return read_holiday_calendar(data_file("calendar_cn.csv"), code="CN", name="Chinese")


def calendar_for_currency(code: str) -> Calendar:
    """The calendar deadlines in a currency are counted in: CNY → Chinese, others → Monday to Friday."""
    currency = get_currency(code)
    return china_calendar() if currency.code == "CNY" else WEEKDAYS
