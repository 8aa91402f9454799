"""Assessing a claim: the indemnity computed step by step, previewed or decided, and the approval postings.

The facts come from the books: every invoice of the buyer under the policy (claimed or not, so that the
buyer's payments settle the oldest first), the payments received from the buyer and the credits filed with
the claim, the policy's terms, and what earlier decided claims of the same policy year used of the
aggregate first loss and the maximum liability. `claims.rules.indemnity.compute_indemnity` does the
arithmetic; `claims.rules.settlement.settle` splits the decided indemnity among the pool members and
between the bank and the insured.

A decision above the product's `decision_bands.instant_up_to` waits for a second claims handler. On
approval each member books Dr claims expense / Cr claims payable for its part, and the insured books
Dr indemnity receivable / Cr indemnity income for the whole.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.claims.model import Claim, ClaimMemberShare, ClaimOutcome, ClaimStatus
from tradecover.claims.queries import check_handler, get_claim
from tradecover.claims.rules.deadlines import payment_deadline
from tradecover.claims.rules.indemnity import (
    ClaimTerms,
    IndemnityBreakdown,
    InvoiceFacts,
    ReceiptFacts,
    compute_indemnity,
    indemnity_rate,
)
from tradecover.claims.rules.settlement import MemberSettlement, bank_owed, settle
from tradecover.clock import get_clock
from tradecover.coinsurance.rules import MemberShare
from tradecover.declarations.model import Payment, Shipment
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart, account, loan_account
from tradecover.ledger.rules import PostingLine
from tradecover.ledger.service import account_balance, post_entry
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy
from tradecover.policies.terms import PolicyTerms
from tradecover.premiums.books import underwriters_of, whole_books
from tradecover.reference.calendars import calendar_for_currency
from tradecover.reference.fx import convert

CLAIM_DOCUMENT = "claim"
MAX_REASON = 2000
PUBLIC_BODIES = (BuyerKind.LOCAL_GOVERNMENT, BuyerKind.STATE_OWNED_ENTERPRISE)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A claim's computed indemnity, its split among members and payees, and whether two approvals apply."""

    claim: Claim
    breakdown: IndemnityBreakdown
    settlement: tuple[MemberSettlement, ...]
    bank_owed: Money | None
    second_approval_above: Money

    @property
    def indemnity(self) -> Money:
        """The indemnity the rules allow."""
        return self.breakdown.indemnity

    @property
    def needs_second_approval(self) -> bool:
        """True when the indemnity is above what one claims handler may decide alone."""
        return self.indemnity > self.second_approval_above

    def to_json(self) -> dict[str, Any]:
        """Everything a person needs to check the computation: facts, steps, splits."""
        answer = self.breakdown.to_json()
        zero = Money.zero(self.claim.currency)
        answer.update(
            {
                "claim_id": str(self.claim.id),
                "claim_number": self.claim.number,
                "cause": self.claim.cause.value,
                "date_of_loss": self.claim.date_of_loss.isoformat(),
                "policy_year_start": self.claim.policy_year_start.isoformat(),
                "members": [part.to_json() for part in self.settlement],
                "bank_owed_minor": None if self.bank_owed is None else self.bank_owed.minor_units,
                "bank_owed": None if self.bank_owed is None else str(self.bank_owed.amount),
                "to_bank_minor": sum((p.to_bank for p in self.settlement), zero).minor_units,
                "to_insured_minor": sum((p.to_insured for p in self.settlement), zero).minor_units,
                "second_approval_above": str(self.second_approval_above.amount),
                "needs_second_approval": self.needs_second_approval,
            }
        )
        return answer


def _in_currency(money: Money, currency: str, on: dt.date) -> Money:
    return money if money.currency == currency else convert(money, currency, on)


def _next_year(start: dt.date) -> dt.date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28) + dt.timedelta(days=1)


def _policy(session: Session, claim: Claim) -> Policy:
    policy = session.get(Policy, claim.policy_id)
    if policy is None:  # pragma: no cover - whoever sees the claim sees its policy
        raise NotFound(f"no such policy: {claim.policy_id}")
    return policy


def _used_this_year(session: Session, claim: Claim) -> tuple[int, int]:
    """What other decided claims of the policy year used: (aggregate first loss, indemnity)."""
    row = session.execute(
        select(
            func.coalesce(func.sum(Claim.afl_used_minor), 0),
            func.coalesce(func.sum(Claim.indemnity_minor), 0),
        )
        .where(
            Claim.policy_id == claim.policy_id,
            Claim.policy_year_start == claim.policy_year_start,
            Claim.id != claim.id,
            Claim.outcome.in_([ClaimOutcome.APPROVED, ClaimOutcome.PARTLY_APPROVED]),
        )
        .execution_options(tenant_exempt=True)
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def _year_premium(session: Session, claim: Claim, terms: PolicyTerms) -> Money:
    premium = session.scalar(
        select(func.coalesce(func.sum(Shipment.premium_minor), 0)).where(
            Shipment.policy_id == claim.policy_id,
            Shipment.shipment_date >= claim.policy_year_start,
            Shipment.shipment_date < _next_year(claim.policy_year_start),
        )
    )
    declared = Money.from_minor(int(premium or 0), claim.currency)
    return declared.max(_in_currency(terms.minimum_premium, claim.currency, claim.date_of_loss))


def claim_terms(session: Session, claim: Claim, policy: Policy) -> ClaimTerms:
    """The terms the computation needs: indemnity %, non-qualifying loss, AFL and maximum liability left."""
    terms = policy.current_version.terms
    buyer = session.get(Buyer, claim.buyer_id)
    public_body = buyer is not None and buyer.kind in PUBLIC_BODIES
    on = claim.date_of_loss
    afl_used, paid_before = _used_this_year(session, claim)
    afl = _in_currency(terms.aggregate_first_loss, claim.currency, on).minor_units
    ml = _in_currency(
        terms.maximum_liability.for_premium(_year_premium(session, claim, terms)), claim.currency, on
    ).minor_units
    return ClaimTerms(
        currency=claim.currency,
        indemnity_rate=indemnity_rate(terms.indemnity, claim.cause, public_body=public_body),
        non_qualifying_loss_minor=_in_currency(terms.non_qualifying_loss, claim.currency, on).minor_units,
        aggregate_first_loss_left_minor=max(afl - afl_used, 0),
        maximum_liability_left_minor=max(ml - paid_before, 0),
    )


def claim_facts(session: Session, claim: Claim) -> tuple[list[InvoiceFacts], list[ReceiptFacts]]:
    """Every invoice of the buyer under the policy (claimed or not) and every payment and credit from it."""
    claimed = {invoice.shipment_id for invoice in claim.invoices}
    shipments = session.scalars(
        select(Shipment)
        .where(Shipment.policy_id == claim.policy_id, Shipment.buyer_id == claim.buyer_id)
        .order_by(Shipment.shipment_date, Shipment.due_date, Shipment.invoice_number)
        .execution_options(tenant_exempt=True)
    ).all()
    invoices = [
        InvoiceFacts(
            invoice_number=s.invoice_number,
            shipment_date=s.shipment_date,
            due_date=s.due_date,
            amount_minor=s.amount_minor,
            insured_minor=s.claimable_insured_minor,
            limit_in_force_minor=s.cover_minor,
            claimed=s.id in claimed,
        )
        for s in shipments
    ]
    payments = session.execute(
        select(Payment.received_on, Payment.amount_minor)
        .where(Payment.policy_id == claim.policy_id, Payment.buyer_id == claim.buyer_id)
        .execution_options(tenant_exempt=True)
    ).all()
    receipts = [ReceiptFacts(received_on=row.received_on, amount_minor=row.amount_minor) for row in payments]
    receipts.extend(
        ReceiptFacts(
            received_on=dt.date.fromisoformat(str(credit["received_on"])),
            amount_minor=int(credit["amount_minor"]),
            invoice_number=credit.get("invoice_number"),
        )
        for credit in claim.credits
    )
    return invoices, receipts


def _members(session: Session, claim: Claim) -> list[MemberShare]:
    underwriters = underwriters_of(session, claim.insurer_id)
    return [MemberShare(member, share, position) for member, share, position in underwriters.members]


def _bank_outstanding(session: Session, policy: Policy, currency: str) -> Money | None:
    if policy.loss_payee_id is None or policy.loss_payee_facility_id is None:
        return None
    loans = loan_account(session, policy.loss_payee_id, policy.loss_payee_facility_id, currency)
    return account_balance(session, loans.id)


def _assess(session: Session, claim: Claim, indemnity: Money | None = None) -> Assessment:
    policy = _policy(session, claim)
    with whole_books(session):
        invoices, receipts = claim_facts(session, claim)
        breakdown = compute_indemnity(invoices, receipts, claim_terms(session, claim, policy))
        decided = breakdown.indemnity if indemnity is None else indemnity
        outstanding = _bank_outstanding(session, policy, claim.currency)
        members = _members(session, claim)
    terms = policy.current_version.terms
    band = _in_currency(terms.decision_bands.instant_up_to, claim.currency, claim.date_of_loss)
    return Assessment(
        claim=claim,
        breakdown=breakdown,
        settlement=tuple(settle(decided, members, outstanding)),
        bank_owed=bank_owed(decided, outstanding),
        second_approval_above=band,
    )


def _lock_policy_year(session: Session, claim: Claim) -> None:
    # Decisions on one policy share its year's aggregate first loss and maximum liability: one at a time.
    session.execute(
        select(Policy.id)
        .where(Policy.id == claim.policy_id)
        .with_for_update()
        .execution_options(tenant_exempt=True)
    )


def preview_assessment(session: Session, actor: Actor, claim_id: uuid.UUID) -> Assessment:
    """The indemnity as it would be decided now, step by step; nothing is stored."""
    claim = get_claim(session, claim_id)
    del actor  # whoever sees the claim may see how its indemnity is computed
    return _assess(session, claim)


def _reason(reason: str | None, *, required: bool) -> str | None:
    text = (reason or "").strip()
    if not text:
        if required:
            raise ValidationError("give the reason for the decision", field="reason")
        return None
    if len(text) > MAX_REASON:
        raise ValidationError(f"must be at most {MAX_REASON} characters", field="reason")
    return text


def _decided_amount(outcome: ClaimOutcome, computed: Money, amount: Money | None) -> Money:
    if outcome is ClaimOutcome.REJECTED:
        if amount is not None and not amount.is_zero:
            raise ValidationError("a rejected claim pays nothing: leave the amount out", field="amount")
        return Money.zero(computed.currency)
    if outcome is ClaimOutcome.APPROVED:
        if amount is not None and amount != computed:
            raise ValidationError(
                f"an approval pays the computed indemnity {computed}; partly approve to pay less",
                field="amount",
            )
        if not computed.is_positive:
            raise ValidationError(
                "the computed indemnity is 0: reject the claim with the reason", field="outcome"
            )
        return computed
    if amount is None:
        raise ValidationError("a partial approval needs the amount to pay", field="amount")
    if amount.currency != computed.currency:
        raise ValidationError(f"must be in the claim currency {computed.currency}", field="amount")
    if not amount.is_positive:
        raise ValidationError("must be above zero (reject the claim to pay nothing)", field="amount")
    if amount > computed:
        raise ValidationError(
            f"{amount} is above the computed indemnity {computed}; a claim pays at most that", field="amount"
        )
    return amount


def _outcome(value: ClaimOutcome | str) -> ClaimOutcome:
    try:
        return ClaimOutcome(value)
    except ValueError:
        outcomes = ", ".join(o.value for o in ClaimOutcome)
        raise ValidationError(f"{value!r} is not one of {outcomes}", field="outcome") from None


def _store(
    claim: Claim, assessment: Assessment, outcome: ClaimOutcome, decided: Money, reason: str | None
) -> None:
    breakdown = assessment.breakdown
    claim.outcome = outcome
    claim.decision_reason = reason
    claim.insured_loss_minor = breakdown.insured_loss_minor
    claim.afl_used_minor = 0 if outcome is ClaimOutcome.REJECTED else breakdown.afl_used_minor
    claim.computed_indemnity_minor = breakdown.indemnity_minor
    claim.indemnity_minor = decided.minor_units
    stored = assessment.to_json()
    stored["decided_minor"] = decided.minor_units
    stored["decided"] = str(decided.amount)
    stored["outcome"] = outcome.value
    claim.breakdown_json = stored
    unpaid = {line.invoice_number: line.unpaid_insured_minor for line in breakdown.lines}
    for invoice in claim.invoices:
        invoice.unpaid_insured_minor = unpaid.get(invoice.invoice_number)


def assess_claim(
    session: Session,
    actor: Actor,
    claim_id: uuid.UUID,
    *,
    outcome: ClaimOutcome | str,
    reason: str | None = None,
    amount: Money | None = None,
) -> Claim:
    """Decide a claim with complete documents: approve, partly approve (≤ the computed indemnity), reject.

    A decision paying more than the product's instant band waits for a second claims handler.
    """
    claim = get_claim(session, claim_id, lock=True)
    check_handler(session, actor, claim)
    _lock_policy_year(session, claim)
    if claim.status is ClaimStatus.FILED:
        raise ValidationError(f"claim {claim.number} waits for complete documents", field="status")
    if claim.status is not ClaimStatus.DOCUMENTS_COMPLETE:
        raise ValidationError(f"claim {claim.number} is already decided", field="status")
    decision = _outcome(outcome)
    why = _reason(reason, required=decision is not ClaimOutcome.APPROVED)
    computed = _assess(session, claim)
    decided = _decided_amount(decision, computed.indemnity, amount)
    assessment = _assess(session, claim, decided)
    _store(claim, assessment, decision, decided, why)
    claim.decided_by_user_id = actor.user_id
    if decision is not ClaimOutcome.REJECTED and decided > assessment.second_approval_above:
        claim.status = ClaimStatus.AWAITING_SECOND_APPROVAL
        session.flush()
        _audit(session, actor, claim, "claim.awaiting_second_approval")
        return claim
    _finalise(session, actor, claim, assessment)
    return claim


def approve_claim(session: Session, actor: Actor, claim_id: uuid.UUID) -> Claim:
    """The second claims handler approves a large decision (not the one who made it)."""
    claim = get_claim(session, claim_id, lock=True)
    check_handler(session, actor, claim)
    _lock_policy_year(session, claim)
    if claim.status is not ClaimStatus.AWAITING_SECOND_APPROVAL:
        raise ValidationError(f"claim {claim.number} does not wait for a second approval", field="status")
    if actor.user_id is not None and actor.user_id == claim.decided_by_user_id:
        raise PermissionDenied("the second approval must come from another claims handler")
    # Both were set when the claim began to wait.
    assert claim.outcome is not None
    assert claim.indemnity_minor is not None
    computed = _assess(session, claim)
    decided = Money.from_minor(claim.indemnity_minor, claim.currency).min(computed.indemnity)
    assessment = _assess(session, claim, decided)
    _store(claim, assessment, claim.outcome, decided, claim.decision_reason)
    claim.second_approver_user_id = actor.user_id
    _finalise(session, actor, claim, assessment)
    return claim


def refuse_approval(session: Session, actor: Actor, claim_id: uuid.UUID, *, reason: str | None) -> Claim:
    """The second claims handler sends a large decision back: the claim waits for a new decision."""
    claim = get_claim(session, claim_id, lock=True)
    check_handler(session, actor, claim)
    if claim.status is not ClaimStatus.AWAITING_SECOND_APPROVAL:
        raise ValidationError(f"claim {claim.number} does not wait for a second approval", field="status")
    if actor.user_id is not None and actor.user_id == claim.decided_by_user_id:
        raise PermissionDenied("the second approval must come from another claims handler")
    why = _reason(reason, required=True)
    proposed = {
        "outcome": None if claim.outcome is None else claim.outcome.value,
        "amount": claim.indemnity_minor,
    }
    claim.status = ClaimStatus.DOCUMENTS_COMPLETE
    claim.outcome = None
    claim.decision_reason = None
    claim.insured_loss_minor = claim.afl_used_minor = None
    claim.computed_indemnity_minor = claim.indemnity_minor = None
    claim.breakdown_json = None
    claim.decided_by_user_id = None
    for invoice in claim.invoices:
        invoice.unpaid_insured_minor = None
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="claim.approval_refused",
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=claim.policyholder_id,
        details={"number": claim.number, "reason": why, "proposed": proposed},
    )
    return claim


def _finalise(session: Session, actor: Actor, claim: Claim, assessment: Assessment) -> None:
    today = get_clock().today()
    claim.decided_on = today
    if claim.outcome is ClaimOutcome.REJECTED or not claim.indemnity_minor:
        claim.status = ClaimStatus.CLOSED
        claim.closed_on = today
        for invoice in claim.invoices:
            invoice.live_shipment_id = None
        session.flush()
        _audit(session, actor, claim, "claim.rejected")
        return
    policy = _policy(session, claim)
    claim.payment_deadline = payment_deadline(
        policy.current_version.terms, calendar_for_currency(claim.currency), today
    )
    claim.status = ClaimStatus.ASSESSED
    for part in assessment.settlement:
        session.add(
            ClaimMemberShare(
                claim_id=claim.id,
                member_id=part.member.insurer_id,
                position=part.member.position,
                share=part.member.share,
                currency=claim.currency,
                amount_minor=part.amount.minor_units,
                to_bank_minor=part.to_bank.minor_units,
                to_insured_minor=part.to_insured.minor_units,
            )
        )
    indemnity = Money.from_minor(claim.indemnity_minor, claim.currency)
    with whole_books(session):
        lines: list[PostingLine[Any]] = []
        for part in assessment.settlement:
            if part.amount.is_positive:
                member = part.member.insurer_id
                lines.append(
                    PostingLine(account(session, member, Chart.CLAIMS_EXPENSE, claim.currency), part.amount)
                )
                lines.append(
                    PostingLine(account(session, member, Chart.CLAIMS_PAYABLE, claim.currency), -part.amount)
                )
        holder = claim.policyholder_id
        lines.append(
            PostingLine(account(session, holder, Chart.INDEMNITY_RECEIVABLE, claim.currency), indemnity)
        )
        lines.append(
            PostingLine(account(session, holder, Chart.INDEMNITY_INCOME, claim.currency), -indemnity)
        )
        entry = post_entry(
            session,
            effective_date=today,
            kind="claim.approved",
            description=f"Indemnity decided on claim {claim.number}",
            lines=lines,
            document_type=CLAIM_DOCUMENT,
            document_id=claim.id,
            booked_by_user_id=actor.user_id,
            booked_by_organisation_id=actor.organisation_id,
        )
    claim.decision_entry_id = entry.id
    session.flush()
    session.refresh(claim)
    _audit(session, actor, claim, "claim.approved")


def _audit(session: Session, actor: Actor, claim: Claim, action: str) -> None:
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action=action,
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=claim.policyholder_id,
        details={
            "number": claim.number,
            "outcome": None if claim.outcome is None else claim.outcome.value,
            "indemnity_minor": claim.indemnity_minor,
            "computed_indemnity_minor": claim.computed_indemnity_minor,
            "reason": claim.decision_reason,
        },
    )
