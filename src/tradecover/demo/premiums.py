"""Demo premium invoices: every month of the demo year up to its "today", paid, part-paid or overdue.

The pool policies (from mid-June) first get a shipment on each of their limits. Each month is then
invoiced on the fifth day after it ends (the last month on the demo's "today") for every policy with
insured shipments, through the same service as `tradecover premiums invoice`. Most invoices are paid
in full around their due date, some in part, and a few stay unpaid so that dunning (run on the demo's
"today") shows reminders and the non-payment effect.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.clock import FixedClock, set_clock
from tradecover.coinsurance.model import Pool
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.history import in_force_on
from tradecover.limits.model import COVERING_STATUSES, CreditLimit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.premiums.dunning import run_dunning
from tradecover.premiums.invoicing import issue_invoices
from tradecover.premiums.model import PremiumInvoice
from tradecover.premiums.payments import record_premium_payment
from tradecover.premiums.rules import month_bounds

# Of the invoices due by the demo's "today": paid in full, paid in part, the rest left unpaid.
PAID_IN_FULL = 0.82
PAID_IN_PART = 0.10
INVOICING_DELAY_DAYS = 5


@dataclass(frozen=True, slots=True)
class DemoPremiums:
    """What the demo's premium seeding made."""

    invoices: int
    payments: int
    in_arrears: int


def _pay(session: Session, rng: random.Random, invoice: PremiumInvoice, as_of: dt.date) -> int:
    """Pay an invoice as the demo firm would: in full, in part, or not (yet); returns payments made."""
    if not invoice.open.is_positive:
        return 0
    draw = rng.random()
    if invoice.due_date > as_of:
        # Not due yet: about half the firms pay early.
        if draw < 0.5:
            day = invoice.issued_on + dt.timedelta(days=rng.randint(0, (as_of - invoice.issued_on).days))
            record_premium_payment(session, Actor.system(), invoice.id, invoice.open, day)
            return 1
        return 0
    if draw < PAID_IN_FULL:
        day = min(invoice.due_date + dt.timedelta(days=rng.randint(-12, 3)), as_of)
        record_premium_payment(session, Actor.system(), invoice.id, invoice.open, max(day, invoice.issued_on))
        return 1
    if draw < PAID_IN_FULL + PAID_IN_PART:
        part = Money.rounded(
            invoice.open.amount * Decimal(rng.choice(("0.25", "0.5", "0.6"))), invoice.currency
        )
        if part.is_positive:
            record_premium_payment(
                session,
                Actor.system(),
                invoice.id,
                part,
                max(invoice.issued_on, as_of - dt.timedelta(days=rng.randint(0, 10))),
            )
            return 1
    return 0


def _pool_shipments(session: Session, rng: random.Random, as_of: dt.date) -> None:
    """A shipment in the last fortnight on each limit of the pool policies (they began in June)."""
    limits = session.scalars(
        select(CreditLimit)
        .where(
            CreditLimit.insurer_id.in_(select(Pool.id)),
            CreditLimit.status.in_(COVERING_STATUSES),
        )
        .order_by(CreditLimit.created_at, CreditLimit.id)
    ).all()
    previous = set_clock(FixedClock(dt.datetime.combine(as_of, dt.time(9), tzinfo=dt.UTC)))
    try:
        for number, limit in enumerate(limits):
            shipped = as_of - dt.timedelta(days=rng.randint(1, 12))
            cover = in_force_on(limit, shipped)
            if not cover.is_positive:
                continue
            amount = Money.rounded(cover.amount * Decimal(rng.choice(("0.3", "0.45", "0.6"))), cover.currency)
            declare_shipment(
                session,
                Actor.system(),
                limit.policy_id,
                ShipmentDeclaration(
                    buyer_id=limit.buyer_id,
                    invoice_number=f"POOL-{as_of:%Y%m}-{number + 1:04d}",
                    amount=amount,
                    shipment_date=shipped,
                    due_date=shipped + dt.timedelta(days=rng.choice((60, 90, 120))),
                ),
            )
    finally:
        set_clock(previous)


def seed_demo_premiums(session: Session, seed: int, as_of: dt.date) -> DemoPremiums:
    """Invoice each month of the year up to `as_of`, pay most invoices, and run dunning on `as_of`."""
    rng = random.Random(seed * 7919 + 4)
    _pool_shipments(session, rng, as_of)
    invoices: list[PremiumInvoice] = []
    for number in range(1, as_of.month + 1):
        _, last = month_bounds(f"{as_of.year}-{number:02d}")
        if last > as_of:
            break
        # Invoiced on the fifth day after the month (the last month on `as_of`).
        on = min(last + dt.timedelta(days=INVOICING_DELAY_DAYS), as_of)
        invoices.extend(issue_invoices(session, Actor.system(), f"{as_of.year}-{number:02d}", on=on).invoices)
    payments = sum(_pay(session, rng, invoice, as_of) for invoice in invoices)
    run = run_dunning(session, as_of)
    session.flush()
    return DemoPremiums(len(invoices), payments, len(run.policies_in_arrears))
