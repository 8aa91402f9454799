"""Dunning of unpaid premium invoices and the product's non-payment effect on the policy.

Each open invoice's step (reminder, second reminder, non-payment) follows the days past its due date
on the schedule in the policy's terms. When the non-payment step is reached and the product's effect is
"no new limits", the policy carries the arrears (`Policy.premium_arrears_since` and the invoice number),
and `limits.decisions.request_limit` refuses new limits until the invoice is paid or credited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.policies.model import Policy
from tradecover.policies.terms import NonPaymentEffect, PolicyTerms
from tradecover.premiums.model import OPEN_STATUSES, PremiumInvoice
from tradecover.premiums.rules import DunningLevel, DunningSchedule, dunning_level


def schedule_of(terms: PolicyTerms) -> DunningSchedule:
    """The dunning schedule the policy's terms set."""
    return DunningSchedule(
        terms.premium_reminder_days, terms.premium_second_reminder_days, terms.premium_non_payment_days
    )


def refresh_arrears(session: Session, policy: Policy) -> None:
    """Set or clear the policy's non-payment effect from its open invoices at the non-payment step."""
    oldest = session.scalars(
        select(PremiumInvoice)
        .where(
            PremiumInvoice.policy_id == policy.id,
            PremiumInvoice.status.in_(OPEN_STATUSES),
            PremiumInvoice.dunning_level == DunningLevel.NON_PAYMENT,
        )
        .order_by(PremiumInvoice.due_date, PremiumInvoice.number)
        .execution_options(tenant_exempt=True)
    ).first()
    effect = policy.current_version.terms.non_payment_effect
    if oldest is None or effect is not NonPaymentEffect.NO_NEW_LIMITS:
        policy.premium_arrears_since = None
        policy.premium_arrears_invoice = None
    else:
        policy.premium_arrears_since = oldest.due_date
        policy.premium_arrears_invoice = oldest.number


@dataclass(frozen=True, slots=True)
class DunningRun:
    """What a dunning run changed: invoices moved to another step, policies now under the effect."""

    on: dt.date
    changed: tuple[tuple[str, DunningLevel], ...]
    policies_in_arrears: tuple[str, ...]


def run_dunning(session: Session, on: dt.date) -> DunningRun:
    """Set each unpaid invoice's dunning step for the day, and each policy's non-payment effect."""
    invoices = session.scalars(
        select(PremiumInvoice)
        .where(PremiumInvoice.status.in_(OPEN_STATUSES))
        .order_by(PremiumInvoice.due_date, PremiumInvoice.number)
    ).all()
    policy_ids: set[uuid.UUID] = set()
    changed: list[tuple[str, DunningLevel]] = []
    policies: dict[uuid.UUID, Policy] = {}
    for invoice in invoices:
        policy = policies.get(invoice.policy_id)
        if policy is None:
            policy = session.get_one(Policy, invoice.policy_id)
            policies[policy.id] = policy
        level = dunning_level(invoice.due_date, on, schedule_of(policy.current_version.terms))
        if level is invoice.dunning_level:
            continue
        invoice.dunning_level = level
        invoice.dunned_on = on
        policy_ids.add(policy.id)
        changed.append((invoice.number, level))
        record(
            session,
            actor_user_id=None,
            actor_organisation_id=None,
            action=f"premium.dunning.{level.value}",
            object_type="premium_invoice",
            object_id=invoice.id,
            subject_organisation_id=invoice.policyholder_id,
            details={
                "number": invoice.number,
                "due_date": invoice.due_date.isoformat(),
                "on": on.isoformat(),
            },
        )
    in_arrears = session.scalars(select(Policy).where(Policy.premium_arrears_since.is_not(None))).all()
    for policy in in_arrears:
        policies.setdefault(policy.id, policy)
        policy_ids.add(policy.id)
    session.flush()
    for policy_id in sorted(policy_ids):
        refresh_arrears(session, policies[policy_id])
    session.flush()
    flagged = sorted(p.number for p in policies.values() if p.premium_arrears_since is not None)
    return DunningRun(on, tuple(changed), tuple(flagged))
