"""Demo overdues and claims: what exporters reported and insurers paid in 2025, up to the demo's date.

Every invoice that a buyer which stopped paying left unpaid is reported as overdue 20 days after its due
date (inside the 30 days the policies allow), which puts the buyer into stoppage on that policy. Where
the waiting period has passed, the exporter files a claim a week after the date of loss with its
documents; the insurer's claims staff declare the documents complete, decide, and each insurer pays its
part, some within the service levels and some not, so the service-level dashboard has real times to
show. The most recent claims are left waiting in the claims queue, and one paid claim has a recovery.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.claims.assessment import assess_claim, preview_assessment
from tradecover.claims.documents import mark_documents_complete, upload_document
from tradecover.claims.filing import file_claim
from tradecover.claims.model import Claim, ClaimOutcome, ClaimStatus
from tradecover.claims.overdue_model import Overdue
from tradecover.claims.overdues import report_overdues
from tradecover.claims.recoveries import record_recovery
from tradecover.claims.rules.deadlines import date_of_loss
from tradecover.claims.settlement import pay_member_share
from tradecover.declarations.model import Shipment
from tradecover.demo.days import on_day
from tradecover.errors import DomainError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import User, UserRole
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for
from tradecover.policies.model import Policy
from tradecover.policies.terms import CauseOfLoss, ProductKind

REPORTED_AFTER_DUE = dt.timedelta(days=20)
FILED_AFTER_LOSS = dt.timedelta(days=7)
COMPLETE_AFTER_FILING = dt.timedelta(days=6)
# Days from complete documents to the decision, in turn: some past the 30-day service level.
DECISION_DAYS = (9, 16, 24, 33, 12, 41, 19, 27)
PAYMENT_DAYS = (2, 3, 4, 7, 3, 9)
MOST_CLAIMS = 14
SETTLED_CLAIMS, QUEUED_CLAIMS = 10, 4
HANDLER_ROLES = (Role.CLAIMS_HANDLER, Role.INSURER_ADMIN)
CLAIM_LETTER = (
    b"%PDF-1.4\n% Demo claim file: unpaid invoices, statement of account, reminders sent to the buyer\n"
    b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def report_demo_overdues(
    session: Session, today: dt.date, *, except_policies: Sequence[uuid.UUID] = ()
) -> int:
    """Report every unpaid invoice 20 days after its due date (up to `today`), in date order; how many."""
    unpaid = session.scalars(
        select(Shipment)
        .where(
            Shipment.paid_minor < Shipment.amount_minor,
            Shipment.due_date <= today - REPORTED_AFTER_DUE,
            Shipment.policy_id.not_in(list(except_policies)) if except_policies else Shipment.id.is_not(None),
        )
        .order_by(Shipment.due_date, Shipment.policy_id, Shipment.invoice_number)
    ).all()
    by_day: dict[tuple[dt.date, uuid.UUID], list[str]] = defaultdict(list)
    for shipment in unpaid:
        by_day[shipment.due_date + REPORTED_AFTER_DUE, shipment.policy_id].append(shipment.invoice_number)
    system = Actor.system()
    reported = 0
    for (day, policy_id), invoices in sorted(by_day.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        with on_day(day):
            reported += len(report_overdues(session, system, policy_id, invoices))
    return reported


@dataclass(frozen=True, slots=True)
class _Candidate:
    policy: Policy
    buyer_id: uuid.UUID
    loss_on: dt.date
    shipment_ids: tuple[uuid.UUID, ...]


def _candidates(session: Session, today: dt.date) -> list[_Candidate]:
    """Export policies' buyers with reported overdues whose date of loss (protracted default) has come."""
    rows = session.execute(
        select(Overdue, Shipment)
        .join(Shipment, Shipment.id == Overdue.shipment_id)
        .order_by(Shipment.due_date, Shipment.invoice_number)
    ).all()
    grouped: dict[tuple[uuid.UUID, uuid.UUID], list[Shipment]] = defaultdict(list)
    for _overdue, shipment in rows:
        grouped[shipment.policy_id, shipment.buyer_id].append(shipment)
    found: list[_Candidate] = []
    for (policy_id, buyer_id), shipments in grouped.items():
        policy = session.get_one(Policy, policy_id)
        if policy.product_kind is not ProductKind.EXPORT_WHOLE_TURNOVER:
            continue
        terms = policy.current_version.terms
        first_loss = date_of_loss(terms, CauseOfLoss.PROTRACTED_DEFAULT, due_date=shipments[0].due_date)
        filed_on = first_loss + FILED_AFTER_LOSS
        if filed_on > today:
            continue
        claimed = tuple(
            s.id
            for s in shipments
            if date_of_loss(terms, CauseOfLoss.PROTRACTED_DEFAULT, due_date=s.due_date) <= filed_on
        )
        found.append(_Candidate(policy, buyer_id, first_loss, claimed))
    ordered = sorted(found, key=lambda c: (c.loss_on, c.policy.number, str(c.buyer_id)))
    # The oldest go all the way to payment; the newest are still in the claims queue on the demo's date.
    return ordered if len(ordered) <= MOST_CLAIMS else ordered[:SETTLED_CLAIMS] + ordered[-QUEUED_CLAIMS:]


def _staff(session: Session, organisation_id: uuid.UUID) -> Actor | None:
    user = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.organisation_id == organisation_id, UserRole.role.in_(HANDLER_ROLES))
        .order_by(User.email)
    ).first()
    return None if user is None else actor_for(user)


def _pay_all(session: Session, claim: Claim, day: dt.date) -> None:
    for share in claim.members:
        payer = _staff(session, share.member_id)
        if payer is not None and share.paid_on is None:
            pay_member_share(
                session,
                payer,
                claim.id,
                share.member_id,
                paid_on=day,
                idempotency_key=f"demo-{claim.number}-{share.position}",
            )


def seed_demo_claims(session: Session, today: dt.date) -> int:
    """File, decide and pay the claims whose dates have come by `today`; how many were filed."""
    system = Actor.system()
    filed = 0
    for number, candidate in enumerate(_candidates(session, today)):
        handler = _staff(session, candidate.policy.insurer_id)
        filed_on = candidate.loss_on + FILED_AFTER_LOSS
        try:
            with session.begin_nested(), on_day(filed_on):
                claim = file_claim(
                    session,
                    system,
                    candidate.policy.id,
                    cause=CauseOfLoss.PROTRACTED_DEFAULT,
                    shipment_ids=list(candidate.shipment_ids),
                    description="Buyer stopped paying; reminders and a demand letter went unanswered.",
                )
                upload_document(session, system, claim.id, file_name="claim-file.pdf", content=CLAIM_LETTER)
        except DomainError:
            continue  # nothing of this buyer's invoices is claimable (e.g. all out of cover)
        filed += 1
        if handler is None:
            continue
        complete_on = filed_on + COMPLETE_AFTER_FILING
        if complete_on > today:
            continue
        with on_day(complete_on):
            mark_documents_complete(session, handler, claim.id)
        decided_on = complete_on + dt.timedelta(days=DECISION_DAYS[number % len(DECISION_DAYS)])
        if decided_on > today:
            continue
        with on_day(decided_on):
            if not preview_assessment(session, handler, claim.id).indemnity.is_positive:
                assess_claim(
                    session,
                    handler,
                    claim.id,
                    outcome=ClaimOutcome.REJECTED,
                    reason="Nothing payable: the invoices were out of cover or below the non-qualifying loss",
                )
                continue
            assess_claim(session, handler, claim.id, outcome=ClaimOutcome.APPROVED)
        paid_on = decided_on + dt.timedelta(days=PAYMENT_DAYS[number % len(PAYMENT_DAYS)])
        if claim.status is not ClaimStatus.ASSESSED or paid_on > today:
            continue  # waiting for a second approver, or not yet paid
        with on_day(paid_on):
            _pay_all(session, claim, paid_on)
        _first_recovery(session, handler, claim, paid_on, today, filed)
    return filed


def _first_recovery(
    session: Session, handler: Actor, claim: Claim, paid_on: dt.date, today: dt.date, filed: int
) -> None:
    """The first claim paid early enough gets a dividend from the buyer's estate 45 days later."""
    received_on = paid_on + dt.timedelta(days=45)
    if filed != 1 or received_on > today or not claim.insured_loss_minor:
        return
    amount = Money.from_minor(claim.insured_loss_minor // 5, claim.currency)
    with on_day(received_on):
        record_recovery(
            session,
            handler,
            claim.id,
            amount=amount,
            costs=Money.from_minor(amount.minor_units // 10, claim.currency),
            received_on=received_on,
            note="First dividend from the buyer's estate, after a collection agency's costs",
        )
