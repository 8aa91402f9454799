"""The daily run (`tradecover tick`): due tasks and alerts from the deadline engine, idempotent per day.

On a date it: withdraws reports whose invoices are now paid; takes out of cover each unpaid invoice
whose overdue-reporting deadline passed unreported (and stops cover on its buyer); alerts the insured
of overdues not yet reported and of reporting deadlines tomorrow; alerts the insured (and its bank)
when a reported overdue reaches its date of loss (a claim may be filed) and on the day before its
filing window closes; alerts the insurer of claims
whose decision or payment service level ends within two days. An alert is raised once per kind,
subject and organisation, so a second run on the same day (or the next) raises nothing new.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.alerts.model import Alert
from tradecover.alerts.service import raise_alerts
from tradecover.claims.model import Claim, ClaimStatus
from tradecover.claims.overdue_model import OPEN_STATUSES, Overdue
from tradecover.claims.overdues import buyer_still_stopped, insurer_addressees, withdraw_paid_overdues
from tradecover.claims.rules.deadlines import claim_filing_window, date_of_loss, overdue_reporting_deadline
from tradecover.declarations import events
from tradecover.declarations.events import BuyerStoppage, StoppageReason
from tradecover.declarations.model import Shipment
from tradecover.declarations.rules import show
from tradecover.policies.model import Policy
from tradecover.policies.service import terms_on
from tradecover.policies.terms import CauseOfLoss
from tradecover.reference.calendars import DateOutsideCalendar, calendar_for_currency

SERVICE_LEVEL_WARNING_DAYS = 2
_DAY = dt.timedelta(days=1)


@dataclass(slots=True)
class TickReport:
    """What one run did, counted."""

    on: dt.date
    withdrawn: int = 0
    stoppages_lifted: int = 0
    out_of_cover: int = 0
    unreported_alerts: int = 0
    deadline_alerts: int = 0
    loss_date_alerts: int = 0
    service_level_alerts: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def alerts(self) -> int:
        """Alerts raised in all."""
        return (
            self.unreported_alerts + self.deadline_alerts + self.loss_date_alerts + self.service_level_alerts
        )

    def lines(self) -> list[str]:
        """The report for people, one line per kind."""
        return [
            f"tick {self.on.isoformat()}",
            f"overdues withdrawn (paid): {self.withdrawn}",
            f"stoppages lifted (unreported invoice paid): {self.stoppages_lifted}",
            f"invoices out of cover (overdue not reported): {self.out_of_cover}",
            f"alerts: overdue not yet reported {self.unreported_alerts}, reporting deadline tomorrow "
            f"{self.deadline_alerts}, date of loss reached {self.loss_date_alerts}, service level about to "
            f"breach {self.service_level_alerts}",
            *(f"skipped: {reason}" for reason in self.skipped),
        ]


def _alert_once(
    session: Session,
    organisation_ids: Iterable[uuid.UUID],
    *,
    kind: str,
    subject_type: str,
    subject_id: object,
    title: str,
    message: str,
) -> int:
    """Raise the alert to each organisation that has not had it yet (same kind and subject); how many."""
    wanted = list(dict.fromkeys(organisation_ids))
    had = set(
        session.scalars(
            select(Alert.organisation_id).where(
                Alert.kind == kind, Alert.subject_type == subject_type, Alert.subject_id == str(subject_id)
            )
        )
    )
    fresh = [organisation_id for organisation_id in wanted if organisation_id not in had]
    if not fresh:
        return 0
    raise_alerts(
        session,
        organisation_ids=fresh,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        title=title,
        message=message,
    )
    return len(fresh)


def _unreported_invoices(session: Session, on: dt.date) -> list[tuple[Shipment, Policy]]:
    reported = select(Overdue.shipment_id)
    rows = session.execute(
        select(Shipment, Policy)
        .join(Policy, Policy.id == Shipment.policy_id)
        .where(
            Shipment.due_date < on,
            Shipment.paid_minor < Shipment.amount_minor,
            Shipment.insured_minor > 0,
            Shipment.cover_lost_on.is_(None),
            Shipment.id.not_in(reported),
        )
        .order_by(Shipment.due_date, Shipment.id)
    ).all()
    return [(shipment, policy) for shipment, policy in rows]


def _check_unreported(session: Session, on: dt.date, report: TickReport) -> None:
    for shipment, policy in _unreported_invoices(session, on):
        try:
            terms = terms_on(policy, shipment.shipment_date)
            deadline = overdue_reporting_deadline(
                terms, calendar_for_currency(policy.currency), shipment.due_date
            )
        except DateOutsideCalendar as error:
            report.skipped.append(f"invoice {shipment.invoice_number}: {error.message}")
            continue
        unpaid = show(shipment.amount_minor - shipment.paid_minor, shipment.currency)
        if deadline < on:
            lost_on = deadline + _DAY
            events.take_out_of_cover(
                session, shipment, lost_on, f"overdue not reported by the deadline {deadline.isoformat()}"
            )
            events.start_stoppage(
                session, policy.id, shipment.buyer_id, lost_on, StoppageReason.OVERDUE_NOT_REPORTED
            )
            report.out_of_cover += 1
            _alert_once(
                session,
                [policy.policyholder_id, *insurer_addressees(session, policy.insurer_id)],
                kind="overdue_not_reported",
                subject_type="Shipment",
                subject_id=shipment.id,
                title=f"Out of cover: invoice {shipment.invoice_number}",
                message=f"Invoice {shipment.invoice_number} under policy {policy.number} ({unpaid} unpaid, "
                f"due {shipment.due_date.isoformat()}) was not reported overdue by "
                f"{deadline.isoformat()}: it is out of cover and the buyer is in stoppage.",
            )
            continue
        report.unreported_alerts += _alert_once(
            session,
            [policy.policyholder_id],
            kind="overdue_to_report",
            subject_type="Shipment",
            subject_id=shipment.id,
            title=f"Report the overdue: invoice {shipment.invoice_number}",
            message=f"Invoice {shipment.invoice_number} under policy {policy.number} was due "
            f"{shipment.due_date.isoformat()} and {unpaid} is unpaid: report the overdue by "
            f"{deadline.isoformat()} or it loses its cover.",
        )
        if deadline == on + _DAY:
            report.deadline_alerts += _alert_once(
                session,
                [policy.policyholder_id],
                kind="overdue_deadline_tomorrow",
                subject_type="Shipment",
                subject_id=shipment.id,
                title=f"Deadline tomorrow: invoice {shipment.invoice_number}",
                message=f"Tomorrow, {deadline.isoformat()}, is the last day to report the overdue of "
                f"invoice {shipment.invoice_number} under policy {policy.number}.",
            )


def _check_dates_of_loss(session: Session, on: dt.date, report: TickReport) -> None:
    rows = session.execute(
        select(Overdue, Policy)
        .join(Policy, Policy.id == Overdue.policy_id)
        .where(Overdue.status.in_(OPEN_STATUSES))
        .order_by(Overdue.reported_on, Overdue.id)
    ).all()
    for overdue, policy in rows:
        terms = terms_on(policy, min(max(overdue.due_date, policy.period_start), policy.period_end))
        loss = date_of_loss(terms, CauseOfLoss.PROTRACTED_DEFAULT, due_date=overdue.current_due_date)
        if loss > on:
            continue
        addressees = [policy.policyholder_id]
        if policy.loss_payee_id is not None:
            addressees.append(policy.loss_payee_id)
        closes = claim_filing_window(terms, loss)[1]
        if closes == on + _DAY:
            report.deadline_alerts += _alert_once(
                session,
                addressees,
                kind="claim_filing_deadline_tomorrow",
                subject_type="Overdue",
                subject_id=overdue.id,
                title=f"Last day to claim tomorrow: invoice {overdue.invoice_number}",
                message=f"Tomorrow, {closes.isoformat()}, is the last day to file a claim on invoice "
                f"{overdue.invoice_number} under policy {policy.number} (date of loss {loss.isoformat()}).",
            )
        report.loss_date_alerts += _alert_once(
            session,
            addressees,
            kind="date_of_loss_reached",
            subject_type="Overdue",
            subject_id=overdue.id,
            title=f"A claim may be filed: invoice {overdue.invoice_number}",
            message=f"Invoice {overdue.invoice_number} under policy {policy.number} reached its date of loss "
            f"for protracted default on {loss.isoformat()}: a claim may be filed.",
        )


def _check_service_levels(session: Session, on: dt.date, report: TickReport) -> None:
    soon = on + dt.timedelta(days=SERVICE_LEVEL_WARNING_DAYS)
    undecided = (ClaimStatus.FILED, ClaimStatus.DOCUMENTS_COMPLETE, ClaimStatus.AWAITING_SECOND_APPROVAL)
    claims = session.scalars(
        select(Claim)
        .where(
            (
                (Claim.status.in_(undecided))
                & (Claim.decision_deadline.is_not(None))
                & (Claim.decision_deadline <= soon)
            )
            | (
                (Claim.status == ClaimStatus.ASSESSED)
                & (Claim.payment_deadline.is_not(None))
                & (Claim.payment_deadline <= soon)
            )
        )
        .order_by(Claim.number)
    ).all()
    for claim in claims:
        deciding = claim.status in undecided
        deadline = claim.decision_deadline if deciding else claim.payment_deadline
        assert deadline is not None
        step = "decision" if deciding else "payment"
        report.service_level_alerts += _alert_once(
            session,
            insurer_addressees(session, claim.insurer_id),
            kind=f"claim_{step}_due",
            subject_type="Claim",
            subject_id=claim.id,
            title=f"Service level about to breach: claim {claim.number}",
            message=f"The {step} of claim {claim.number} is due by {deadline.isoformat()}"
            + (" (already past)." if deadline < on else "."),
        )


def _lift_cleared_stoppages(session: Session, on: dt.date, report: TickReport) -> None:
    # A stoppage for an unreported overdue has no report whose withdrawal would lift it: once that
    # invoice is paid (and nothing else keeps the buyer stopped) the day's run lifts it.
    open_ones = session.scalars(
        select(BuyerStoppage)
        .where(BuyerStoppage.lifted_on.is_(None), BuyerStoppage.reason == StoppageReason.OVERDUE_NOT_REPORTED)
        .order_by(BuyerStoppage.since, BuyerStoppage.id)
    ).all()
    for stoppage in open_ones:
        if not buyer_still_stopped(session, stoppage.policy_id, stoppage.buyer_id, on):
            events.lift_stoppage(session, stoppage.policy_id, stoppage.buyer_id, on)
            report.stoppages_lifted += 1


def run_tick(session: Session, on: dt.date) -> TickReport:
    """The day's run: withdrawals, cover lost for unreported overdues, and the day's alerts."""
    report = TickReport(on)
    report.withdrawn = len(withdraw_paid_overdues(session, on))
    _lift_cleared_stoppages(session, on, report)
    _check_unreported(session, on, report)
    _check_dates_of_loss(session, on, report)
    _check_service_levels(session, on, report)
    session.flush()
    return report
