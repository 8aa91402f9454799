"""Working-day calendars: Chinese holidays and make-up days 2024–2027 (2027 statutory), and weekdays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tradecover.errors import ValidationError
from tradecover.reference.calendars import (
    WEEKDAYS,
    DateOutsideCalendar,
    calendar_for_currency,
    china_calendar,
    read_holiday_calendar,
)
from tradecover.reference.table import ReferenceDataError

D = dt.date


def test_a_sunday_that_china_works_to_bridge_spring_festival_is_a_working_day() -> None:
    assert china_calendar().is_working_day(D(2025, 1, 26))
    assert china_calendar().is_working_day(D(2025, 2, 8))


def test_every_day_of_the_2025_national_day_holiday_is_off_and_the_saturday_after_is_worked() -> None:
    cn = china_calendar()
    assert not any(cn.is_working_day(D(2025, 10, day)) for day in range(1, 9))
    assert cn.is_working_day(D(2025, 10, 9))
    assert cn.is_working_day(D(2025, 10, 11))
    assert not cn.is_working_day(D(2025, 10, 12))


def test_each_covered_year_has_its_spring_festival_and_make_up_days() -> None:
    cn = china_calendar()
    assert not cn.is_working_day(D(2024, 2, 15))
    assert cn.is_working_day(D(2024, 2, 18))
    assert not cn.is_working_day(D(2026, 2, 23))
    assert cn.is_working_day(D(2026, 2, 14))
    assert cn.is_working_day(D(2026, 1, 4))


def test_an_ordinary_weekend_is_off_and_an_ordinary_weekday_is_worked() -> None:
    cn = china_calendar()
    assert not cn.is_working_day(D(2025, 3, 8))
    assert cn.is_working_day(D(2025, 3, 10))


def test_five_working_days_after_a_shipment_before_national_day_skip_the_whole_holiday() -> None:
    # Shipped Fri 26 Sep 2025: Sun 28 Sep is worked, 29, 30 Sep, then 1–8 Oct off, 9, 10 Oct.
    assert china_calendar().add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)


def test_the_same_shipment_counted_on_weekdays_only_is_due_a_week_later() -> None:
    assert WEEKDAYS.add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 3)


def test_counting_backwards_and_zero_days() -> None:
    cn = china_calendar()
    assert cn.add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert cn.add_working_days(D(2025, 10, 4), 0) == D(2025, 10, 4)


def test_working_days_between_counts_the_end_but_not_the_start_and_inverts_add() -> None:
    cn = china_calendar()
    start = D(2025, 1, 20)
    for n in (0, 1, 5, 12, 40):
        end = cn.add_working_days(start, n)
        assert cn.working_days_between(start, end) == n
        assert cn.working_days_between(end, start) == -n
    # 27 Jan (Mon) is worked, 28 Jan–4 Feb off: from Fri 24 Jan to Wed 5 Feb is 26, 27 Jan, 5 Feb.
    assert cn.working_days_between(D(2025, 1, 24), D(2025, 2, 5)) == 3


def test_a_date_outside_the_covered_years_is_refused_not_guessed() -> None:
    cn = china_calendar()
    with pytest.raises(DateOutsideCalendar, match="2024–2027"):
        cn.is_working_day(D(2028, 1, 4))
    with pytest.raises(DateOutsideCalendar):
        cn.add_working_days(D(2027, 12, 28), 10)
    with pytest.raises(DateOutsideCalendar):
        cn.working_days_between(D(2023, 12, 29), D(2024, 1, 3))


def test_the_weekday_calendar_covers_every_year() -> None:
    assert WEEKDAYS.is_working_day(D(2030, 1, 2))
    assert not WEEKDAYS.is_working_day(D(2030, 1, 5))


def test_renminbi_deadlines_use_the_chinese_calendar_and_others_the_weekday_calendar() -> None:
    assert calendar_for_currency("cny") is china_calendar()
    assert calendar_for_currency("USD") is WEEKDAYS
    with pytest.raises(ValidationError):
        calendar_for_currency("XXX")


def test_the_chinese_calendar_file_lists_only_weekend_make_up_days() -> None:
    cn = china_calendar()
    assert cn.workdays
    assert all(day.weekday() >= 5 for day in cn.workdays)
    assert (cn.first_year, cn.last_year) == (2024, 2027)
    assert len({day.year for day in cn.holidays}) == 4


def test_2027_holds_the_statutory_public_holidays_until_its_schedule_is_published() -> None:
    cn = china_calendar()
    # Spring Festival eve (Fri 5 Feb) to Mon 8 Feb; Qingming Mon 5 Apr; Dragon Boat Wed 9 Jun;
    # Mid-Autumn Wed 15 Sep; National Day Fri 1 Oct.
    for day in (D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 8), D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15)):
        assert not cn.is_working_day(day)
    assert not cn.is_working_day(D(2027, 10, 1))
    assert cn.is_working_day(D(2027, 2, 9))
    assert not {day for day in cn.workdays if day.year == 2027}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("date,kind\n2025-01-27,workday\n", "only a Saturday or Sunday"),
        ("date,kind\n2025-01-01,holiday\n2025-01-01,holiday\n", "appears twice"),
        ("date,kind\n2025-01-01,feast\n", "is not 'holiday' or 'workday'"),
        ("date,kind\n2024-01-01,holiday\n2026-01-01,holiday\n", "have a gap"),
        ("day,kind\n2025-01-01,holiday\n", "header"),
    ],
)
def test_a_malformed_calendar_file_is_refused_with_its_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "calendar.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=problem):
        read_holiday_calendar(path, code="XX", name="test")
