"""The deadline engine: every date of an invoice and a claim, across Chinese holidays and month ends."""

from __future__ import annotations

import datetime as dt

import pytest

from tradecover.claims.rules.deadlines import (
    add_months,
    check_extension,
    check_filing_date,
    claim_filing_window,
    date_of_loss,
    decision_deadline,
    invoice_deadlines,
    needs_consent,
    next_working_day,
    overdue_reporting_deadline,
    payment_deadline,
    reported_in_time,
    stoppage_date,
)
from tradecover.errors import ValidationError
from tradecover.policies.defaults import default_products
from tradecover.policies.terms import CauseOfLoss, PolicyTerms, ProductKind
from tradecover.reference.calendars import WEEKDAYS, DateOutsideCalendar, china_calendar

D = dt.date
CN = china_calendar()
EXPORT: PolicyTerms = default_products()[ProductKind.EXPORT_WHOLE_TURNOVER].terms  # USD, 4-month waiting
DOMESTIC: PolicyTerms = default_products()[ProductKind.DOMESTIC_WHOLE_TURNOVER].terms  # CNY, 6 months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # leap year
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 3, 31), 6, D(2026, 9, 30)),
        (D(2026, 10, 15), 4, D(2027, 2, 15)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
        (D(2026, 5, 31), -3, D(2026, 2, 28)),
    ],
)
def test_months_end_on_the_same_day_or_the_shorter_months_last_day(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("due", "extended", "calendar_name", "expected"),
    [
        # 30 days after 1 Sep 2025 is Wed 1 Oct, National Day: the first working day after is Thu 9 Oct.
        (D(2025, 9, 1), None, "CN", D(2025, 10, 9)),
        (D(2025, 9, 1), None, "WEEKDAYS", D(2025, 10, 1)),
        # 30 days after 30 Dec 2025 is Thu 29 Jan 2026, a plain working day.
        (D(2025, 12, 30), None, "CN", D(2026, 1, 29)),
        # 30 days after 17 Jan 2026 is Mon 16 Feb 2026, in Spring Festival (15–23 Feb): Tue 24 Feb.
        (D(2026, 1, 17), None, "CN", D(2026, 2, 24)),
        # 30 days after Wed 31 Dec 2025 is Fri 30 Jan 2026.
        (D(2025, 12, 31), None, "CN", D(2026, 1, 30)),
        # Falls on Saturday 28 Feb 2026: a make-up working day in China, a weekend elsewhere.
        (D(2026, 1, 29), None, "CN", D(2026, 2, 28)),
        (D(2026, 1, 29), None, "WEEKDAYS", D(2026, 3, 2)),
        # An extension counts from the extended due date: 3 Jan 2027 + 30 = Fri 2 Feb 2027.
        (D(2026, 11, 30), D(2027, 1, 3), "CN", D(2027, 2, 2)),
        # 2027 Spring Festival (statutory days Fri 5 – Mon 8 Feb): 30 days after 6 Jan 2027 → Tue 9 Feb.
        (D(2027, 1, 6), None, "CN", D(2027, 2, 9)),
        # An earlier "extension" never shortens the reporting time.
        (D(2025, 9, 1), D(2025, 8, 1), "CN", D(2025, 10, 9)),
    ],
)
def test_the_overdue_reporting_deadline_is_30_days_after_the_due_date_on_a_working_day(
    due: dt.date, extended: dt.date | None, calendar_name: str, expected: dt.date
) -> None:
    calendar = CN if calendar_name == "CN" else WEEKDAYS
    assert overdue_reporting_deadline(DOMESTIC, calendar, due, extended) == expected


def test_reported_in_time_is_on_or_before_the_deadline() -> None:
    assert reported_in_time(DOMESTIC, CN, D(2025, 9, 1), D(2025, 10, 9))
    assert not reported_in_time(DOMESTIC, CN, D(2025, 9, 1), D(2025, 10, 10))


def test_stoppage_starts_on_the_report_or_at_the_latest_the_day_after_the_reporting_deadline() -> None:
    assert stoppage_date(DOMESTIC, CN, D(2025, 9, 1), reported_on=D(2025, 9, 5)) == D(2025, 9, 5)
    assert stoppage_date(DOMESTIC, CN, D(2025, 9, 1)) == D(2025, 10, 10)
    assert stoppage_date(DOMESTIC, CN, D(2025, 9, 1), reported_on=D(2025, 12, 1)) == D(2025, 10, 10)


@pytest.mark.parametrize(
    ("terms", "cause", "due", "insolvency", "event", "expected"),
    [
        (DOMESTIC, CauseOfLoss.PROTRACTED_DEFAULT, D(2026, 8, 31), None, None, D(2027, 2, 28)),
        (EXPORT, CauseOfLoss.PROTRACTED_DEFAULT, D(2026, 10, 31), None, None, D(2027, 2, 28)),
        (EXPORT, CauseOfLoss.PROTRACTED_DEFAULT, D(2027, 10, 31), None, None, D(2028, 2, 29)),
        (EXPORT, CauseOfLoss.INSOLVENCY, D(2026, 6, 1), D(2026, 5, 12), None, D(2026, 5, 12)),
        (EXPORT, CauseOfLoss.POLITICAL, D(2026, 6, 1), None, D(2026, 7, 31), D(2026, 11, 30)),
        (EXPORT, CauseOfLoss.REPUDIATION, D(2026, 6, 1), None, D(2026, 4, 20), D(2026, 4, 20)),
        (EXPORT, CauseOfLoss.REPUDIATION, D(2026, 6, 1), None, None, D(2026, 6, 1)),
    ],
)
def test_the_date_of_loss_by_cause(
    terms: PolicyTerms,
    cause: CauseOfLoss,
    due: dt.date,
    insolvency: dt.date | None,
    event: dt.date | None,
    expected: dt.date,
) -> None:
    assert date_of_loss(terms, cause, due_date=due, insolvency_date=insolvency, event_date=event) == expected


@pytest.mark.parametrize(
    ("cause", "field"),
    [(CauseOfLoss.INSOLVENCY, "insolvency_date"), (CauseOfLoss.POLITICAL, "event_date")],
)
def test_a_cause_without_its_date_is_refused(cause: CauseOfLoss, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        date_of_loss(EXPORT, cause, due_date=D(2026, 6, 1))
    assert error.value.field == field


def test_the_filing_window_runs_six_months_from_the_date_of_loss_clamped_to_month_end() -> None:
    assert claim_filing_window(EXPORT, D(2026, 8, 31)) == (D(2026, 8, 31), D(2027, 2, 28))
    check_filing_date(EXPORT, D(2026, 8, 31), D(2027, 2, 28))
    with pytest.raises(ValidationError, match="2027-02-28"):
        check_filing_date(EXPORT, D(2026, 8, 31), D(2027, 3, 1))
    with pytest.raises(ValidationError, match="from the date of loss 2026-08-31"):
        check_filing_date(EXPORT, D(2026, 8, 31), D(2026, 8, 30))


@pytest.mark.parametrize(
    ("complete", "calendar_name", "expected"),
    [
        (D(2025, 9, 1), "CN", D(2025, 10, 9)),  # 1 Oct is National Day
        (D(2025, 9, 1), "WEEKDAYS", D(2025, 10, 1)),
        (D(2026, 1, 20), "CN", D(2026, 2, 24)),  # 19 Feb 2026 in Spring Festival
        (D(2026, 3, 2), "CN", D(2026, 4, 1)),
        (D(2026, 1, 31), "WEEKDAYS", D(2026, 3, 2)),  # Sun 1 Mar → Mon 2 Mar
    ],
)
def test_the_decision_deadline_is_30_days_after_complete_documents_on_a_working_day(
    complete: dt.date, calendar_name: str, expected: dt.date
) -> None:
    calendar = CN if calendar_name == "CN" else WEEKDAYS
    assert decision_deadline(DOMESTIC, calendar, complete) == expected


@pytest.mark.parametrize(
    ("decided", "expected"),
    [
        (D(2025, 9, 26), D(2025, 10, 9)),  # 1 Oct in National Day, and so are 2–8 Oct
        (D(2026, 2, 13), D(2026, 2, 24)),  # 18 Feb in Spring Festival
        (D(2026, 3, 26), D(2026, 3, 31)),
        (D(2026, 4, 30), D(2026, 5, 6)),  # 5 May still Labour Day holiday
    ],
)
def test_the_payment_deadline_is_5_days_after_the_decision_on_a_working_day(
    decided: dt.date, expected: dt.date
) -> None:
    assert payment_deadline(DOMESTIC, CN, decided) == expected


def test_extensions_up_to_60_days_need_no_consent_and_must_move_the_due_date_later() -> None:
    assert not needs_consent(DOMESTIC, D(2026, 1, 31), D(2026, 4, 1))  # 60 days
    assert needs_consent(DOMESTIC, D(2026, 1, 31), D(2026, 4, 2))
    with pytest.raises(ValidationError) as error:
        check_extension(D(2026, 3, 1), D(2026, 3, 1))
    assert error.value.field == "extended_due_date"


def test_next_working_day_is_the_day_itself_when_worked() -> None:
    assert next_working_day(CN, D(2026, 2, 28)) == D(2026, 2, 28)
    assert next_working_day(CN, D(2026, 10, 1)) == D(2026, 10, 8)


def test_a_deadline_beyond_the_calendar_is_refused_not_guessed() -> None:
    with pytest.raises(DateOutsideCalendar):
        overdue_reporting_deadline(DOMESTIC, CN, D(2027, 12, 15))


def test_every_date_of_an_invoice_in_one_answer() -> None:
    answer = invoice_deadlines(
        DOMESTIC,
        CN,
        shipment_date=D(2026, 9, 24),
        due_date=D(2026, 12, 23),
        extended_due_date=D(2027, 1, 6),
        reported_on=D(2027, 1, 20),
        documents_complete_on=D(2027, 8, 2),
        decided_on=D(2027, 8, 27),
    )
    # 5 working days after Thu 24 Sep 2026: 25 Sep is Mid-Autumn; 28, 29, 30 Sep, (1–7 Oct off) 8, 9 Oct.
    assert answer.declaration_deadline == D(2026, 10, 9)
    assert answer.latest_extension_without_consent == D(2027, 2, 21)
    assert answer.overdue_from == D(2027, 1, 7)
    assert answer.overdue_reporting_deadline == D(2027, 2, 9)  # 5 Feb + weekend + 8 Feb off
    assert answer.stoppage_date == D(2027, 1, 20)
    assert answer.date_of_loss == D(2027, 7, 6)  # extended due date + 6 months
    assert (answer.claim_filing_opens, answer.claim_filing_closes) == (D(2027, 7, 6), D(2028, 1, 6))
    assert answer.decision_deadline == D(2027, 9, 1)
    assert answer.payment_deadline == D(2027, 9, 1)  # 27 Aug + 5 = Wed 1 Sep
    assert answer.as_dict()["cause"] == "protracted_default"
    assert answer.as_dict()["date_of_loss"] == "2027-07-06"


def test_an_insolvency_without_its_date_has_no_date_of_loss_yet() -> None:
    answer = invoice_deadlines(
        EXPORT, WEEKDAYS, shipment_date=D(2026, 1, 5), due_date=D(2026, 3, 5), cause=CauseOfLoss.INSOLVENCY
    )
    assert answer.date_of_loss is None
    assert answer.claim_filing_closes is None
    assert answer.decision_deadline is None
