"""Declaring shipments one by one, listing them, and exposure (insured outstanding) per buyer on a date.

Payments are declared in `declarations.payments`, files imported in `declarations.imports`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.buyers.model import Buyer
from tradecover.buyers.service import get_buyer
from tradecover.clock import get_clock, utcnow
from tradecover.declarations.cover import CoverBook
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.declarations.rules import (
    ShipmentFacts,
    check_currency,
    check_invoice_number,
    check_shipment,
    judge_shipment,
)
from tradecover.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.limits.history import in_force_on
from tradecover.limits.model import CreditLimit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.policies.service import covers
from tradecover.policies.stale import mark_stale

MAY_DECLARE = (Role.POLICYHOLDER, Role.PLATFORM_ADMIN)
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class ShipmentDeclaration:
    """A shipment as the insured declares it."""

    buyer_id: uuid.UUID
    invoice_number: str
    amount: Money
    shipment_date: dt.date
    due_date: dt.date


def get_policy(session: Session, policy_id: uuid.UUID) -> Policy:
    """A policy the session's organisation has a part in; NotFound otherwise."""
    policy = session.scalars(select(Policy).where(Policy.id == policy_id)).first()
    if policy is None:
        raise NotFound(f"no such policy: {policy_id}", field="policy_id")
    return policy


def policy_for_declaring(session: Session, actor: Actor, policy_id: uuid.UUID) -> Policy:
    """The policy, locked for declaring, when the actor is its insured (or the operator); refuses others."""
    policy = get_policy(session, policy_id)
    actor.require(*MAY_DECLARE)
    if not actor.is_platform_admin and actor.organisation_id != policy.policyholder_id:
        raise PermissionDenied("only the insured of the policy declares on it")
    # Declarations on one policy take turns (PostgreSQL row lock; SQLite writers are serial already), so
    # two at once never both use the same available limit.
    session.execute(select(Policy.id).where(Policy.id == policy.id).with_for_update())
    return policy


def check_covered_date(policy: Policy, day: dt.date, field: str) -> None:
    """Refuse a date on which the policy gives no cover (outside its period or after its cancellation)."""
    if not covers(policy, day):
        raise ValidationError(
            f"{day.isoformat()} is outside the cover of policy {policy.number} "
            f"({policy.period_start.isoformat()} to {policy.period_end.isoformat()}"
            + (f", cancelled {policy.cancelled_on.isoformat()})" if policy.cancelled_on else ")"),
            field=field,
        )


def declare_shipment(
    session: Session,
    actor: Actor,
    policy_id: uuid.UUID,
    declaration: ShipmentDeclaration,
    *,
    stopped_since: dt.date | None = None,
    loss_event_on: dt.date | None = None,
) -> Shipment:
    """Declare one shipment: judged rule by rule, insured for the part within the available cover.

    Stoppage and loss events on the buyer come from `declarations.events` through the cover book;
    `stopped_since` and `loss_event_on` override them (tests, and corrections by the operator).
    """
    policy = policy_for_declaring(session, actor, policy_id)
    buyer = get_buyer(session, declaration.buyer_id)
    currency = check_currency(declaration.amount.currency, policy.currency)
    invoice_number = check_invoice_number(declaration.invoice_number)
    facts = ShipmentFacts(
        invoice_number,
        currency,
        declaration.amount.minor_units,
        declaration.shipment_date,
        declaration.due_date,
        get_clock().today(),
    )
    check_covered_date(policy, facts.shipment_date, "shipment_date")
    book = CoverBook(session, policy, [buyer.id])
    check_shipment(
        facts,
        max_credit_days_with_consent=book.terms(facts.shipment_date).max_credit_period_with_consent_days,
    )
    taken = session.scalar(
        select(Shipment.id).where(Shipment.policy_id == policy.id, Shipment.invoice_number == invoice_number)
    )
    if taken is not None:
        raise Conflict(f"invoice {invoice_number} is already declared on this policy", field="invoice_number")
    exposure = book.exposure_minor(buyer.id, facts.shipment_date)
    cover = book.cover(buyer.id, facts.shipment_date, exposure, facts.declared_on)
    if stopped_since is not None:
        cover = dataclasses.replace(cover, stopped_since=stopped_since)
    if loss_event_on is not None:
        cover = dataclasses.replace(cover, loss_event_on=loss_event_on)
    verdict = judge_shipment(facts, cover)
    shipment = Shipment(
        policy_id=policy.id,
        buyer_id=buyer.id,
        invoice_number=invoice_number,
        currency=currency,
        amount_minor=facts.amount_minor,
        shipment_date=facts.shipment_date,
        due_date=facts.due_date,
        declared_on=facts.declared_on,
        declared_at=utcnow(),
        declared_by_user_id=actor.user_id,
        insured_minor=verdict.insured_minor,
        premium_minor=book.premium_minor(buyer.id, facts.credit_days, verdict.insured_minor),
        paid_minor=0,
        max_credit_days=cover.max_credit_days,
        deadline=cover.deadline,
        cover_source=cover.source,
        cover_minor=cover.cover_minor,
        exposure_minor=cover.exposure_minor,
        stopped_since=cover.stopped_since,
        loss_event_on=cover.loss_event_on,
    )
    session.add(shipment)
    session.flush()
    mark_stale(session, [policy.id])
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=policy.policyholder_id,
        action="shipment.declared",
        object_type="Shipment",
        object_id=shipment.id,
        details={
            "invoice_number": invoice_number,
            "insured_minor": verdict.insured_minor,
            "summary": verdict.summary,
        },
    )
    return shipment


def get_shipment(session: Session, shipment_id: uuid.UUID) -> Shipment:
    """One shipment the session's organisation has a part in; NotFound otherwise."""
    shipment = session.scalars(select(Shipment).where(Shipment.id == shipment_id)).first()
    if shipment is None:
        raise NotFound(f"no such shipment: {shipment_id}", field="shipment_id")
    return shipment


@dataclass(frozen=True, slots=True)
class ShipmentPage:
    """One page of shipments, newest shipment date first, and how many there are in all."""

    items: Sequence[Shipment]
    total: int
    page: int
    page_size: int


def list_shipments(
    session: Session,
    actor: Actor,
    policy_id: uuid.UUID,
    *,
    buyer_id: uuid.UUID | None = None,
    page: int = 1,
    page_size: int = 50,
) -> ShipmentPage:
    """The policy's shipments (optionally on one buyer), newest first, a page at a time."""
    policy = get_policy(session, policy_id)
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValidationError("must be a whole number, 1 or more", field="page")
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"must be a whole number from 1 to {MAX_PAGE_SIZE}", field="page_size")
    query = select(Shipment).where(Shipment.policy_id == policy.id)
    if buyer_id is not None:
        query = query.where(Shipment.buyer_id == buyer_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(Shipment.shipment_date.desc(), Shipment.invoice_number.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return ShipmentPage(items, total, page, page_size)


# exposure --------------------------------------------------------------------------------------------
def exposure(session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID, *, on: dt.date) -> Money:
    """The insured outstanding on a buyer at the end of a date: insured shipments less what payments freed."""
    policy = get_policy(session, policy_id)
    shipped = session.scalar(
        select(func.coalesce(func.sum(Shipment.insured_minor), 0)).where(
            Shipment.policy_id == policy.id, Shipment.buyer_id == buyer_id, Shipment.shipment_date <= on
        )
    )
    released = session.scalar(
        select(func.coalesce(func.sum(PaymentApplication.insured_released_minor), 0)).where(
            PaymentApplication.policy_id == policy.id,
            PaymentApplication.buyer_id == buyer_id,
            PaymentApplication.received_on <= on,
        )
    )
    return Money.from_minor(int(shipped or 0) - int(released or 0), policy.currency)


def _by_buyer(session: Session, query: Select[uuid.UUID, int]) -> dict[uuid.UUID, int]:
    return {buyer_id: int(total or 0) for buyer_id, total in session.execute(query)}


@dataclass(frozen=True, slots=True)
class BuyerExposure:
    """One buyer under a policy on a date: the limit in force, the insured outstanding, what is available."""

    buyer_id: uuid.UUID
    buyer_name: str
    buyer_country: str
    limit: Money
    exposure: Money
    overdue: Money

    @property
    def available(self) -> Money:
        """The limit less the exposure (never below zero)."""
        return (self.limit - self.exposure).max(Money.zero(self.limit.currency))


def exposure_by_buyer(
    session: Session, actor: Actor, policy_id: uuid.UUID, *, on: dt.date
) -> list[BuyerExposure]:
    """Each buyer with a limit or a shipment under the policy: limit, exposure and available on a date."""
    policy = get_policy(session, policy_id)
    currency = policy.currency
    limits: dict[uuid.UUID, int] = {}
    for limit in session.scalars(select(CreditLimit).where(CreditLimit.policy_id == policy.id)):
        limits[limit.buyer_id] = max(limits.get(limit.buyer_id, 0), in_force_on(limit, on).minor_units)
    shipped = _by_buyer(
        session,
        select(Shipment.buyer_id, func.sum(Shipment.insured_minor))
        .where(Shipment.policy_id == policy.id, Shipment.shipment_date <= on)
        .group_by(Shipment.buyer_id),
    )
    released = _by_buyer(
        session,
        select(PaymentApplication.buyer_id, func.sum(PaymentApplication.insured_released_minor))
        .where(PaymentApplication.policy_id == policy.id, PaymentApplication.received_on <= on)
        .group_by(PaymentApplication.buyer_id),
    )
    # Unpaid on the policy now and past due by the date (payments after the date are not subtracted back).
    overdue = _by_buyer(
        session,
        select(Shipment.buyer_id, func.sum(Shipment.amount_minor - Shipment.paid_minor))
        .where(
            Shipment.policy_id == policy.id,
            Shipment.due_date < on,
            Shipment.paid_minor < Shipment.amount_minor,
        )
        .group_by(Shipment.buyer_id),
    )
    buyer_ids = set(limits) | set(shipped)
    names = (
        {
            row.id: (row.name, row.country)
            for row in session.execute(
                select(Buyer.id, Buyer.name, Buyer.country).where(Buyer.id.in_(buyer_ids))
            )
        }
        if buyer_ids
        else {}
    )
    rows = [
        BuyerExposure(
            buyer_id=buyer_id,
            buyer_name=names[buyer_id][0],
            buyer_country=names[buyer_id][1],
            limit=Money.from_minor(limits.get(buyer_id, 0), currency),
            exposure=Money.from_minor(shipped.get(buyer_id, 0) - released.get(buyer_id, 0), currency),
            overdue=Money.from_minor(overdue.get(buyer_id, 0), currency),
        )
        for buyer_id in buyer_ids
    ]
    return sorted(rows, key=lambda r: (-r.exposure.amount, r.buyer_name, str(r.buyer_id)))
