"""Filing a claim: by the insured or the bank its policy is assigned to, on reported overdues of one buyer.

The date of loss follows the cause (DESIGN §2 "Overdue and loss"); a claim is refused before the date of
loss of any of its invoices or after the filing window, with the dates in the message. Filing marks the
overdues claimed and records the loss event on the buyer (so later declarations on it are judged so).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.alerts.service import raise_alerts
from tradecover.audit.service import record
from tradecover.claims.model import Claim, ClaimInvoice
from tradecover.claims.overdues import mark_claimed, reported_overdue
from tradecover.claims.rules.deadlines import check_filing_date, date_of_loss
from tradecover.clock import get_clock, utcnow
from tradecover.coinsurance.service import pool_terms_of
from tradecover.declarations.events import record_loss_event
from tradecover.declarations.model import Shipment
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.policies.terms import CauseOfLoss
from tradecover.premiums.invoicing import next_number

MAY_FILE = (Role.POLICYHOLDER, Role.BANK_OFFICER, Role.PLATFORM_ADMIN)
MAX_INVOICES = 500
MAX_DESCRIPTION = 2000


@dataclass(frozen=True, slots=True)
class Credit:
    """A payment or credit note received from the buyer that the insured declares with the claim."""

    received_on: dt.date
    amount: Money
    invoice_number: str | None = None  # set: a credit note tied to that invoice


def policy_year_start(policy: Policy, day: dt.date) -> dt.date:
    """The first day of the policy year that `day` falls in (years run from the period start)."""
    start = policy.period_start
    years = 0
    while True:
        try:
            following = start.replace(year=start.year + years + 1)
        except ValueError:  # 29 February
            following = start.replace(year=start.year + years + 1, day=28) + dt.timedelta(days=1)
        if day < following:
            break
        years += 1
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28) + dt.timedelta(days=1)


def _policy_for_filing(session: Session, actor: Actor, policy_id: uuid.UUID) -> Policy:
    actor.require(*MAY_FILE)
    policy = session.get(Policy, policy_id)
    if policy is None:
        raise NotFound(f"no such policy: {policy_id}", field="policy_id")
    if actor.is_platform_admin:
        return policy
    if actor.has(Role.POLICYHOLDER) and actor.organisation_id == policy.policyholder_id:
        return policy
    bank = policy.loss_payee_id
    if actor.has(Role.BANK_OFFICER) and bank is not None and actor.organisation_id == bank:
        return policy
    raise PermissionDenied(
        f"only the insured or the bank policy {policy.number} is assigned to files its claims"
    )


def _shipments(session: Session, policy: Policy, shipment_ids: Sequence[uuid.UUID]) -> list[Shipment]:
    if not shipment_ids:
        raise ValidationError("name at least one overdue invoice", field="shipment_ids")
    if len(shipment_ids) > MAX_INVOICES:
        raise ValidationError(f"at most {MAX_INVOICES} invoices per claim", field="shipment_ids")
    if len(set(shipment_ids)) != len(shipment_ids):
        raise ValidationError("each invoice may be named only once", field="shipment_ids")
    found = {s.id: s for s in session.scalars(select(Shipment).where(Shipment.id.in_(list(shipment_ids))))}
    result: list[Shipment] = []
    for shipment_id in shipment_ids:
        shipment = found.get(shipment_id)
        if shipment is None or shipment.policy_id != policy.id:
            raise ValidationError(
                f"invoice {shipment_id} is not a shipment declared under policy {policy.number}",
                field="shipment_ids",
            )
        result.append(shipment)
    buyers = {s.buyer_id for s in result}
    if len(buyers) != 1:
        raise ValidationError(
            "a claim is on one buyer: name invoices of one buyer only", field="shipment_ids"
        )
    return sorted(result, key=lambda s: (s.shipment_date, s.due_date, s.invoice_number))


def _already_claimed(session: Session, shipments: Sequence[Shipment]) -> None:
    rows = session.execute(
        select(ClaimInvoice.invoice_number, Claim.number)
        .join(Claim, Claim.id == ClaimInvoice.claim_id)
        .where(ClaimInvoice.live_shipment_id.in_([s.id for s in shipments]))
        .execution_options(tenant_exempt=True)
    ).all()
    if rows:
        invoice, claim = rows[0]
        raise ValidationError(f"invoice {invoice} is already claimed on claim {claim}", field="shipment_ids")


def _credits(policy: Policy, credits: Sequence[Credit], invoice_numbers: set[str]) -> list[dict[str, object]]:
    result: list[dict[str, object]] = []
    for number, credit in enumerate(credits, start=1):
        where = f"credit {number}"
        if credit.amount.currency != policy.currency:
            raise ValidationError(
                f"{where}: must be in the policy currency {policy.currency}", field="credits"
            )
        if not credit.amount.is_positive:
            raise ValidationError(f"{where}: the amount must be above zero", field="credits")
        invoice = credit.invoice_number.strip() if credit.invoice_number else None
        if invoice is not None and invoice not in invoice_numbers:
            raise ValidationError(f"{where}: invoice {invoice} is not claimed on this claim", field="credits")
        result.append(
            {
                "received_on": credit.received_on.isoformat(),
                "amount_minor": credit.amount.minor_units,
                "invoice_number": invoice,
            }
        )
    return result


def _text(value: str | None, field: str, max_length: int) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value.strip()) > max_length:
        raise ValidationError(f"must be at most {max_length} characters", field=field)
    return value.strip()


def file_claim(
    session: Session,
    actor: Actor,
    policy_id: uuid.UUID,
    *,
    cause: CauseOfLoss | str,
    shipment_ids: Sequence[uuid.UUID],
    insolvency_date: dt.date | None = None,
    event_date: dt.date | None = None,
    credits: Sequence[Credit] = (),
    description: str | None = None,
) -> Claim:
    """File a claim on reported overdue invoices of one buyer; refused outside the filing window."""
    policy = _policy_for_filing(session, actor, policy_id)
    try:
        cause = CauseOfLoss(cause)
    except ValueError:
        causes = ", ".join(c.value for c in CauseOfLoss)
        raise ValidationError(f"{cause!r} is not one of {causes}", field="cause") from None
    today = get_clock().today()
    for name, day in (("insolvency_date", insolvency_date), ("event_date", event_date)):
        if day is not None and day > today:
            raise ValidationError(f"must not be after today ({today.isoformat()})", field=name)
    shipments = _shipments(session, policy, shipment_ids)
    _already_claimed(session, shipments)
    terms = policy.current_version.terms
    overdue_ids: list[uuid.UUID] = []
    losses: list[dt.date] = []
    for shipment in shipments:
        overdue = reported_overdue(session, shipment.id)
        if overdue is None:
            raise ValidationError(
                f"invoice {shipment.invoice_number} has no overdue report: report the overdue first",
                field="shipment_ids",
            )
        overdue_ids.append(overdue.id)
        due = overdue.extended_due_date or shipment.due_date
        loss = date_of_loss(
            terms, cause, due_date=due, insolvency_date=insolvency_date, event_date=event_date
        )
        try:
            check_filing_date(terms, loss, today)
        except ValidationError as error:
            raise ValidationError(
                f"invoice {shipment.invoice_number}: {error.message}", field="filed_on"
            ) from None
        losses.append(loss)
    credit_rows = _credits(policy, credits, {s.invoice_number for s in shipments})
    buyer_id = shipments[0].buyer_id
    loss_date = min(losses)
    claim = Claim(
        id=uuid.uuid4(),
        number=next_number(session, "CLM", Claim.number, today.year),
        policy_id=policy.id,
        policyholder_id=policy.policyholder_id,
        insurer_id=policy.insurer_id,
        buyer_id=buyer_id,
        cause=cause,
        date_of_loss=loss_date,
        insolvency_date=insolvency_date,
        event_date=event_date,
        currency=policy.currency,
        policy_year_start=policy_year_start(policy, shipments[0].shipment_date),
        filed_on=today,
        filed_at=utcnow(),
        filed_by_user_id=actor.user_id,
        filed_by_organisation_id=actor.organisation_id or policy.policyholder_id,
        credits=credit_rows,
        description=_text(description, "description", MAX_DESCRIPTION),
    )
    session.add(claim)
    session.flush()
    for position, (shipment, overdue_id) in enumerate(zip(shipments, overdue_ids, strict=True), start=1):
        session.add(
            ClaimInvoice(
                claim_id=claim.id,
                position=position,
                shipment_id=shipment.id,
                live_shipment_id=shipment.id,
                overdue_id=overdue_id,
                invoice_number=shipment.invoice_number,
                currency=shipment.currency,
                shipment_date=shipment.shipment_date,
                due_date=shipment.due_date,
                amount_minor=shipment.amount_minor,
                insured_minor=shipment.claimable_insured_minor,
                paid_minor=shipment.paid_minor,
            )
        )
    session.flush()
    mark_claimed(session, overdue_ids)
    record_loss_event(session, policy.id, buyer_id, cause, loss_date)
    session.refresh(claim)
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="claim.filed",
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=policy.policyholder_id,
        details={
            "number": claim.number,
            "cause": cause.value,
            "invoices": [s.invoice_number for s in shipments],
        },
    )
    _alert_filed(session, policy, claim)
    return claim


def _alert_filed(session: Session, policy: Policy, claim: Claim) -> None:
    pool = pool_terms_of(session, policy.insurer_id)
    insurer = pool.leader_id if pool is not None else policy.insurer_id
    addressees = [insurer]
    if policy.loss_payee_id is not None:
        addressees.append(policy.loss_payee_id)
    raise_alerts(
        session,
        organisation_ids=addressees,
        kind="claim.filed",
        subject_type="claim",
        subject_id=claim.id,
        title=f"Claim {claim.number} filed",
        message=(
            f"Claim {claim.number} under policy {policy.number}: "
            f"cause {claim.cause.value.replace('_', ' ')}, "
            f"date of loss {claim.date_of_loss.isoformat()}, {len(claim.invoices)} invoice(s)."
        ),
    )
