"""The demo's financed domestic policy: where a person walks an overdue through to a paid claim.

The flagship Yiwu exporter, turning to the home market, holds a domestic policy of the coinsurance pool
from 12 June 2025 with limits on two Chinese buyers. Silk Road Commercial Bank lends against it (80% of
the insured, not overdue receivables) and the policy is assigned to the bank. In November the exporter
ships to both buyers and draws on the facility; in December the first buyer files for bankruptcy and
its two invoices fall overdue. On the demo's date (30 December 2025) they are not yet reported: the
exporter reports them, files an insolvency claim, the pool leader's claims handler decides it, each
member pays its part — the bank's outstanding drawing first — and a later dividend is shared.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.grades import change_buyer_grade
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.declarations.model import Shipment
from tradecover.declarations.payments import PaymentDeclaration, declare_payment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.demo.days import on_day
from tradecover.financing.drawings import draw, repay
from tradecover.financing.facilities import assign_policy, create_facility
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import CreditLimit
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.service import actor_for
from tradecover.policies.model import Policy, Product
from tradecover.policies.products import rate_table_for
from tradecover.policies.service import issue_policy

POLICY_STARTS = dt.date(2025, 6, 12)
POLICY_ENDS = dt.date(2026, 6, 11)
FACILITY_STARTS = dt.date(2025, 7, 1)
FACILITY_MATURES = dt.date(2026, 6, 30)
FACILITY_LIMIT = Money.of(1_500_000, "CNY")
ADVANCE_RATE = Decimal("0.80")
INSOLVENT_ON = dt.date(2025, 12, 22)
INSOLVENCY_REASON = (
    "Bankruptcy application accepted by the Intermediate People's Court on 22 December 2025; "
    "administrator appointed"
)
BANK_OFFICER = "bank@demo.tradecover.org"
POLICYHOLDER = "policyholder@demo.tradecover.org"
POOL_UNDERWRITER = "underwriter.jade@demo.tradecover.org"


@dataclass(frozen=True, slots=True)
class _Invoice:
    buyer: int  # 0: the buyer that fails, 1: the one that keeps paying
    number: str
    amount: int
    shipped: dt.date
    due: dt.date
    paid: dt.date | None


INVOICES = (
    _Invoice(0, "YW-D-2508-001", 350_000, dt.date(2025, 8, 11), dt.date(2025, 9, 10), dt.date(2025, 9, 12)),
    _Invoice(1, "YW-D-2509-001", 300_000, dt.date(2025, 9, 8), dt.date(2025, 10, 8), dt.date(2025, 10, 10)),
    _Invoice(0, "YW-D-2511-001", 420_000, dt.date(2025, 11, 3), dt.date(2025, 12, 3), None),
    _Invoice(0, "YW-D-2511-002", 380_000, dt.date(2025, 11, 17), dt.date(2025, 12, 17), None),
    _Invoice(1, "YW-D-2511-003", 260_000, dt.date(2025, 11, 24), dt.date(2026, 1, 23), None),
)
LIMITS = (Money.of(1_000_000, "CNY"), Money.of(600_000, "CNY"))
DRAWN_ON, DRAWN = dt.date(2025, 11, 26), Money.of(700_000, "CNY")
REPAID_ON, REPAID = dt.date(2025, 12, 10), Money.of(100_000, "CNY")


def _actor(session: Session, email: str) -> Actor:
    user = session.scalars(select(User).where(User.email == email)).first()
    return Actor.system() if user is None else actor_for(user)


def _buyers(session: Session) -> list[Buyer]:
    """Two sound Chinese companies on which nobody holds a limit or has declared a shipment yet."""
    held = select(CreditLimit.buyer_id)
    shipped = select(Shipment.buyer_id)
    return list(
        session.scalars(
            select(Buyer)
            .where(
                Buyer.country == "CN",
                Buyer.kind == BuyerKind.COMPANY,
                Buyer.grade <= 5,
                Buyer.id.not_in(held),
                Buyer.id.not_in(shipped),
            )
            .order_by(Buyer.registration_number)
            .limit(2)
        )
    )


def seed_financed_pool_policy(session: Session, pool_id: uuid.UUID) -> Policy | None:
    """The flagship's financed domestic pool policy, up to the unreported overdues (None: no flagship)."""
    exporter = _actor(session, POLICYHOLDER)
    if exporter.is_system or exporter.organisation_id is None:
        return None
    product = session.scalars(
        select(Product).where(Product.insurer_id == pool_id).order_by(Product.created_at)
    ).first()
    buyers = _buyers(session)
    if product is None or len(buyers) < len(LIMITS):
        return None
    table = rate_table_for(session, product)
    with on_day(POLICY_STARTS):
        policy = issue_policy(
            session,
            Actor.system(),
            product=product,
            policyholder_id=exporter.organisation_id,
            terms=product.terms,
            period_start=POLICY_STARTS,
            period_end=POLICY_ENDS,
            rate_table_id=table.id,
            preferential_discount=Rate(table.preferential_discount),
        )
    with on_day(POLICY_STARTS + dt.timedelta(days=4)):
        for buyer, amount in zip(buyers, LIMITS, strict=True):
            request_limit(session, exporter, policy.id, buyer.id, amount)
    bank = _actor(session, BANK_OFFICER)
    with on_day(FACILITY_STARTS):
        facility = create_facility(
            session,
            bank,
            policy_id=policy.id,
            limit=FACILITY_LIMIT,
            advance_rate=ADVANCE_RATE,
            starts_on=FACILITY_STARTS,
            matures_on=FACILITY_MATURES,
        )
        assign_policy(session, exporter, facility.id)
    events: list[tuple[dt.date, int, object]] = []
    for invoice in INVOICES:
        events.append((invoice.shipped + dt.timedelta(days=1), 0, invoice))
        if invoice.paid is not None:
            events.append((invoice.paid, 1, invoice))
    events.append((DRAWN_ON, 2, DRAWN))
    events.append((REPAID_ON, 3, REPAID))
    for day, kind, what in sorted(events, key=lambda e: (e[0], e[1])):
        with on_day(day):
            if kind == 0 and isinstance(what, _Invoice):
                declare_shipment(
                    session,
                    exporter,
                    policy.id,
                    ShipmentDeclaration(
                        buyers[what.buyer].id,
                        what.number,
                        Money.of(what.amount, "CNY"),
                        what.shipped,
                        what.due,
                    ),
                )
            elif kind == 1 and isinstance(what, _Invoice):
                declare_payment(
                    session,
                    exporter,
                    policy.id,
                    PaymentDeclaration(buyers[what.buyer].id, Money.of(what.amount, "CNY"), day, what.number),
                )
            elif kind == 2 and isinstance(what, Money):
                draw(session, bank, facility.id, what, on=day)
            elif isinstance(what, Money):
                repay(session, bank, facility.id, what, on=day)
    with on_day(INSOLVENT_ON):
        change_buyer_grade(
            session,
            _actor(session, POOL_UNDERWRITER),
            buyers[0].id,
            grade=10,
            reason=INSOLVENCY_REASON,
        )
    return policy
