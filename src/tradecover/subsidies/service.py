"""What premiums calls: commit the programmes' shares of an invoice, release them, mark the premium paid.

`commit_subsidy` finds the programmes the firm qualifies for (and is enrolled in, where required) for
the product kind on the invoice date, locks their budget rows for the year, and commits first come,
first served: each programme, in a stable order, takes its share of what is left of the premium,
capped by the firm's cap and the budget (`rules.compute_share`). It never overspends: the budget row
stays locked until the caller's transaction ends. It books nothing; premiums posts the invoice entry
with the subsidy lines (see docs/subsidies.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.money import Money
from tradecover.policies.model import Policy
from tradecover.reference.fx import fx_rate

# Imported for its effect: the subsidy checks join `tradecover reconcile` wherever subsidies are used.
from tradecover.subsidies import reconciliation  # noqa: F401
from tradecover.subsidies.budgets import cap_used, give_back, lock_budgets, take
from tradecover.subsidies.eligibility import enrolled_programme_ids, facts_of, open_programmes
from tradecover.subsidies.model import (
    TAKING_BUDGET,
    CommitmentStatus,
    ProgrammeBudget,
    SubsidyCommitment,
    SubsidyProgramme,
)
from tradecover.subsidies.rules import Mode, compute_share, failed_rules, tier_rate


@dataclass(frozen=True, slots=True)
class SubsidyShare:
    """A programme's share of one invoice, as the invoice shows it."""

    commitment_id: uuid.UUID
    programme_id: uuid.UUID
    programme_name: str
    sponsor_id: uuid.UUID
    mode: str
    rate: Decimal
    requested: Money
    amount: Money
    explanation: str


def _share(commitment: SubsidyCommitment, name: str) -> SubsidyShare:
    return SubsidyShare(
        commitment_id=commitment.id,
        programme_id=commitment.programme_id,
        programme_name=name,
        sponsor_id=commitment.sponsor_id,
        mode=commitment.mode.value,
        rate=commitment.rate,
        requested=commitment.requested,
        amount=commitment.amount,
        explanation=commitment.explanation,
    )


def _programme_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(SubsidyProgramme.id, SubsidyProgramme.name)
        .where(SubsidyProgramme.id.in_(ids))
        .execution_options(tenant_exempt=True)
    ).all()
    return {row[0]: row[1] for row in rows}


def invoice_commitments(
    session: Session, invoice_id: uuid.UUID, *, lock: bool = False
) -> list[SubsidyCommitment]:
    """The commitments made on one invoice, in the order they were applied."""
    query = (
        select(SubsidyCommitment)
        .where(SubsidyCommitment.invoice_id == invoice_id)
        .order_by(SubsidyCommitment.sequence)
        # Premiums asks in whichever session made the invoice; the invoice's id is the filter.
        .execution_options(tenant_exempt=True, populate_existing=lock)
    )
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def shares_of_invoice(session: Session, invoice_id: uuid.UUID) -> list[SubsidyShare]:
    """The programmes' shares of an invoice as committed (released ones included, with their status)."""
    commitments = invoice_commitments(session, invoice_id)
    names = _programme_names(session, {c.programme_id for c in commitments})
    return [_share(c, names[c.programme_id]) for c in commitments]


def _applicable(
    session: Session, policyholder_id: uuid.UUID, product_kind: str, on: dt.date
) -> list[SubsidyProgramme]:
    facts = facts_of(session, policyholder_id)
    enrolled: set[uuid.UUID] | None = None
    found = []
    for programme in open_programmes(session, on):
        if product_kind not in programme.product_kinds or failed_rules(programme.rules, facts):
            continue
        if programme.enrolment_required:
            if enrolled is None:
                enrolled = enrolled_programme_ids(session, policyholder_id)
            if programme.id not in enrolled:
                continue
        found.append(programme)
    return found


def commit_subsidy(
    session: Session,
    *,
    invoice_id: uuid.UUID,
    policy_id: uuid.UUID,
    policyholder_id: uuid.UUID,
    product_kind: str,
    premium: Money,
    on: dt.date,
    insurer_id: uuid.UUID | None = None,
) -> list[SubsidyShare]:
    """Commit every applicable programme's share of an invoice, first come first served; [] when none."""
    if premium.is_negative:
        raise ValidationError("a premium cannot be negative", field="premium")
    existing = invoice_commitments(session, invoice_id)
    if existing:
        # Asked again for the same invoice (a retried request): the first answer stands.
        names = _programme_names(session, {c.programme_id for c in existing})
        return [_share(c, names[c.programme_id]) for c in existing]
    programmes = _applicable(session, policyholder_id, str(product_kind), on)
    if not programmes:
        return []
    budgets = lock_budgets(session, [p.id for p in programmes], on.year)
    facts = facts_of(session, policyholder_id)
    if insurer_id is None:
        insurer_id = _insurer_of(session, policy_id)
    left = premium
    shares: list[SubsidyShare] = []
    for sequence, programme in enumerate(programmes):
        budget = budgets.get(programme.id)
        if budget is None or left.is_zero:
            continue
        cap_left = None
        if programme.cap is not None:
            cap_left = programme.cap - cap_used(
                session, programme.id, policyholder_id, on.year, programme.currency
            )
        fx = fx_rate(premium.currency, programme.currency, on)
        computed = compute_share(
            premium=left,
            rate=tier_rate(programme.tiers, facts.prior_year_exports_usd),
            fx_rate=fx,
            programme_currency=programme.currency,
            cap_left=cap_left,
            budget_left=budget.remaining,
            year=on.year,
            programme_name=programme.name,
        )
        take(budget, computed.amount_in_programme)
        commitment = SubsidyCommitment(
            programme_id=programme.id,
            sponsor_id=programme.sponsor_id,
            policyholder_id=policyholder_id,
            insurer_id=insurer_id,
            policy_id=policy_id,
            invoice_id=invoice_id,
            product_kind=str(product_kind),
            year=on.year,
            committed_on=on,
            sequence=sequence,
            currency=premium.currency,
            premium_minor=left.minor_units,
            rate=computed.rate,
            requested_minor=computed.requested.minor_units,
            amount_minor=computed.amount.minor_units,
            fx_rate=fx,
            programme_currency=programme.currency,
            amount_programme_minor=computed.amount_in_programme.minor_units,
            mode=programme.mode,
            explanation=computed.explanation[:500],
            status=CommitmentStatus.COMMITTED,
        )
        session.add(commitment)
        session.flush()
        record(
            session,
            actor_user_id=None,
            actor_organisation_id=None,
            subject_organisation_id=programme.sponsor_id,
            action="subsidy.committed",
            object_type="SubsidyCommitment",
            object_id=commitment.id,
            details={
                "invoice_id": str(invoice_id),
                "amount": str(computed.amount),
                "capped_by": computed.capped_by,
            },
        )
        left = left - computed.amount
        shares.append(_share(commitment, programme.name))
    return shares


def _insurer_of(session: Session, policy_id: uuid.UUID) -> uuid.UUID:
    from_policy = session.scalar(
        select(Policy.insurer_id).where(Policy.id == policy_id).execution_options(tenant_exempt=True)
    )
    if from_policy is None:
        raise ValidationError("no such policy", field="policy_id")
    return from_policy


def release_subsidy(session: Session, *, invoice_id: uuid.UUID, on: dt.date) -> list[SubsidyShare]:
    """A credit note cancelled the invoice: give back budget and cap of its commitments; refuse if paid."""
    commitments = [
        c for c in invoice_commitments(session, invoice_id, lock=True) if c.status in TAKING_BUDGET
    ]
    names = _programme_names(session, {c.programme_id for c in commitments})
    for commitment in commitments:
        if commitment.status in (CommitmentStatus.PAID, CommitmentStatus.APPROVED):
            done = "paid" if commitment.mode is Mode.DIRECT else "reimbursed (approved)"
            raise BusinessRuleViolation(
                f"the share of {names[commitment.programme_id]} on this invoice was already {done}; "
                "it cannot be released",
                field="invoice_id",
            )
    # Every budget row up front, year by year and in id order within a year, the order commitments take
    # them in: two credit notes releasing across the same programmes cannot deadlock.
    budgets: dict[tuple[uuid.UUID, int], ProgrammeBudget] = {}
    for year in sorted({c.year for c in commitments}):
        ids = sorted({c.programme_id for c in commitments if c.year == year})
        for programme_id, row in lock_budgets(session, ids, year).items():
            budgets[(programme_id, year)] = row
    released = []
    for commitment in commitments:
        give_back(budgets[(commitment.programme_id, commitment.year)], commitment.amount_in_programme)
        commitment.status = CommitmentStatus.RELEASED
        commitment.released_on = on
        record(
            session,
            actor_user_id=None,
            actor_organisation_id=None,
            subject_organisation_id=commitment.sponsor_id,
            action="subsidy.released",
            object_type="SubsidyCommitment",
            object_id=commitment.id,
            details={"invoice_id": str(invoice_id), "amount": str(commitment.amount)},
        )
        released.append(_share(commitment, names[commitment.programme_id]))
    session.flush()
    return released


def premium_paid(session: Session, *, invoice_id: uuid.UUID, on: dt.date) -> None:
    """The firm paid its share in full: its reimbursement-mode commitments open for application."""
    for commitment in invoice_commitments(session, invoice_id, lock=True):
        if (
            commitment.mode is Mode.REIMBURSEMENT
            and commitment.status is CommitmentStatus.COMMITTED
            and commitment.amount_minor > 0
        ):
            commitment.status = CommitmentStatus.OPEN
            commitment.premium_paid_on = on
    session.flush()
