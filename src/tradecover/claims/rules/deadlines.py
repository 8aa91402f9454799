"""Every date of an invoice and a claim, from one place (DESIGN §2 "Overdue and loss", "Claim").

Pure functions over policy terms, a working-day calendar and dates. The rules (docs/deadlines.md):

- a period in days is counted in calendar days; when its last day is not a working day in the policy
  currency's calendar it moves to the next working day (a deadline never ends on a holiday);
- a period in months ends on the same day of the month, or on the month's last day when that month is
  shorter (31 August + 6 months = 28 or 29 February); filing windows are not moved to a working day;
- an extension replaces the due date for everything after it (reporting deadline, date of loss).
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
from dataclasses import dataclass

from tradecover.errors import ValidationError
from tradecover.policies.terms import CauseOfLoss, PolicyTerms
from tradecover.reference.calendars import Calendar

_DAY = dt.timedelta(days=1)
# Longer than any run of days off in a published calendar; a guard, not a rule.
_MAX_DAYS_OFF = 31


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier when negative), on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = gregorian.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_working_day(calendar: Calendar, day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the first working day after it."""
    current = day
    for _ in range(_MAX_DAYS_OFF + 1):
        if calendar.is_working_day(current):
            return current
        current += _DAY
    raise ValidationError(f"no working day within {_MAX_DAYS_OFF} days of {day.isoformat()}", field="date")


def days_later(calendar: Calendar, day: dt.date, days: int) -> dt.date:
    """`days` calendar days after `day`, moved to the next working day when that is a day off."""
    return next_working_day(calendar, day + dt.timedelta(days=days))


def effective_due_date(due_date: dt.date, extended_due_date: dt.date | None = None) -> dt.date:
    """The due date that counts: the extended one when an extension was granted."""
    if extended_due_date is None:
        return due_date
    return max(due_date, extended_due_date)


def overdue_from(due_date: dt.date, extended_due_date: dt.date | None = None) -> dt.date:
    """The first day an unpaid invoice is overdue: the day after its (extended) due date."""
    return effective_due_date(due_date, extended_due_date) + _DAY


def overdue_reporting_deadline(
    terms: PolicyTerms, calendar: Calendar, due_date: dt.date, extended_due_date: dt.date | None = None
) -> dt.date:
    """The last day to report an overdue: `overdue_reporting_days` after the (extended) due date."""
    return days_later(calendar, effective_due_date(due_date, extended_due_date), terms.overdue_reporting_days)


def latest_extension_without_consent(terms: PolicyTerms, due_date: dt.date) -> dt.date:
    """The latest extended due date the insured may set alone: the original due date + the allowed days."""
    return due_date + dt.timedelta(days=terms.extension_without_consent_days)


def needs_consent(terms: PolicyTerms, due_date: dt.date, extended_due_date: dt.date) -> bool:
    """True when an extension goes beyond what the insured may grant without the insurer's consent."""
    return extended_due_date > latest_extension_without_consent(terms, due_date)


def check_extension(current_due: dt.date, extended_due_date: dt.date) -> None:
    """Refuse an extension that does not move the due date later."""
    if extended_due_date <= current_due:
        raise ValidationError(
            f"{extended_due_date.isoformat()} is not after the current due date {current_due.isoformat()}",
            field="extended_due_date",
        )


def stoppage_date(
    terms: PolicyTerms,
    calendar: Calendar,
    due_date: dt.date,
    extended_due_date: dt.date | None = None,
    reported_on: dt.date | None = None,
) -> dt.date:
    """When new cover on the buyer stops: the day the overdue is reported, at the latest the day after
    the reporting deadline (an unreported overdue stops cover too)."""
    latest = overdue_reporting_deadline(terms, calendar, due_date, extended_due_date) + _DAY
    return latest if reported_on is None else min(reported_on, latest)


def reported_in_time(
    terms: PolicyTerms,
    calendar: Calendar,
    due_date: dt.date,
    reported_on: dt.date,
    extended_due_date: dt.date | None = None,
) -> bool:
    """True when an overdue reported on a date was reported by its deadline."""
    return reported_on <= overdue_reporting_deadline(terms, calendar, due_date, extended_due_date)


def date_of_loss(
    terms: PolicyTerms,
    cause: CauseOfLoss,
    *,
    due_date: dt.date,
    insolvency_date: dt.date | None = None,
    event_date: dt.date | None = None,
) -> dt.date:
    """The date of loss: insolvency → the insolvency date; protracted default → the (extended) due date
    + the waiting period; political → the event date + the political waiting period; repudiation → the
    date the buyer refused the goods (the event date), else the due date."""
    if cause is CauseOfLoss.INSOLVENCY:
        if insolvency_date is None:
            raise ValidationError("an insolvency claim needs the insolvency date", field="insolvency_date")
        return insolvency_date
    if cause is CauseOfLoss.PROTRACTED_DEFAULT:
        return add_months(due_date, terms.protracted_default_waiting_months)
    if cause is CauseOfLoss.POLITICAL:
        if event_date is None:
            raise ValidationError("a political claim needs the date of the event", field="event_date")
        return add_months(event_date, terms.political_waiting_months)
    if cause is CauseOfLoss.REPUDIATION:
        return event_date if event_date is not None else due_date
    raise ValidationError(f"unknown cause of loss {cause!r}", field="cause")  # pragma: no cover


def claim_filing_window(terms: PolicyTerms, date_of_loss: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day to file a claim: the date of loss to `claim_filing_months` after it."""
    return date_of_loss, add_months(date_of_loss, terms.claim_filing_months)


def check_filing_date(terms: PolicyTerms, date_of_loss: dt.date, filed_on: dt.date) -> None:
    """Refuse a claim filed before the date of loss or after the filing window, naming the dates."""
    first, last = claim_filing_window(terms, date_of_loss)
    if filed_on < first:
        raise ValidationError(
            f"a claim may be filed from the date of loss {first.isoformat()}, not {filed_on.isoformat()}",
            field="filed_on",
        )
    if filed_on > last:
        raise ValidationError(
            f"the filing window ended {last.isoformat()} ({terms.claim_filing_months} months after the "
            f"date of loss {first.isoformat()}); {filed_on.isoformat()} is too late",
            field="filed_on",
        )


def decision_deadline(terms: PolicyTerms, calendar: Calendar, documents_complete_on: dt.date) -> dt.date:
    """The service level for the decision: `claim_decision_days` after complete documents."""
    return days_later(calendar, documents_complete_on, terms.claim_decision_days)


def payment_deadline(terms: PolicyTerms, calendar: Calendar, decided_on: dt.date) -> dt.date:
    """The service level for payment: `claim_payment_days` after the decision."""
    return days_later(calendar, decided_on, terms.claim_payment_days)


@dataclass(frozen=True, slots=True)
class InvoiceDeadlines:
    """Every date of one invoice under its policy (None where it does not apply yet)."""

    shipment_date: dt.date
    declaration_deadline: dt.date
    due_date: dt.date
    extended_due_date: dt.date | None
    latest_extension_without_consent: dt.date
    overdue_from: dt.date
    overdue_reporting_deadline: dt.date
    stoppage_date: dt.date
    cause: CauseOfLoss
    date_of_loss: dt.date | None
    claim_filing_opens: dt.date | None
    claim_filing_closes: dt.date | None
    decision_deadline: dt.date | None
    payment_deadline: dt.date | None

    def as_dict(self) -> dict[str, str | None]:
        """Each date as ISO text (None stays None), the cause as its value."""
        answer: dict[str, str | None] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            answer[name] = value if value is None else str(value.value if name == "cause" else value)
        return answer


def invoice_deadlines(
    terms: PolicyTerms,
    calendar: Calendar,
    *,
    shipment_date: dt.date,
    due_date: dt.date,
    extended_due_date: dt.date | None = None,
    reported_on: dt.date | None = None,
    cause: CauseOfLoss = CauseOfLoss.PROTRACTED_DEFAULT,
    insolvency_date: dt.date | None = None,
    event_date: dt.date | None = None,
    documents_complete_on: dt.date | None = None,
    decided_on: dt.date | None = None,
) -> InvoiceDeadlines:
    """Every date of an invoice: declaration, due, extension, reporting, stoppage, loss, filing, service."""
    due = effective_due_date(due_date, extended_due_date)
    loss: dt.date | None
    date_missing = (cause is CauseOfLoss.INSOLVENCY and insolvency_date is None) or (
        cause is CauseOfLoss.POLITICAL and event_date is None
    )
    if date_missing:
        loss = None
    else:
        loss = date_of_loss(
            terms, cause, due_date=due, insolvency_date=insolvency_date, event_date=event_date
        )
    window = claim_filing_window(terms, loss) if loss is not None else (None, None)
    return InvoiceDeadlines(
        shipment_date=shipment_date,
        declaration_deadline=calendar.add_working_days(
            shipment_date, terms.declaration_deadline_working_days
        ),
        due_date=due_date,
        extended_due_date=extended_due_date,
        latest_extension_without_consent=latest_extension_without_consent(terms, due_date),
        overdue_from=overdue_from(due_date, extended_due_date),
        overdue_reporting_deadline=overdue_reporting_deadline(terms, calendar, due_date, extended_due_date),
        stoppage_date=stoppage_date(terms, calendar, due_date, extended_due_date, reported_on),
        cause=cause,
        date_of_loss=loss,
        claim_filing_opens=window[0],
        claim_filing_closes=window[1],
        decision_deadline=(
            None
            if documents_complete_on is None
            else decision_deadline(terms, calendar, documents_complete_on)
        ),
        payment_deadline=None if decided_on is None else payment_deadline(terms, calendar, decided_on),
    )
