"""Facilities: a bank sets one up for an insured's policy, the insured assigns it, the bank closes it.

Assigning the policy is the loss-payee endorsement (`Policy.loss_payee_id/_since/_facility_id`): from then
on the bank sees the policy, its limits and shipments, and claims pay the bank's outstanding first.
Closing a fully repaid facility releases the assignment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.alerts.service import raise_alerts
from tradecover.audit.service import record
from tradecover.clock import get_clock
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.financing.model import Facility, FacilityStatus
from tradecover.financing.rules import check_advance_rate
from tradecover.ledger.chart import Chart
from tradecover.ledger.service import account_balance, find_account
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.premiums.books import whole_books

SUBJECT = "Facility"


def get_facility(session: Session, facility_id: uuid.UUID, *, lock: bool = False) -> Facility:
    """A facility the session's organisation is party to; NotFound otherwise."""
    query = select(Facility).where(Facility.id == facility_id)
    facility = session.scalars(query.with_for_update() if lock else query).first()
    if facility is None:
        raise NotFound(f"no such facility: {facility_id}", field="facility_id")
    return facility


def find_facility(session: Session, key: str) -> Facility:
    """A facility by id or reference ('FAC-1A2B3C4D'), among those the session sees."""
    wanted = (key or "").strip()
    try:
        return get_facility(session, uuid.UUID(wanted))
    except ValueError:
        pass
    found = [f for f in session.scalars(select(Facility)).all() if f.reference == wanted.upper()]
    if len(found) != 1:
        raise NotFound(
            f"no facility {wanted!r} (give its id or reference, e.g. FAC-1A2B3C4D)", field="facility"
        )
    return found[0]


def list_facilities(session: Session, actor: Actor) -> Sequence[Facility]:
    """The facilities the actor's organisation lends or borrows under, newest first."""
    return session.scalars(select(Facility).order_by(Facility.created_at.desc(), Facility.id)).all()


def outstanding(session: Session, facility: Facility) -> Money:
    """What the facility has outstanding: the balance of the bank's loan account for it."""
    code = f"{Chart.LOANS_RECEIVABLE.code}-{facility.id.hex}"
    # The loan account is the bank's; the insured sees the outstanding of its own facility too.
    with whole_books(session):
        found = find_account(session, organisation_id=facility.bank_id, code=code, currency=facility.currency)
        if found is None:
            return Money.zero(facility.currency)
        return account_balance(session, found.id)


def check_bank_officer(actor: Actor, facility: Facility) -> None:
    """Only an officer of the facility's bank (or the operator) acts for the bank on it."""
    actor.require(Role.BANK_OFFICER, Role.PLATFORM_ADMIN)
    if not actor.is_platform_admin and actor.organisation_id != facility.bank_id:
        raise PermissionDenied(f"only the bank of facility {facility.reference} does this")


def _bank_of(session: Session, actor: Actor, bank_id: uuid.UUID | None) -> uuid.UUID:
    actor.require(Role.BANK_OFFICER, Role.PLATFORM_ADMIN)
    if not actor.is_platform_admin:
        if actor.organisation_kind is not OrganisationKind.BANK or actor.organisation_id is None:
            raise PermissionDenied("only a bank sets up facilities")
        return actor.organisation_id
    if bank_id is None:
        raise ValidationError("name the bank that lends", field="bank_id")
    bank = session.scalars(
        select(Organisation).where(Organisation.id == bank_id).execution_options(tenant_exempt=True)
    ).first()
    if bank is None or bank.kind is not OrganisationKind.BANK:
        raise ValidationError("must be a bank on the platform", field="bank_id")
    return bank.id


def _policy_for_facility(session: Session, policy_id: uuid.UUID) -> Policy:
    # The bank has no part in the policy before it is assigned: it names the policy the insured showed it.
    policy = session.scalars(
        select(Policy).where(Policy.id == policy_id).execution_options(tenant_exempt=True)
    ).first()
    if policy is None or policy.status is not PolicyStatus.IN_FORCE:
        raise NotFound(f"no policy in force with id {policy_id}", field="policy_id")
    return policy


def policy_id_by_number(session: Session, number: str) -> uuid.UUID:
    """The id of the policy in force with this number (a bank names the policy the insured showed it)."""
    wanted = (number or "").strip()
    if not wanted or len(wanted) > 32:
        raise ValidationError("enter the policy number", field="policy_number")
    found = session.scalars(
        select(Policy.id)
        .where(Policy.number == wanted, Policy.status == PolicyStatus.IN_FORCE)
        .execution_options(tenant_exempt=True)
    ).first()
    if found is None:
        raise ValidationError(f"no policy in force numbered {wanted}", field="policy_number")
    return found


def currency_of_policy(session: Session, policy_id: uuid.UUID) -> str:
    """The currency of a policy in force (a facility against it lends in it)."""
    return _policy_for_facility(session, policy_id).currency


def _rate(value: Decimal | str) -> Decimal:
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError("must be a decimal fraction such as 0.8", field="advance_rate") from None
    return check_advance_rate(rate)


def create_facility(
    session: Session,
    actor: Actor,
    *,
    policy_id: uuid.UUID,
    limit: Money,
    advance_rate: Decimal | str,
    starts_on: dt.date,
    matures_on: dt.date,
    bank_id: uuid.UUID | None = None,
) -> Facility:
    """A bank sets up a facility for the insured of a policy in force (in the policy's currency)."""
    lender = _bank_of(session, actor, bank_id)
    rate = _rate(advance_rate)
    if not isinstance(starts_on, dt.date) or not isinstance(matures_on, dt.date):
        raise ValidationError("must be dates", field="matures_on")
    if matures_on <= starts_on:
        raise ValidationError("the facility must mature after it starts", field="matures_on")
    policy = _policy_for_facility(session, policy_id)
    if not isinstance(limit, Money) or limit.currency != policy.currency:
        raise ValidationError(f"must be in the policy currency {policy.currency}", field="limit")
    if not limit.is_positive:
        raise ValidationError("must be more than zero", field="limit")
    facility = Facility(
        bank_id=lender,
        policyholder_id=policy.policyholder_id,
        policy_id=policy.id,
        insurer_id=policy.insurer_id,
        currency=policy.currency,
        limit_minor=limit.minor_units,
        advance_rate=rate,
        starts_on=starts_on,
        matures_on=matures_on,
        status=FacilityStatus.ACTIVE,
        created_by_user_id=actor.user_id,
    )
    session.add(facility)
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=policy.policyholder_id,
        action="facility.created",
        object_type=SUBJECT,
        object_id=facility.id,
        details={
            "policy": policy.number,
            "limit": format(limit.amount, "f"),
            "currency": limit.currency,
            "advance_rate": format(rate, "f"),
        },
    )
    raise_alerts(
        session,
        organisation_ids=[policy.policyholder_id],
        kind="facility_offered",
        subject_type=SUBJECT,
        subject_id=facility.id,
        title=f"Facility {facility.reference} offered against policy {policy.number}",
        message=(
            f"A bank set up facility {facility.reference} of {limit} at an advance rate of "
            f"{rate * 100:.0f}% against policy {policy.number}. Assign the policy to it to draw."
        ),
    )
    return facility


def policy_of(session: Session, facility: Facility) -> Policy:
    """The facility's policy, for whoever sees the facility (the bank names it before the assignment)."""
    return _policy_of(session, facility)


def _policy_of(session: Session, facility: Facility) -> Policy:
    return session.scalars(
        select(Policy).where(Policy.id == facility.policy_id).execution_options(tenant_exempt=True)
    ).one()


def assign_policy(session: Session, actor: Actor, facility_id: uuid.UUID) -> Facility:
    """The insured assigns its policy to the facility: the bank becomes loss payee from today."""
    facility = get_facility(session, facility_id, lock=True)
    actor.require(Role.POLICYHOLDER, Role.PLATFORM_ADMIN)
    if not actor.is_platform_admin and actor.organisation_id != facility.policyholder_id:
        raise PermissionDenied("only the insured assigns its policy")
    if facility.status is not FacilityStatus.ACTIVE:
        raise BusinessRuleViolation(f"facility {facility.reference} is closed", field="facility_id")
    if facility.assigned_on is not None:
        raise Conflict(
            f"the policy is already assigned to facility {facility.reference}", field="facility_id"
        )
    policy = _policy_of(session, facility)
    session.execute(
        select(Policy.id)
        .where(Policy.id == policy.id)
        .with_for_update()
        .execution_options(tenant_exempt=True)
    )
    if policy.status is not PolicyStatus.IN_FORCE:
        raise BusinessRuleViolation(f"policy {policy.number} is not in force", field="facility_id")
    if policy.loss_payee_id is not None:
        raise Conflict(
            f"policy {policy.number} is already assigned to a bank; that facility must be closed first",
            field="facility_id",
        )
    today = get_clock().today()
    policy.loss_payee_id = facility.bank_id
    policy.loss_payee_since = today
    policy.loss_payee_facility_id = facility.id
    facility.assigned_on = today
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=policy.policyholder_id,
        action="policy.assigned",
        object_type="Policy",
        object_id=policy.id,
        details={
            "facility": facility.reference,
            "bank_id": str(facility.bank_id),
            "since": today.isoformat(),
        },
    )
    raise_alerts(
        session,
        organisation_ids=[policy.insurer_id, facility.bank_id],
        kind="policy_assigned",
        subject_type="Policy",
        subject_id=policy.id,
        title=f"Policy {policy.number} assigned to a bank (facility {facility.reference})",
        message=(
            f"From {today.isoformat()} the indemnity under policy {policy.number} is payable to the bank "
            f"of facility {facility.reference} first, up to what it has outstanding (loss-payee endorsement)."
        ),
    )
    return facility


def close_facility(session: Session, actor: Actor, facility_id: uuid.UUID) -> Facility:
    """The bank closes a fully repaid facility; the policy's assignment to it is released."""
    facility = get_facility(session, facility_id, lock=True)
    check_bank_officer(actor, facility)
    if facility.status is FacilityStatus.CLOSED:
        raise Conflict(f"facility {facility.reference} is closed already", field="facility_id")
    owed = outstanding(session, facility)
    if not owed.is_zero:
        raise BusinessRuleViolation(
            f"facility {facility.reference} still has {owed} outstanding; it closes once fully repaid",
            field="facility_id",
        )
    today = get_clock().today()
    facility.status = FacilityStatus.CLOSED
    facility.closed_on = today
    policy = _policy_of(session, facility)
    if policy.loss_payee_facility_id == facility.id:
        policy.loss_payee_id = None
        policy.loss_payee_since = None
        policy.loss_payee_facility_id = None
        facility.released_on = today
        record(
            session,
            actor_user_id=actor.user_id,
            actor_organisation_id=actor.organisation_id,
            subject_organisation_id=policy.policyholder_id,
            action="policy.assignment_released",
            object_type="Policy",
            object_id=policy.id,
            details={"facility": facility.reference, "on": today.isoformat()},
        )
        raise_alerts(
            session,
            organisation_ids=[policy.insurer_id, policy.policyholder_id],
            kind="policy_assignment_released",
            subject_type="Policy",
            subject_id=policy.id,
            title=f"Policy {policy.number} no longer assigned (facility {facility.reference} closed)",
            message=(
                f"Facility {facility.reference} was repaid and closed on {today.isoformat()}; the indemnity "
                f"under policy {policy.number} is payable to the insured again."
            ),
        )
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=facility.policyholder_id,
        action="facility.closed",
        object_type=SUBJECT,
        object_id=facility.id,
        details={"on": today.isoformat()},
    )
    session.flush()
    return facility


def assigned_policies(session: Session, actor: Actor) -> Sequence[Policy]:
    """The policies assigned to the actor's bank (all assigned policies for the operator)."""
    query = select(Policy).where(Policy.loss_payee_id.is_not(None))
    if not actor.is_platform_admin:
        query = query.where(Policy.loss_payee_id == actor.organisation_id)
    return session.scalars(query.order_by(Policy.number)).all()
