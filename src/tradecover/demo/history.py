"""The demo's prior year: 2024 policies, limits, declarations and premiums, so growth has a base.

Every policyholder's 2025 policy had a predecessor for 2024 with the same insurer and product, and the
same limits asked for a year earlier (the 2025 limit plan, shifted back 52 weeks, referrals decided the
same way, within the same appetite and capacity): a renewal. The 2024 declarations follow the pattern of
2025's at smaller amounts, so export coverage grows about 15% year on year; every invoice is paid, and
each month is invoiced and paid. On 1 January 2025 the policyholders give the 2024 limits up (their cover
moved to the 2025 policies) and the 2024 policies expire. The subsidy programmes start in 2025, so 2024
premiums carry no subsidy. Everything goes through the services, on its own dates.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.declarations.import_rows import COLUMNS
from tradecover.declarations.imports import import_declarations
from tradecover.demo.days import on_day
from tradecover.demo.declarations import (
    CoveredBuyer,
    PlannedRow,
    Year,
    buyer_rows,
    covered_buyers,
    month_after,
)
from tradecover.demo.limits import (
    BuyerFacts,
    PolicyFacts,
    decide_referral,
    in_policy_currency,
    plan_limits,
    target_limits,
    underwriters_by_insurer,
)
from tradecover.errors import DomainError
from tradecover.limits.changes import cancel_limit_by_policyholder
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import COVERING_STATUSES, CreditLimit, LimitStatus
from tradecover.money import Rate
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.policies.model import Policy, PolicyStatus, Product
from tradecover.policies.products import rate_table_for
from tradecover.policies.service import expire_policies, issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.premiums.invoicing import issue_invoices
from tradecover.premiums.payments import record_premium_payment

HISTORY_YEAR = Year(dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2025, 6, 30), "H")
# Issued a month before the year, like the 2025 policies.
ISSUE_DAY = dt.date(2023, 12, 1)
RENEWAL = dt.timedelta(weeks=52)
# 2024's shipments are this share of the 2025 plan's amounts: after 2025's cuts, cancellations and
# defaults (which 2024 did not have), the default world's 2025 insured turnover is about 15% above 2024's.
HISTORY_PERCENT = 69
INVOICING_DELAY_DAYS = 5
GIVE_UP_REASON = "policy year ended: cover renewed under the 2025 policy"


@dataclass(frozen=True, slots=True)
class DemoHistory:
    """What the prior year holds."""

    policies: int
    limits: int
    rows: int
    invoices: int


def _holder(organisation_id: uuid.UUID) -> Actor:
    return Actor(None, organisation_id, OrganisationKind.POLICYHOLDER, frozenset({Role.POLICYHOLDER}))


WHOLE_TURNOVER = (ProductKind.EXPORT_WHOLE_TURNOVER, ProductKind.DOMESTIC_WHOLE_TURNOVER)


def _prior_policies(session: Session, system: Actor, current: list[Policy]) -> dict[uuid.UUID, Policy]:
    """A 2024 policy for each 2025 whole-turnover policy, keyed by the 2025 policy's id."""
    prior: dict[uuid.UUID, Policy] = {}
    with on_day(ISSUE_DAY):
        for policy in current:
            if policy.product_kind not in WHOLE_TURNOVER:
                continue
            product = session.get(Product, policy.product_id)
            assert product is not None
            table = rate_table_for(session, product)
            prior[policy.id] = issue_policy(
                session,
                system,
                product=product,
                policyholder_id=policy.policyholder_id,
                terms=product.terms,
                period_start=HISTORY_YEAR.start,
                period_end=HISTORY_YEAR.end,
                rate_table_id=table.id,
                rate_adjustment=policy.rate_adjustment,
                preferential_discount=Rate(table.preferential_discount),
            )
    return prior


def _prior_limits(
    session: Session, seed: int, current: list[Policy], prior: Mapping[uuid.UUID, Policy]
) -> int:
    """The 2025 limit plan asked a year earlier under the 2024 policies, referrals decided as in 2025."""
    buyers = session.execute(
        select(Buyer.id, Buyer.country).order_by(Buyer.country, Buyer.registration_number)
    ).all()
    facts = [PolicyFacts(p.id, p.product_kind is ProductKind.DOMESTIC_WHOLE_TURNOVER) for p in current]
    plan = plan_limits(
        seed, facts, [BuyerFacts(b.id, b.country) for b in buyers], target=target_limits(len(buyers))
    )
    underwriters = underwriters_by_insurer(session)
    system = Actor.system()
    made = 0
    for number, planned in enumerate(plan):
        policy = prior.get(current[planned.policy_index].id)
        if policy is None:
            continue
        day = planned.requested_on - RENEWAL
        with on_day(day):
            amount = in_policy_currency(planned.amount_usd, policy.currency, day)
            try:
                with session.begin_nested():
                    limit = request_limit(session, system, policy.id, buyers[planned.buyer_index].id, amount)
                    staff = underwriters.get(policy.insurer_id, [])
                    if limit.status is LimitStatus.REFERRED and staff:
                        decide_referral(session, limit, planned, staff, number)
            except DomainError:
                continue
        made += 1
    return made


def plan_history_declarations(seed: int, buyers: Sequence[CoveredBuyer]) -> list[PlannedRow]:
    """The 2024 rows: the 2025 pattern at HISTORY_PERCENT of the amounts, every invoice paid."""
    rng = random.Random(f"demo:{seed}:history")
    rows: list[PlannedRow] = []
    for serial, buyer in enumerate(buyers):
        rows.extend(
            buyer_rows(
                rng,
                buyer,
                serial,
                HISTORY_YEAR,
                amount_of=lambda amount, _day, _country: amount * HISTORY_PERCENT // 100,
            )
        )
    return rows


def _declare(session: Session, seed: int, prior_ids: set[uuid.UUID]) -> int:
    """Send the 2024 declarations as monthly files, each on the third day of the next month."""
    buyers = [buyer for buyer in covered_buyers(session) if buyer.policy_id in prior_ids]
    files: dict[tuple[uuid.UUID, dt.date], list[str]] = defaultdict(list)
    for row in plan_history_declarations(seed, buyers):
        files[row.policy_id, month_after(row.day)].append(row.line)
    header = ",".join(COLUMNS)
    system = Actor.system()
    imported = 0
    for (policy_id, declared_on), lines in sorted(
        files.items(), key=lambda item: (item[0][1], str(item[0][0]))
    ):
        with on_day(declared_on):
            content = (header + "\n" + "\n".join(lines) + "\n").encode()
            batch = import_declarations(
                session,
                system,
                policy_id,
                f"month-{declared_on.isoformat()}.csv",
                content,
                declared_on=declared_on,
            )
        if batch.rejected:
            raise RuntimeError(f"the demo's 2024 declarations were rejected: {batch.report[:300]}")
        imported += batch.rows
    return imported


def _invoice_and_pay(session: Session) -> int:
    """Invoice each month of 2024 five days after it ends; every invoice paid a few days before it is due."""
    system = Actor.system()
    count = 0
    for month in range(1, 13):
        on = dt.date(2024 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        on += dt.timedelta(days=INVOICING_DELAY_DAYS)
        with on_day(on):
            invoices = issue_invoices(session, system, f"2024-{month:02d}", on=on).invoices
        for invoice in invoices:
            paid_on = max(invoice.issued_on, invoice.due_date - dt.timedelta(days=3))
            with on_day(paid_on):
                record_premium_payment(session, system, invoice.id, invoice.open, paid_on)
            count += 1
    return count


def _close_year(session: Session) -> None:
    """Give the 2024 limits up at the year's end and expire the 2024 policies."""
    limits = session.scalars(
        select(CreditLimit)
        .join(Policy, Policy.id == CreditLimit.policy_id)
        .where(
            Policy.period_end == HISTORY_YEAR.end,
            CreditLimit.status.in_((*COVERING_STATUSES, LimitStatus.REFERRED)),
        )
        .order_by(CreditLimit.requested_on, CreditLimit.id)
    ).all()
    # The day after the year: the limits were in force to its last day.
    with on_day(HISTORY_YEAR.end + dt.timedelta(days=1)):
        for limit in limits:
            cancel_limit_by_policyholder(
                session, _holder(limit.policyholder_id), limit.id, reason=GIVE_UP_REASON
            )
    expire_policies(session, HISTORY_YEAR.end + dt.timedelta(days=1))


def seed_demo_history(session: Session, seed: int) -> DemoHistory:
    """Seed 2024: policies, limits, declarations, invoices and payments; then close the year."""
    system = Actor.system()
    # The policies in force now, in the order the 2025 limit plan sees them (demo/limits.py).
    current = list(
        session.scalars(select(Policy).where(Policy.status == PolicyStatus.IN_FORCE).order_by(Policy.number))
    )
    prior = _prior_policies(session, system, current)
    limits = _prior_limits(session, seed, current, prior)
    rows = _declare(session, seed, {p.id for p in prior.values()})
    invoices = _invoice_and_pay(session)
    _close_year(session)
    session.flush()
    return DemoHistory(len(prior), limits, rows, invoices)
