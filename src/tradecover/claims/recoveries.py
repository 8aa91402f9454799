"""Recoveries after a claim is paid, and closing a claim.

A recovery is recorded by the insurer's claims handler with its collection costs; the net recovery is
shared between the insurers (by share) and the insured in the proportion they bore the loss
(`claims.rules.recoveries.split_recovery`), and posted: each member Dr bank / Cr recovery income for
its part, the insured Dr bank / Cr recovery income for its part. A recovery does not restore the
maximum liability (the claim's indemnity stays what was paid).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.claims.model import Claim, ClaimStatus, Recovery, RecoveryShare
from tradecover.claims.queries import check_handler, get_claim
from tradecover.claims.rules.recoveries import RecoverySplit, split_recovery
from tradecover.claims.settlement import lock_claim
from tradecover.clock import get_clock
from tradecover.coinsurance.rules import MemberShare
from tradecover.errors import BusinessRuleViolation, Conflict, ValidationError
from tradecover.ledger.chart import Chart, account
from tradecover.ledger.rules import PostingLine
from tradecover.ledger.service import post_entry
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.premiums.books import whole_books

RECOVERY_DOCUMENT = "claim_recovery"
MAX_KEY_LENGTH = 128
MAX_NOTE = 500
RECOVERABLE = (ClaimStatus.PAID, ClaimStatus.RECOVERING)
CLOSABLE = (ClaimStatus.PAID, ClaimStatus.RECOVERING)


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"must be 1 to {MAX_KEY_LENGTH} characters", field="idempotency_key")
    return key


def _money(value: object, currency: str, field: str) -> Money:
    if not isinstance(value, Money):
        raise ValidationError("must be an amount of money", field=field)
    if value.currency != currency:
        raise ValidationError(f"must be in the claim currency {currency}", field=field)
    if value.is_negative:
        raise ValidationError("must not be negative", field=field)
    return value


def _received_on(claim: Claim, value: object) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError("must be a date", field="received_on")
    today = get_clock().today()
    if value > today:
        raise ValidationError(f"must not be after today ({today})", field="received_on")
    if claim.paid_on is not None and value < claim.paid_on:
        raise ValidationError(
            f"must not be before the claim was paid on {claim.paid_on}", field="received_on"
        )
    return value


def _by_key(session: Session, claim: Claim, key: str) -> Recovery | None:
    return session.scalars(
        select(Recovery).where(Recovery.claim_id == claim.id, Recovery.idempotency_key == key)
    ).one_or_none()


def _replay(earlier: Recovery, amount: Money, costs: Money) -> Recovery:
    if earlier.amount_minor != amount.minor_units or earlier.costs_minor != costs.minor_units:
        raise Conflict(
            "this Idempotency-Key was used for another recovery; use a new key", field="idempotency_key"
        )
    return earlier


def insurers_received(session: Session, claim_id: uuid.UUID) -> int:
    """What the insurers have received from the claim's recoveries so far, in minor units."""
    total = session.scalar(
        select(func.coalesce(func.sum(Recovery.insurers_minor), 0)).where(Recovery.claim_id == claim_id)
    )
    return int(total or 0)


def recoveries_of(session: Session, claim_id: uuid.UUID) -> Sequence[Recovery]:
    """A claim's recoveries, oldest first."""
    return session.scalars(
        select(Recovery)
        .where(Recovery.claim_id == claim_id)
        .order_by(Recovery.received_on, Recovery.created_at)
    ).all()


def list_recoveries(session: Session, *, limit: int = 200) -> Sequence[tuple[Recovery, Claim]]:
    """The recoveries the session sees with their claims, newest first."""
    rows = session.execute(
        select(Recovery, Claim)
        .join(Claim, Claim.id == Recovery.claim_id)
        .order_by(Recovery.received_on.desc(), Recovery.created_at.desc())
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


def preview_recovery(session: Session, claim: Claim, amount: Money, costs: Money) -> RecoverySplit:
    """How a recovery would be shared now; nothing is stored."""
    members = [MemberShare(part.member_id, part.share, part.position) for part in claim.members]
    if not members or claim.indemnity_minor is None or claim.insured_loss_minor is None:
        raise BusinessRuleViolation(f"claim {claim.number} has paid nothing to recover")
    currency = claim.currency
    return split_recovery(
        amount,
        costs,
        indemnity=Money.from_minor(claim.indemnity_minor, currency),
        insured_loss=Money.from_minor(claim.insured_loss_minor, currency),
        insurers_received_before=Money.from_minor(insurers_received(session, claim.id), currency),
        members=members,
    )


def _lines(session: Session, claim: Claim, split: RecoverySplit) -> list[PostingLine[Any]]:
    currency = claim.currency
    lines: list[PostingLine[Any]] = []
    parties = [(part.member_id, money) for part, money in zip(claim.members, split.member_parts, strict=True)]
    parties.append((claim.policyholder_id, split.insured))
    for organisation_id, money in parties:
        if money.is_positive:
            lines.append(PostingLine(account(session, organisation_id, Chart.BANK, currency), money))
            lines.append(
                PostingLine(account(session, organisation_id, Chart.RECOVERY_INCOME, currency), -money)
            )
    return lines


def record_recovery(
    session: Session,
    actor: Actor,
    claim_id: uuid.UUID,
    *,
    amount: Money,
    costs: Money | None = None,
    received_on: dt.date,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> Recovery:
    """Record a recovery from the buyer after payment and share it; a retry with its key books nothing."""
    key = _checked_key(idempotency_key)
    claim = get_claim(session, claim_id)
    check_handler(session, actor, claim)
    # One recovery of a claim at a time, so that the insurers' total stays within the indemnity.
    claim = lock_claim(session, claim)
    amount = _money(amount, claim.currency, "amount")
    costs = _money(costs if costs is not None else Money.zero(claim.currency), claim.currency, "costs")
    if key is not None and (earlier := _by_key(session, claim, key)) is not None:
        return _replay(earlier, amount, costs)
    if not amount.is_positive:
        raise ValidationError("must be above zero", field="amount")
    if claim.status not in RECOVERABLE:
        raise BusinessRuleViolation(f"claim {claim.number} is not paid: recoveries come after payment")
    day = _received_on(claim, received_on)
    text = (note or "").strip() or None
    if text is not None and len(text) > MAX_NOTE:
        raise ValidationError(f"must be at most {MAX_NOTE} characters", field="note")
    split = preview_recovery(session, claim, amount, costs)
    recovery_id = uuid.uuid4()
    try:
        with session.begin_nested():
            entry_id = None
            lines = []
            with whole_books(session):
                lines = _lines(session, claim, split)
                if lines:
                    entry_id = post_entry(
                        session,
                        effective_date=day,
                        kind="claim.recovery",
                        description=f"Recovery on claim {claim.number}",
                        lines=lines,
                        document_type=RECOVERY_DOCUMENT,
                        document_id=recovery_id,
                        booked_by_user_id=actor.user_id,
                        booked_by_organisation_id=actor.organisation_id,
                    ).id
            recovery = Recovery(
                id=recovery_id,
                claim_id=claim.id,
                currency=claim.currency,
                received_on=day,
                amount_minor=amount.minor_units,
                costs_minor=costs.minor_units,
                net_minor=split.net.minor_units,
                insurers_minor=split.insurers.minor_units,
                insured_minor=split.insured.minor_units,
                note=text,
                breakdown_json=split.to_json(),
                idempotency_key=key,
                recorded_by_user_id=actor.user_id,
                entry_id=entry_id,
            )
            session.add(recovery)
            session.flush()
            for part, money in zip(claim.members, split.member_parts, strict=True):
                session.add(
                    RecoveryShare(
                        recovery_id=recovery.id,
                        claim_id=claim.id,
                        member_id=part.member_id,
                        position=part.position,
                        share=part.share,
                        currency=claim.currency,
                        amount_minor=money.minor_units,
                    )
                )
            claim.status = ClaimStatus.RECOVERING
            session.flush()
    except IntegrityError:
        if key is not None and (earlier := _by_key(session, claim, key)) is not None:
            return _replay(earlier, amount, costs)
        raise
    session.refresh(recovery)
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="claim.recovery",
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=claim.policyholder_id,
        details={
            "number": claim.number,
            "amount": str(amount),
            "costs": str(costs),
            "insurers": str(split.insurers),
            "insured": str(split.insured),
        },
    )
    return recovery


def close_claim(session: Session, actor: Actor, claim_id: uuid.UUID, *, reason: str | None = None) -> Claim:
    """Close a paid claim (no more recoveries expected); closing twice is refused."""
    claim = get_claim(session, claim_id)
    check_handler(session, actor, claim)
    if claim.status is ClaimStatus.CLOSED:
        raise Conflict(f"claim {claim.number} is already closed (on {claim.closed_on})")
    if claim.status not in CLOSABLE:
        unpaid = [str(part.member_id) for part in claim.members if not part.is_paid]
        why = f"members {', '.join(unpaid)} have not paid" if unpaid else "it is not paid"
        raise BusinessRuleViolation(f"claim {claim.number} cannot be closed: {why}")
    text = (reason or "").strip() or None
    if text is not None and len(text) > MAX_NOTE:
        raise ValidationError(f"must be at most {MAX_NOTE} characters", field="reason")
    claim.status = ClaimStatus.CLOSED
    claim.closed_on = get_clock().today()
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="claim.closed",
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=claim.policyholder_id,
        details={"number": claim.number, "reason": text},
    )
    return claim
