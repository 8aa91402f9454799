"""Paying a decided claim: each pool member (or the single insurer) pays its own part, bank first.

The member and payee splits were stored with the decision (`ClaimMemberShare`). A member's payment posts
one entry: the member Dr claims payable / Cr bank for its part; the part to the loss-payee bank: the bank
Dr bank / Cr its loan account of the facility, the insured Dr loans payable / Cr indemnity receivable;
the part to the insured: the insured Dr bank / Cr indemnity receivable. Liability is several: a member
that has not paid shows as outstanding and the others are unaffected. The claim is paid once every
member has paid. A retry with the same idempotency key answers the first payment and books nothing again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.alerts.service import raise_alerts
from tradecover.audit.service import record
from tradecover.claims.model import Claim, ClaimMemberShare, ClaimStatus
from tradecover.claims.queries import get_claim
from tradecover.clock import get_clock
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart, account, loan_account
from tradecover.ledger.rules import PostingLine
from tradecover.ledger.service import post_entry
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.policies.stale import mark_stale
from tradecover.premiums.books import whole_books

PAYMENT_DOCUMENT = "claim_payment"
MAX_KEY_LENGTH = 128
PAYERS = (Role.CLAIMS_HANDLER, Role.INSURER_ADMIN)
PAYABLE = (ClaimStatus.ASSESSED, ClaimStatus.PAID, ClaimStatus.RECOVERING, ClaimStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class SettlementView:
    """A claim's settlement: each member's part, to the bank and to the insured, paid or outstanding."""

    claim: Claim
    members: tuple[ClaimMemberShare, ...]
    loss_payee_id: uuid.UUID | None

    def _sum(self, attribute: str, *, paid: bool | None = None) -> Money:
        total = 0
        for share in self.members:
            if paid is None or share.is_paid == paid:
                total += getattr(share, attribute)
        return Money.from_minor(total, self.claim.currency)

    @property
    def indemnity(self) -> Money:
        """The members' parts together: the decided indemnity."""
        return self._sum("amount_minor")

    @property
    def to_bank(self) -> Money:
        """What goes to the loss-payee bank."""
        return self._sum("to_bank_minor")

    @property
    def to_insured(self) -> Money:
        """What goes to the insured."""
        return self._sum("to_insured_minor")

    @property
    def paid(self) -> Money:
        """What the members have paid."""
        return self._sum("amount_minor", paid=True)

    @property
    def outstanding(self) -> Money:
        """What the members have not paid yet."""
        return self._sum("amount_minor", paid=False)

    @property
    def fully_paid(self) -> bool:
        """True when every member has paid (and there is something decided)."""
        return bool(self.members) and all(share.is_paid for share in self.members)

    def to_json(self) -> dict[str, Any]:
        """The settlement as JSON."""
        return {
            "claim_id": str(self.claim.id),
            "currency": self.claim.currency,
            "indemnity": str(self.indemnity.amount),
            "to_bank": str(self.to_bank.amount),
            "to_insured": str(self.to_insured.amount),
            "paid": str(self.paid.amount),
            "outstanding": str(self.outstanding.amount),
            "loss_payee_id": None if self.loss_payee_id is None else str(self.loss_payee_id),
            "members": [
                {
                    "member_id": str(share.member_id),
                    "position": share.position,
                    "share": str(share.share),
                    "amount": str(share.amount.amount),
                    "to_bank": str(share.money(share.to_bank_minor).amount),
                    "to_insured": str(share.money(share.to_insured_minor).amount),
                    "paid_on": None if share.paid_on is None else share.paid_on.isoformat(),
                }
                for share in self.members
            ],
        }


def settlement_of(session: Session, claim_id: uuid.UUID) -> SettlementView:
    """A claim's settlement as the session sees it (NotFound when the claim is not seen)."""
    claim = get_claim(session, claim_id)
    policy = session.get(Policy, claim.policy_id)
    members = tuple(sorted(claim.members, key=lambda share: share.position))
    return SettlementView(claim, members, None if policy is None else policy.loss_payee_id)


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"must be 1 to {MAX_KEY_LENGTH} characters", field="idempotency_key")
    return key


def lock_claim(session: Session, claim: Claim) -> Claim:
    """The claim locked for update (SELECT … FOR UPDATE on PostgreSQL) and read afresh."""
    return session.scalars(
        select(Claim).where(Claim.id == claim.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def _share(session: Session, claim: Claim, member_id: uuid.UUID) -> ClaimMemberShare:
    share = session.scalars(
        select(ClaimMemberShare)
        .where(ClaimMemberShare.claim_id == claim.id, ClaimMemberShare.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if share is None:
        raise NotFound(f"no such member of claim {claim.number}: {member_id}", field="member_id")
    return share


def _by_key(session: Session, claim: Claim, key: str) -> ClaimMemberShare | None:
    return session.scalars(
        select(ClaimMemberShare)
        .where(ClaimMemberShare.claim_id == claim.id, ClaimMemberShare.idempotency_key == key)
        .execution_options(populate_existing=True)
    ).one_or_none()


def _replay(earlier: ClaimMemberShare, member_id: uuid.UUID) -> ClaimMemberShare:
    if earlier.member_id != member_id:
        raise Conflict(
            "this Idempotency-Key was used for another member's payment; use a new key",
            field="idempotency_key",
        )
    return earlier


def _check_payer(actor: Actor, claim: Claim, member_id: uuid.UUID) -> None:
    if actor.is_platform_admin:
        return
    actor.require(*PAYERS)
    if actor.organisation_id != member_id:
        raise PermissionDenied(f"each insurer pays only its own part of claim {claim.number}")


def _paid_on(claim: Claim, paid_on: object) -> dt.date:
    if not isinstance(paid_on, dt.date) or isinstance(paid_on, dt.datetime):
        raise ValidationError("must be a date", field="paid_on")
    if claim.decided_on is not None and paid_on < claim.decided_on:
        raise ValidationError(f"must not be before the decision on {claim.decided_on}", field="paid_on")
    today = get_clock().today()
    if paid_on > today:
        raise ValidationError(f"must not be after today ({today})", field="paid_on")
    return paid_on


def _lines(session: Session, claim: Claim, policy: Policy, share: ClaimMemberShare) -> list[PostingLine[Any]]:
    currency = claim.currency
    amount = share.amount
    to_bank = share.money(share.to_bank_minor)
    to_insured = share.money(share.to_insured_minor)
    holder = claim.policyholder_id
    lines: list[PostingLine[Any]] = [
        PostingLine(account(session, share.member_id, Chart.CLAIMS_PAYABLE, currency), amount),
        PostingLine(account(session, share.member_id, Chart.BANK, currency), -amount),
    ]
    if to_insured.is_positive:
        lines.append(PostingLine(account(session, holder, Chart.BANK, currency), to_insured))
        lines.append(PostingLine(account(session, holder, Chart.INDEMNITY_RECEIVABLE, currency), -to_insured))
    if to_bank.is_positive:
        bank_id, facility_id = policy.loss_payee_id, policy.loss_payee_facility_id
        if bank_id is None or facility_id is None:
            raise BusinessRuleViolation(
                f"claim {claim.number} owes a bank {to_bank}, but the policy is no longer assigned to one"
            )
        lines.append(PostingLine(account(session, bank_id, Chart.BANK, currency), to_bank))
        lines.append(PostingLine(loan_account(session, bank_id, facility_id, currency), -to_bank))
        lines.append(PostingLine(account(session, holder, Chart.LOANS_PAYABLE, currency), to_bank))
        lines.append(PostingLine(account(session, holder, Chart.INDEMNITY_RECEIVABLE, currency), -to_bank))
    return lines


def _alert_paid(session: Session, claim: Claim, policy: Policy, share: ClaimMemberShare) -> None:
    to_bank = share.money(share.to_bank_minor)
    to_insured = share.money(share.to_insured_minor)
    recipients = [claim.policyholder_id]
    if policy.loss_payee_id is not None and to_bank.is_positive:
        recipients.append(policy.loss_payee_id)
    raise_alerts(
        session,
        organisation_ids=recipients,
        kind="claim.member_paid",
        subject_type="claim",
        subject_id=claim.id,
        title=f"Claim {claim.number}: {share.amount} paid",
        message=(
            f"An insurer paid its part of claim {claim.number}: {to_bank} to the bank, "
            f"{to_insured} to the insured."
        ),
    )


def pay_member_share(
    session: Session,
    actor: Actor,
    claim_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    paid_on: dt.date,
    idempotency_key: str | None = None,
) -> ClaimMemberShare:
    """The member pays its part of a decided claim (to the bank first, per the stored payee split)."""
    key = _checked_key(idempotency_key)
    claim = get_claim(session, claim_id)
    _check_payer(actor, claim, member_id)
    # One payment of a claim at a time: the claim's status and each part are read after the lock.
    claim = lock_claim(session, claim)
    if key is not None and (earlier := _by_key(session, claim, key)) is not None:
        return _replay(earlier, member_id)
    if claim.status not in PAYABLE or not claim.members:
        raise BusinessRuleViolation(f"claim {claim.number} has no approved indemnity to pay yet")
    share = _share(session, claim, member_id)
    if share.is_paid:
        raise Conflict(f"this part of claim {claim.number} was already paid on {share.paid_on}")
    day = _paid_on(claim, paid_on)
    with whole_books(session):
        policy = session.get_one(Policy, claim.policy_id)
    try:
        with session.begin_nested():
            entry_id = None
            if share.amount.is_positive:
                with whole_books(session):
                    entry = post_entry(
                        session,
                        effective_date=day,
                        kind="claim.paid",
                        description=f"Indemnity paid on claim {claim.number}",
                        lines=_lines(session, claim, policy, share),
                        document_type=PAYMENT_DOCUMENT,
                        document_id=claim.id,
                        booked_by_user_id=actor.user_id,
                        booked_by_organisation_id=actor.organisation_id,
                    )
                entry_id = entry.id
            share.paid_on = day
            share.paid_at = get_clock().now()
            share.paid_by_user_id = actor.user_id
            share.idempotency_key = key
            share.entry_id = entry_id
            session.flush()
    except IntegrityError:
        # A concurrent retry with the same key won: answer with its payment.
        if key is not None and (earlier := _by_key(session, claim, key)) is not None:
            return _replay(earlier, member_id)
        raise
    parts = session.scalars(
        select(ClaimMemberShare)
        .where(ClaimMemberShare.claim_id == claim.id)
        .execution_options(populate_existing=True)
    ).all()
    if all(part.is_paid for part in parts) and claim.status is ClaimStatus.ASSESSED:
        claim.status = ClaimStatus.PAID
        claim.paid_on = max(part.paid_on for part in parts if part.paid_on is not None)
        session.flush()
        mark_stale(session, [claim.policy_id])  # a paid claim ends its invoices' exposure
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="claim.member_paid",
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=claim.policyholder_id,
        details={
            "number": claim.number,
            "member_id": str(member_id),
            "amount": str(share.amount),
            "to_bank": str(share.money(share.to_bank_minor)),
            "to_insured": str(share.money(share.to_insured_minor)),
            "paid_on": day.isoformat(),
        },
    )
    _alert_paid(session, claim, policy, share)
    return share
