"""Reading claims: one claim, a list, and a claims handler's queue ordered by service-level deadline."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from tradecover.claims.model import OPEN_CLAIM_STATUSES, Claim, ClaimDocument, ClaimStatus
from tradecover.coinsurance.service import administers
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role

HANDLERS = (Role.CLAIMS_HANDLER, Role.INSURER_ADMIN)
MAX_PAGE = 500


def get_claim(session: Session, claim_id: uuid.UUID, *, lock: bool = False) -> Claim:
    """The claim, or NotFound when it does not exist or the session may not see it (`lock`: its row
    locked until the transaction ends, so that two decisions on it run one after the other)."""
    if lock:
        query = select(Claim).where(Claim.id == claim_id).with_for_update()
        claim = session.scalars(query.execution_options(populate_existing=True)).first()
    else:
        claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"no such claim: {claim_id}", field="claim_id")
    return claim


def find_claim(session: Session, reference: str) -> Claim:
    """A claim by its number (CLM-2026-000001) or id."""
    text = reference.strip()
    try:
        return get_claim(session, uuid.UUID(text))
    except ValueError:
        pass
    claim = session.scalars(select(Claim).where(Claim.number == text.upper())).one_or_none()
    if claim is None:
        raise NotFound(f"no such claim: {text}", field="claim")
    return claim


def check_handler(session: Session, actor: Actor, claim: Claim) -> None:
    """Refuse unless the actor handles claims for the claim's insurer (a pool's leader for a pool)."""
    if actor.is_platform_admin:
        return
    actor.require(*HANDLERS)
    if not administers(session, actor.organisation_id, claim.insurer_id):
        raise PermissionDenied(f"only the insurer's claims handlers decide claim {claim.number}")


def list_claims(
    session: Session,
    *,
    status: ClaimStatus | None = None,
    policy_id: uuid.UUID | None = None,
    buyer_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Claim]:
    """The claims the session sees, newest first, optionally of one status, policy or buyer."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"must be from 1 to {MAX_PAGE}", field="limit")
    if offset < 0:
        raise ValidationError("must not be negative", field="offset")
    query = select(Claim)
    if status is not None:
        query = query.where(Claim.status == status)
    if policy_id is not None:
        query = query.where(Claim.policy_id == policy_id)
    if buyer_id is not None:
        query = query.where(Claim.buyer_id == buyer_id)
    query = query.order_by(Claim.filed_at.desc(), Claim.number.desc()).limit(limit).offset(offset)
    return session.scalars(query).all()


def claims_queue(session: Session, actor: Actor) -> Sequence[Claim]:
    """The claims waiting on the insurer (to decide, to approve, to pay), nearest service deadline first.

    A claim without a deadline yet (documents not complete) comes after those with one, oldest filed first.
    """
    if not actor.is_platform_admin:
        actor.require(*HANDLERS, Role.UNDERWRITER)
    waiting = (*OPEN_CLAIM_STATUSES, ClaimStatus.ASSESSED)
    deadline = case(
        (Claim.status.in_(OPEN_CLAIM_STATUSES), Claim.decision_deadline),
        else_=Claim.payment_deadline,
    )
    query = (
        select(Claim)
        .where(Claim.status.in_(waiting))
        .order_by(deadline.is_(None), deadline, Claim.filed_at, Claim.number)
    )
    return session.scalars(query).all()


def days_left(claim: Claim, today: dt.date) -> int | None:
    """Days until the claim's next service-level deadline (negative once breached)."""
    deadline = claim.service_deadline
    return None if deadline is None else (deadline - today).days


def documents_of(session: Session, claim_id: uuid.UUID) -> Sequence[ClaimDocument]:
    """The claim's documents (without their content), oldest first."""
    return session.scalars(
        select(ClaimDocument).where(ClaimDocument.claim_id == claim_id).order_by(ClaimDocument.uploaded_at)
    ).all()
