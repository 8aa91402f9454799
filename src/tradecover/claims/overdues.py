"""Overdues: report (one or a file), extension, withdrawal when paid, and what claims take from them.

Reporting an overdue stops new cover on the buyer under that policy (a stoppage from the report date)
and tells the insurer (each pool member) and the policy's loss-payee bank. A report after the deadline
takes the invoice out of cover. An extension up to the product's days without consent is granted at
once; a longer one is referred to the insurer. Withdrawal, once the invoice is paid, lifts the
stoppage when nothing else on that buyer keeps it. Dates come from `claims.rules.deadlines`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.alerts.service import raise_alerts
from tradecover.audit.service import record
from tradecover.buyers.model import Buyer
from tradecover.claims.overdue_model import LIVE_STATUSES, OPEN_STATUSES, Overdue, OverdueStatus
from tradecover.claims.rules.deadlines import (
    InvoiceDeadlines,
    check_extension,
    invoice_deadlines,
    latest_extension_without_consent,
    needs_consent,
    overdue_reporting_deadline,
)
from tradecover.clock import get_clock
from tradecover.coinsurance.service import administers, pool_terms_of
from tradecover.declarations import events
from tradecover.declarations.events import StoppageReason
from tradecover.declarations.model import Shipment
from tradecover.declarations.rules import show
from tradecover.declarations.service import get_policy, get_shipment
from tradecover.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.policies.service import terms_on
from tradecover.policies.terms import CauseOfLoss
from tradecover.reference.calendars import DateOutsideCalendar, calendar_for_currency

MAX_OVERDUES_LISTED = 500
MAX_FILE_ROWS = 10_000
MAX_NOTE_LENGTH = 500
DECIDES_EXTENSIONS = (Role.CLAIMS_HANDLER, Role.UNDERWRITER, Role.INSURER_ADMIN)


# who may act -----------------------------------------------------------------------------------------
def _check_insured(actor: Actor, policy: Policy) -> None:
    if actor.is_system or actor.is_platform_admin:
        return
    actor.require(Role.POLICYHOLDER)
    if actor.organisation_id != policy.policyholder_id:
        raise PermissionDenied("only the insured of the policy reports and handles its overdues")


def _check_insurer(session: Session, actor: Actor, policy: Policy) -> None:
    if actor.is_system or actor.is_platform_admin:
        return
    actor.require(*DECIDES_EXTENSIONS)
    if not administers(session, actor.organisation_id, policy.insurer_id):
        raise PermissionDenied("only the insurer of the policy decides extensions")


def insurer_addressees(session: Session, insurer_id: uuid.UUID) -> list[uuid.UUID]:
    """Who hears of the policy's overdues for the insurer: the insurer, or each pool member (leader first)."""
    pool = pool_terms_of(session, insurer_id)
    if pool is None:
        return [insurer_id]
    return [pool.leader_id, *(member.insurer_id for member in pool.members)]


def _tell(
    session: Session, policy: Policy, overdue: Overdue, kind: str, title: str, message: str, *, insured: bool
) -> None:
    addressees = insurer_addressees(session, policy.insurer_id)
    if policy.loss_payee_id is not None:
        addressees.append(policy.loss_payee_id)
    if insured:
        addressees.insert(0, policy.policyholder_id)
    raise_alerts(
        session,
        organisation_ids=addressees,
        kind=kind,
        subject_type="Overdue",
        subject_id=overdue.id,
        title=title,
        message=message,
    )


def _audit(
    session: Session, actor: Actor, policy: Policy, overdue: Overdue, action: str, **details: object
) -> None:
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=policy.policyholder_id,
        action=action,
        object_type="Overdue",
        object_id=overdue.id,
        details={"invoice_number": overdue.invoice_number, **details},
    )


# reading ---------------------------------------------------------------------------------------------
def reported_overdue(session: Session, shipment_id: uuid.UUID) -> Overdue | None:
    """The live (not withdrawn) report of an invoice's overdue, if any."""
    return session.scalars(
        select(Overdue)
        .where(Overdue.shipment_id == shipment_id, Overdue.status.in_(LIVE_STATUSES))
        .order_by(Overdue.reported_on.desc())
    ).first()


def get_overdue(session: Session, overdue_id: uuid.UUID) -> Overdue:
    """One overdue the session's organisation has a part in; NotFound otherwise."""
    overdue = session.scalars(select(Overdue).where(Overdue.id == overdue_id)).first()
    if overdue is None:
        raise NotFound("no such overdue")
    return overdue


def list_overdues(
    session: Session,
    *,
    policy_id: uuid.UUID | None = None,
    status: OverdueStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Overdue]:
    """The overdues the session's organisation sees, newest report first."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_OVERDUES_LISTED:
        raise ValidationError(f"must be a whole number from 1 to {MAX_OVERDUES_LISTED}", field="limit")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("must be a whole number from 0", field="offset")
    query = select(Overdue)
    if policy_id is not None:
        query = query.where(Overdue.policy_id == policy_id)
    if status is not None:
        query = query.where(Overdue.status == status)
    query = query.order_by(Overdue.reported_on.desc(), Overdue.invoice_number, Overdue.id)
    return session.scalars(query.limit(limit).offset(offset)).all()


def deadlines_of(session: Session, overdue: Overdue) -> InvoiceDeadlines | None:
    """Every date of the overdue invoice (protracted default); None where the calendar has no data yet."""
    policy = session.get(Policy, overdue.policy_id)
    # The loss-payee bank reads the overdue; the shipment date is all it needs of the invoice.
    shipped = session.scalar(
        select(Shipment.shipment_date)
        .where(Shipment.id == overdue.shipment_id)
        .execution_options(tenant_exempt=True)
    )
    if policy is None or shipped is None:
        return None
    try:
        return invoice_deadlines(
            terms_on(policy, shipped),
            calendar_for_currency(policy.currency),
            shipment_date=shipped,
            due_date=overdue.due_date,
            extended_due_date=overdue.extended_due_date,
            reported_on=overdue.reported_on,
        )
    except DateOutsideCalendar:
        return None


def shipment_deadlines(
    session: Session,
    shipment_id: uuid.UUID,
    *,
    cause: CauseOfLoss = CauseOfLoss.PROTRACTED_DEFAULT,
    insolvency_date: dt.date | None = None,
    event_date: dt.date | None = None,
) -> InvoiceDeadlines:
    """Every date of a declared invoice under its policy, with its live overdue report if any."""
    shipment = get_shipment(session, shipment_id)
    policy = get_policy(session, shipment.policy_id)
    overdue = reported_overdue(session, shipment.id)
    return invoice_deadlines(
        terms_on(policy, shipment.shipment_date),
        calendar_for_currency(policy.currency),
        shipment_date=shipment.shipment_date,
        due_date=shipment.due_date,
        extended_due_date=overdue.extended_due_date if overdue else None,
        reported_on=overdue.reported_on if overdue else None,
        cause=cause,
        insolvency_date=insolvency_date,
        event_date=event_date,
    )


@dataclass(frozen=True, slots=True)
class StoppageRow:
    """A buyer in stoppage under a policy, for people."""

    buyer_name: str
    policy_number: str
    since: dt.date
    reason: StoppageReason


def buyers_in_stoppage(session: Session, on: dt.date) -> list[StoppageRow]:
    """The buyers in stoppage on a date under the policies the session's organisation sees."""
    stopped = events.stoppages_in_force(session, on)
    if not stopped:
        return []
    names = dict(
        session.execute(select(Buyer.id, Buyer.name).where(Buyer.id.in_({s.buyer_id for s in stopped}))).all()
    )
    numbers = dict(
        session.execute(
            select(Policy.id, Policy.number).where(Policy.id.in_({s.policy_id for s in stopped}))
        ).all()
    )
    return [
        StoppageRow(names.get(s.buyer_id, str(s.buyer_id)), numbers.get(s.policy_id, ""), s.since, s.reason)
        for s in stopped
    ]


def reportable_invoices(
    session: Session, policy_id: uuid.UUID, on: dt.date, limit: int = 200
) -> list[Shipment]:
    """The policy's unpaid invoices past their due date with no live report, oldest due first."""
    live = select(Overdue.shipment_id).where(Overdue.status.in_(LIVE_STATUSES))
    return list(
        session.scalars(
            select(Shipment)
            .where(
                Shipment.policy_id == policy_id,
                Shipment.due_date < on,
                Shipment.paid_minor < Shipment.amount_minor,
                Shipment.id.not_in(live),
            )
            .order_by(Shipment.due_date, Shipment.invoice_number)
            .limit(limit)
        )
    )


# reporting -------------------------------------------------------------------------------------------
def _shipment(session: Session, policy: Policy, invoice_number: str) -> Shipment:
    number = invoice_number.strip() if isinstance(invoice_number, str) else ""
    if not number:
        raise ValidationError("must not be blank", field="invoice_number")
    shipment = session.scalars(
        select(Shipment).where(Shipment.policy_id == policy.id, Shipment.invoice_number == number)
    ).first()
    if shipment is None:
        raise ValidationError(
            f"no invoice {number} is declared on policy {policy.number}", field="invoice_number"
        )
    return shipment


def _check_reportable(session: Session, shipment: Shipment, on: dt.date) -> None:
    if shipment.paid_minor >= shipment.amount_minor:
        raise ValidationError(f"invoice {shipment.invoice_number} is paid", field="invoice_number")
    if shipment.due_date >= on:
        raise ValidationError(
            f"invoice {shipment.invoice_number} is due {shipment.due_date.isoformat()}; it is overdue "
            f"only from the day after",
            field="invoice_number",
        )
    if reported_overdue(session, shipment.id) is not None:
        raise Conflict(
            f"the overdue of invoice {shipment.invoice_number} is already reported", field="invoice_number"
        )


def _take_turns(session: Session, policy: Policy) -> None:
    # Reports on one policy take turns (PostgreSQL row lock; SQLite writers are serial already), so two
    # reports of one invoice at once never both pass the "already reported" check.
    session.execute(select(Policy.id).where(Policy.id == policy.id).with_for_update())


def _report(session: Session, actor: Actor, policy: Policy, shipment: Shipment, on: dt.date) -> Overdue:
    terms = terms_on(policy, shipment.shipment_date)
    calendar = calendar_for_currency(policy.currency)
    deadline = overdue_reporting_deadline(terms, calendar, shipment.due_date)
    in_time = on <= deadline
    overdue = Overdue(
        policy_id=policy.id,
        buyer_id=shipment.buyer_id,
        shipment_id=shipment.id,
        invoice_number=shipment.invoice_number,
        currency=shipment.currency,
        unpaid_minor=shipment.amount_minor - shipment.paid_minor,
        due_date=shipment.due_date,
        reported_on=on,
        reported_by_user_id=actor.user_id,
        reporting_deadline=deadline,
        reported_in_time=in_time,
        status=OverdueStatus.REPORTED,
    )
    session.add(overdue)
    session.flush()
    events.start_stoppage(session, policy.id, shipment.buyer_id, on, StoppageReason.OVERDUE_REPORTED)
    if not in_time:
        events.take_out_of_cover(
            session,
            shipment,
            on,
            f"overdue reported {on.isoformat()}, after the reporting deadline {deadline.isoformat()}",
        )
    late = "" if in_time else f" — reported after the deadline {deadline.isoformat()}: out of cover"
    _tell(
        session,
        policy,
        overdue,
        "overdue_reported",
        f"Overdue reported: invoice {shipment.invoice_number}",
        f"Invoice {shipment.invoice_number} under policy {policy.number} is overdue since "
        f"{shipment.due_date.isoformat()}, {show(overdue.unpaid_minor, overdue.currency)} unpaid; "
        f"the buyer is in stoppage from {on.isoformat()}{late}.",
        insured=False,
    )
    _audit(
        session, actor, policy, overdue, "overdue.reported", in_time=in_time, deadline=deadline.isoformat()
    )
    return overdue


def report_overdue(session: Session, actor: Actor, policy_id: uuid.UUID, invoice_number: str) -> Overdue:
    """Report one invoice's overdue today: stoppage on the buyer, alerts; late → the invoice out of cover."""
    policy = get_policy(session, policy_id)
    _check_insured(actor, policy)
    _take_turns(session, policy)
    on = get_clock().today()
    shipment = _shipment(session, policy, invoice_number)
    _check_reportable(session, shipment, on)
    return _report(session, actor, policy, shipment, on)


def report_overdues(
    session: Session, actor: Actor, policy_id: uuid.UUID, invoice_numbers: Sequence[str]
) -> list[Overdue]:
    """Report many overdues at once, all or none: the first bad one is refused with its row number."""
    policy = get_policy(session, policy_id)
    _check_insured(actor, policy)
    if not invoice_numbers:
        raise ValidationError("give at least one invoice", field="invoices")
    if len(invoice_numbers) > MAX_FILE_ROWS:
        raise ValidationError(f"at most {MAX_FILE_ROWS} invoices at once", field="invoices")
    _take_turns(session, policy)
    on = get_clock().today()
    shipments: list[Shipment] = []
    seen: set[str] = set()
    for row, number in enumerate(invoice_numbers, start=1):
        try:
            shipment = _shipment(session, policy, number)
            if shipment.invoice_number in seen:
                raise ValidationError(
                    f"invoice {shipment.invoice_number} is listed twice", field="invoice_number"
                )
            seen.add(shipment.invoice_number)
            _check_reportable(session, shipment, on)
        except (ValidationError, Conflict) as error:
            raise ValidationError(f"row {row}: {error.message}", field="invoices") from None
        shipments.append(shipment)
    return [_report(session, actor, policy, shipment, on) for shipment in shipments]


def read_overdue_file(content: bytes) -> list[str]:
    """The invoice numbers of a CSV file with an `invoice_number` column (other columns are ignored)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("the file is not UTF-8 text", field="file") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise ValidationError("the file is empty", field="file")
    if "invoice_number" not in [name.strip() for name in reader.fieldnames]:
        raise ValidationError("the header lacks the column 'invoice_number'", field="file")
    numbers = []
    for row in reader:
        value = next((v for k, v in row.items() if k is not None and k.strip() == "invoice_number"), None)
        if value is not None and value.strip():
            numbers.append(value.strip())
    if not numbers:
        raise ValidationError("the file has a header but no invoices", field="file")
    return numbers


# extensions ------------------------------------------------------------------------------------------
def _open_overdue(session: Session, overdue_id: uuid.UUID) -> tuple[Overdue, Policy]:
    overdue = get_overdue(session, overdue_id)
    policy = get_policy(session, overdue.policy_id)
    return overdue, policy


def request_extension(
    session: Session, actor: Actor, overdue_id: uuid.UUID, extended_due_date: dt.date, note: str | None = None
) -> Overdue:
    """Extend the due date: granted at once within the days allowed without consent, else referred."""
    overdue, policy = _open_overdue(session, overdue_id)
    _check_insured(actor, policy)
    if overdue.status not in (OverdueStatus.REPORTED, OverdueStatus.EXTENDED):
        raise Conflict(f"an overdue that is {overdue.status.value.replace('_', ' ')} cannot be extended")
    if not isinstance(extended_due_date, dt.date):
        raise ValidationError("must be a date", field="extended_due_date")
    check_extension(overdue.current_due_date, extended_due_date)
    text = _note(note)
    shipment = session.get(Shipment, overdue.shipment_id)
    assert shipment is not None
    terms = terms_on(policy, shipment.shipment_date)
    today = get_clock().today()
    overdue.extension_requested_on = today
    overdue.extension_note = text
    if needs_consent(terms, overdue.due_date, extended_due_date):
        overdue.requested_due_date = extended_due_date
        overdue.status = OverdueStatus.EXTENSION_REQUESTED
        latest = latest_extension_without_consent(terms, overdue.due_date)
        _tell(
            session,
            policy,
            overdue,
            "overdue_extension_referred",
            f"Extension to decide: invoice {overdue.invoice_number}",
            f"The insured asks to extend invoice {overdue.invoice_number} under policy {policy.number} to "
            f"{extended_due_date.isoformat()}, beyond {latest.isoformat()} (the most without consent).",
            insured=False,
        )
        _audit(
            session, actor, policy, overdue, "overdue.extension_referred", to=extended_due_date.isoformat()
        )
    else:
        overdue.extended_due_date = extended_due_date
        overdue.requested_due_date = None
        overdue.extension_decided_on = today
        overdue.status = OverdueStatus.EXTENDED
        _audit(session, actor, policy, overdue, "overdue.extended", to=extended_due_date.isoformat())
    session.flush()
    return overdue


def decide_extension(
    session: Session, actor: Actor, overdue_id: uuid.UUID, *, approve: bool, note: str | None = None
) -> Overdue:
    """The insurer approves or declines a referred extension."""
    overdue, policy = _open_overdue(session, overdue_id)
    _check_insurer(session, actor, policy)
    if overdue.status is not OverdueStatus.EXTENSION_REQUESTED or overdue.requested_due_date is None:
        raise Conflict("no extension of this overdue awaits a decision")
    if not isinstance(approve, bool):
        raise ValidationError("must be true or false", field="approve")
    text = _note(note)
    requested = overdue.requested_due_date
    if approve:
        overdue.extended_due_date = requested
    overdue.status = OverdueStatus.EXTENDED if overdue.extended_due_date else OverdueStatus.REPORTED
    overdue.requested_due_date = None
    overdue.extension_decided_on = get_clock().today()
    overdue.extension_decided_by_user_id = actor.user_id
    if text:
        overdue.extension_note = text
    verdict = "approved" if approve else "declined"
    raise_alerts(
        session,
        organisation_ids=[policy.policyholder_id],
        kind="overdue_extension_decided",
        subject_type="Overdue",
        subject_id=overdue.id,
        title=f"Extension {verdict}: invoice {overdue.invoice_number}",
        message=f"The extension of invoice {overdue.invoice_number} to {requested.isoformat()} was {verdict}"
        + (f": {text}" if text else "."),
    )
    _audit(session, actor, policy, overdue, f"overdue.extension_{verdict}", to=requested.isoformat())
    session.flush()
    return overdue


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    text = note.strip() if isinstance(note, str) else ""
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationError(f"must have at most {MAX_NOTE_LENGTH} characters", field="note")
    return text or None


# ending ----------------------------------------------------------------------------------------------
def buyer_still_stopped(session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, on: dt.date) -> bool:
    """True while something keeps the buyer in stoppage: a live report, or an unpaid invoice past its
    reporting deadline that was never reported."""
    live = session.scalar(
        select(Overdue.id).where(
            Overdue.policy_id == policy_id, Overdue.buyer_id == buyer_id, Overdue.status.in_(LIVE_STATUSES)
        )
    )
    if live is not None:
        return True
    unreported = session.scalar(
        select(Shipment.id).where(
            Shipment.policy_id == policy_id,
            Shipment.buyer_id == buyer_id,
            Shipment.cover_lost_on.is_not(None),
            Shipment.paid_minor < Shipment.amount_minor,
            Shipment.cover_lost_on <= on,
        )
    )
    return unreported is not None


def withdraw_overdue(session: Session, actor: Actor, overdue_id: uuid.UUID) -> Overdue:
    """Withdraw a report once the invoice is paid; the stoppage lifts when nothing else keeps it."""
    overdue, policy = _open_overdue(session, overdue_id)
    _check_insured(actor, policy)
    if overdue.status not in OPEN_STATUSES:
        raise Conflict(f"an overdue that is {overdue.status.value} cannot be withdrawn")
    shipment = session.get(Shipment, overdue.shipment_id)
    assert shipment is not None
    if shipment.paid_minor < shipment.amount_minor:
        left = show(shipment.amount_minor - shipment.paid_minor, shipment.currency)
        raise ValidationError(
            f"invoice {shipment.invoice_number} still has {left} unpaid; declare the payment first",
            field="overdue",
        )
    today = get_clock().today()
    _withdraw(session, policy, overdue, today)
    _audit(session, actor, policy, overdue, "overdue.withdrawn")
    return overdue


def _withdraw(session: Session, policy: Policy, overdue: Overdue, on: dt.date) -> None:
    overdue.status = OverdueStatus.WITHDRAWN
    overdue.withdrawn_on = on
    overdue.requested_due_date = None
    session.flush()
    lifted = None
    if not buyer_still_stopped(session, policy.id, overdue.buyer_id, on):
        lifted = events.lift_stoppage(session, policy.id, overdue.buyer_id, on)
    after = f"; the stoppage on the buyer is lifted from {on.isoformat()}" if lifted else ""
    _tell(
        session,
        policy,
        overdue,
        "overdue_withdrawn",
        f"Overdue withdrawn: invoice {overdue.invoice_number}",
        f"Invoice {overdue.invoice_number} under policy {policy.number} is paid{after}.",
        insured=False,
    )


def withdraw_paid_overdues(session: Session, on: dt.date) -> list[Overdue]:
    """Withdraw every open report whose invoice is now paid (the daily tick)."""
    paid = session.scalars(
        select(Overdue)
        .join(Shipment, Shipment.id == Overdue.shipment_id)
        .where(Overdue.status.in_(OPEN_STATUSES), Shipment.paid_minor >= Shipment.amount_minor)
        .order_by(Overdue.reported_on, Overdue.id)
    ).all()
    for overdue in paid:
        policy = session.get(Policy, overdue.policy_id)
        assert policy is not None
        _withdraw(session, policy, overdue, on)
    return list(paid)


# claims ----------------------------------------------------------------------------------------------
def mark_claimed(session: Session, overdue_ids: Iterable[uuid.UUID]) -> list[Overdue]:
    """Mark reported overdues as claimed (a claim was filed on them); refuses a withdrawn one."""
    ids = list(dict.fromkeys(overdue_ids))
    found = session.scalars(select(Overdue).where(Overdue.id.in_(ids))).all() if ids else []
    if len(found) != len(ids):
        raise NotFound("no such overdue")
    today = get_clock().today()
    for overdue in found:
        if overdue.status is OverdueStatus.WITHDRAWN:
            raise Conflict(f"the overdue of invoice {overdue.invoice_number} was withdrawn", field="invoices")
        if overdue.status is not OverdueStatus.CLAIMED:
            overdue.status = OverdueStatus.CLAIMED
            overdue.claimed_on = today
            overdue.requested_due_date = None
    session.flush()
    return list(found)


def record_loss_event(
    session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, cause: CauseOfLoss, event_on: dt.date
) -> events.LossEvent:
    """Record a loss event on the buyer (bars later and late-declared cover); see declarations.events."""
    return events.record_loss_event(session, policy_id, buyer_id, cause, event_on)
