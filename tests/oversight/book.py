"""A small hand-built book for the oversight metrics, with every fact the expected answers are worked from.

The book spans December–February twice, so that year-on-year growth crosses a year boundary:
CURRENT = 2025-12-01 … 2026-02-28 and its base BASE = 2024-12-01 … 2025-02-28. January 2026 is empty.
Premium is a flat 0.5% of insured turnover in every rate cell.

Organisations: insurers Alpha and Beta, Gamma (a member of the pool only), the Domestic Pool (Alpha 60%
leading, Gamma 40%), a bank, a commerce bureau with a programme and five policyholders:
  H1 Yiwu SME, H2 Shenzhen large, H3 no region and size, H4 Yiwu SME enrolled in the programme,
  H5 Shenzhen large.

Policies (P1b is assigned to the bank; P5 is cancelled from 2025-11-15):
  P1a H1 Alpha export USD 2024-12-01…2025-11-30   P1b H1 Alpha export USD 2025-12-01…2026-11-30
  P2  H2 Beta domestic CNY 2025-01-01…2026-12-31  P3  H3 Pool export EUR 2025-12-01…2026-11-30
  P4  H4 Alpha export CNY 2024-06-01…2026-05-31   P5  H5 Alpha export USD 2025-06-01…2026-05-31

Shipments (insured amount; premium 0.5% of it):
  P1a  2024-12-10 USD 100,000 (US electronics)  2025-01-15 USD 50,000 of 60,000  2025-06-10 USD 30,000
  P1b  2025-12-05 USD 120,000  2026-02-10 USD 80,000  2026-02-12 USD 0 of 5,000 (not insured, no premium)
  P2   2025-02-20 CNY 700,000  2026-02-20 CNY 1,000,000 (CN construction)
  P3   2025-12-15 EUR 10,000 (DE machinery)
  P4   2024-12-20 CNY 200,000  2025-12-20 CNY 300,000 (VN textiles)
  P5   2025-06-20 USD 10,000 (US electronics)

Credit limits (amount events: effective date, amount):
  L1  P1a USD: 2024-11-20 200,000 (the policy runs from 2024-12-01 to 2025-11-30)
  L1b P1b USD: requested; 2025-12-01 150,000; reduced with notice 2026-02-01 100,000
  L2  P2 CNY: 2025-01-10 2,000,000; cancelled by the insurer from 2026-02-15 (0)
  L3  P3 EUR: 2025-12-01 50,000
  L4  P4 CNY: 2024-12-01 500,000; reduced from 2026-03-01 300,000; then cancelled by the firm from
      2026-02-10 (0), which voids the pending reduction
  L5  P5 USD: declined 2025-06-01 (0)

Premium invoices (issued on): P1a 2024-12 on 2025-01-05 USD 500; P4 2024-12 on 2025-01-05 CNY 1,000
(the programme opens 2025-06-01: no subsidy); P1b 2025-12 on 2026-01-05 USD 600, credited on 2026-01-20
and issued again the same day USD 600; P4 2025-12 on 2026-01-05 CNY 1,500 of which the programme pays
80% = CNY 1,200.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import member

from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.clock import FixedClock, set_clock
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.declarations.model import Shipment
from tradecover.declarations.rules import CoverSource
from tradecover.limits.model import CreditLimit, LimitEvent, LimitEventKind, LimitStatus
from tradecover.money import Money
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience, Scope, scope_for
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Policy, PolicyStatus, Product
from tradecover.policies.products import install_products, rate_table_for, update_rate_table
from tradecover.policies.rules import COUNTRY_GRADES, RateGrid
from tradecover.policies.service import issue_policy
from tradecover.policies.stale import mark_stale
from tradecover.policies.terms import WORST_COVERABLE_BUYER_GRADE, ProductKind, terms_in_currency
from tradecover.premiums.credit_notes import credit_invoice
from tradecover.premiums.invoicing import issue_invoice
from tradecover.reference.fx import fx_rate
from tradecover.subsidies.enrolments import enrol
from tradecover.subsidies.programmes import ProgrammeDraft, create_programme, set_budget

CURRENT = Period(dt.date(2025, 12, 1), dt.date(2026, 2, 28))
BASE = Period(dt.date(2024, 12, 1), dt.date(2025, 2, 28))
RATE = Decimal("0.005")
# Reference rates (src/tradecover/reference/data/fx_rates.csv): units per 1 USD on each month's first day.
CNY_PER_USD = {
    dt.date(2024, 12, 1): Decimal("7.2067"),
    dt.date(2025, 1, 1): Decimal("7.3000"),
    dt.date(2025, 2, 1): Decimal("7.2900"),
    dt.date(2025, 12, 1): Decimal("7.1067"),
    dt.date(2026, 1, 1): Decimal("7.1000"),
    dt.date(2026, 2, 1): Decimal("7.0933"),
}
EUR_PER_USD = {
    dt.date(2025, 12, 1): Decimal("0.8583"),
    dt.date(2026, 1, 1): Decimal("0.8620"),
    dt.date(2026, 2, 1): Decimal("0.8608"),
}
CENT = Decimal("0.01")


def usd_cny(amount: str, month: dt.date) -> Decimal:
    """USD in CNY at the month's rate, rounded half up to the fen."""
    return (Decimal(amount) * CNY_PER_USD[month]).quantize(CENT, rounding=ROUND_HALF_UP)


def eur_cny(amount: str, month: dt.date) -> Decimal:
    """EUR in CNY crossed through USD at the month's rates, rounded half up to the fen."""
    return (Decimal(amount) * CNY_PER_USD[month] / EUR_PER_USD[month]).quantize(CENT, rounding=ROUND_HALF_UP)


FLAT_GRID = RateGrid(
    (WORST_COVERABLE_BUYER_GRADE,),
    (360,),
    {(WORST_COVERABLE_BUYER_GRADE, grade, 360): RATE for grade in COUNTRY_GRADES},
)


@contextmanager
def clock_at(day: dt.date) -> Iterator[None]:
    """Run the block with the platform clock at noon UTC of `day`."""
    previous = set_clock(FixedClock(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)))
    try:
        yield
    finally:
        set_clock(previous)


@dataclass
class OversightBook:
    """The organisations and policies of the book, and actors to view it as."""

    db: Session
    alpha: uuid.UUID
    beta: uuid.UUID
    gamma: uuid.UUID
    pool: uuid.UUID
    bank: uuid.UUID
    bureau: uuid.UUID
    holders: dict[str, uuid.UUID]
    policies: dict[str, Policy]
    alpha_admin: Actor

    def scope(self, audience: Audience, organisation_id: uuid.UUID | None = None) -> Scope:
        """The scope a fresh user of the organisation (with the audience's role) views."""
        if audience is Audience.REGULATOR:
            return scope_for(self.db, Actor.system(), audience)
        role = {
            Audience.INSURER: Role.INSURER_ADMIN,
            Audience.PROGRAMME: Role.PROGRAMME_OFFICER,
            Audience.BANK: Role.BANK_OFFICER,
        }[audience]
        assert organisation_id is not None
        return scope_for(self.db, member(self.db, organisation_id, role), audience)


def _organisation(db: Session, name: str, kind: OrganisationKind, **facts: object) -> uuid.UUID:
    return create_organisation(
        db, Actor.system(), name=f"{name} {uuid.uuid4().hex[:6]}", kind=kind, country="CN", **facts
    ).id  # type: ignore[arg-type]


def _product(db: Session, insurer_id: uuid.UUID, kind: ProductKind) -> Product:
    install_products(db, Actor.system(), insurer_id, kinds=[kind])
    product = db.scalars(select(Product).where(Product.insurer_id == insurer_id, Product.kind == kind)).one()
    update_rate_table(db, Actor.system(), product.id, grid=FLAT_GRID)
    return product


def _policy(
    db: Session, product: Product, holder: uuid.UUID, currency: str, start: dt.date, end: dt.date
) -> Policy:
    terms = product.terms
    if currency != terms.currency:
        terms = terms_in_currency(terms, currency, fx_rate(terms.currency, currency, start))
    return issue_policy(
        db,
        Actor.system(),
        product=product,
        policyholder_id=holder,
        terms=terms,
        period_start=start,
        period_end=end,
        rate_table_id=rate_table_for(db, product).id,
    )


def _buyer(db: Session, country: str, sector: str) -> Buyer:
    return register_buyer(
        db,
        Actor.system(),
        name=f"Buyer {uuid.uuid4().hex[:8]}",
        country=country,
        registration_number=uuid.uuid4().hex[:12].upper(),
        kind=BuyerKind.COMPANY,
        sector=sector,
        grade=4,
    )


def _ship(
    db: Session, policy: Policy, buyer: Buyer, invoice: str, day: dt.date, amount: str, insured: str
) -> Shipment:
    amount_minor = Money.of(amount, policy.currency).minor_units
    insured_money = Money.of(insured, policy.currency)
    premium = Money.rounded(insured_money.amount * RATE, policy.currency)
    shipment = Shipment(
        policy_id=policy.id,
        buyer_id=buyer.id,
        invoice_number=invoice,
        currency=policy.currency,
        amount_minor=amount_minor,
        shipment_date=day,
        due_date=day + dt.timedelta(days=60),
        declared_on=day,
        declared_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
        insured_minor=insured_money.minor_units,
        premium_minor=premium.minor_units if insured_money.is_positive else None,
        paid_minor=0,
        max_credit_days=180,
        deadline=day + dt.timedelta(days=7),
        cover_source=CoverSource.LIMIT if insured_money.is_positive else CoverSource.NONE,
        cover_minor=insured_money.minor_units,
        exposure_minor=0,
    )
    db.add(shipment)
    return shipment


def _limit(
    db: Session,
    policy: Policy,
    buyer: Buyer,
    status: LimitStatus,
    events: list[tuple[LimitEventKind, dt.date, str | None]],
) -> CreditLimit:
    amounts = [amount for _, _, amount in events if amount is not None]
    last = Money.of(amounts[-1] if amounts else "0", policy.currency)
    first = events[0][1]
    live = status not in (LimitStatus.DECLINED, LimitStatus.CANCELLED)
    limit = CreditLimit(
        policy_id=policy.id,
        buyer_id=buyer.id,
        live_buyer_id=buyer.id if live else None,
        policyholder_id=policy.policyholder_id,
        insurer_id=policy.insurer_id,
        buyer_country=buyer.country,
        buyer_sector=buyer.sector,
        currency=policy.currency,
        requested_minor=Money.of(
            amounts[0] if amounts and amounts[0] != "0" else "1000", policy.currency
        ).minor_units,
        usd_rate=fx_rate(policy.currency, "USD", first),
        requested_on=first,
        status=status,
        amount_minor=last.minor_units,
        decided_on=first,
    )
    db.add(limit)
    db.flush()
    for sequence, (kind, day, amount) in enumerate(events, start=1):
        db.add(
            LimitEvent(
                limit_id=limit.id,
                sequence=sequence,
                kind=kind,
                amount_minor=None if amount is None else Money.of(amount, policy.currency).minor_units,
                effective_on=day,
                reason=kind.value,
            )
        )
    return limit


def open_oversight_book(db: Session) -> OversightBook:
    """Build the book described in the module docstring."""
    system = Actor.system()
    with clock_at(dt.date(2024, 5, 1)):
        alpha = _organisation(db, "Alpha Assurance", OrganisationKind.INSURER)
        beta = _organisation(db, "Beta Credit", OrganisationKind.INSURER)
        gamma = _organisation(db, "Gamma Re", OrganisationKind.INSURER)
        bank = _organisation(db, "Kite Bank", OrganisationKind.BANK)
        bureau = _organisation(db, "Yiwu Commerce Bureau", OrganisationKind.PROGRAMME_BODY)
        pool = create_pool(
            db,
            system,
            name=f"Domestic Pool {uuid.uuid4().hex[:6]}",
            country="CN",
            currency="CNY",
            leader_id=alpha,
            leader_commission=Decimal("0.05"),
            members=[MemberPlan(alpha, Decimal("0.60")), MemberPlan(gamma, Decimal("0.40"))],
        ).id
        exports = Money.of(3_000_000, "USD")
        holders = {
            "H1": _organisation(
                db,
                "Exporter One",
                OrganisationKind.POLICYHOLDER,
                region="Yiwu",
                is_sme=True,
                prior_year_exports=exports,
            ),
            "H2": _organisation(
                db, "Exporter Two", OrganisationKind.POLICYHOLDER, region="Shenzhen", is_sme=False
            ),
            "H3": _organisation(db, "Exporter Three", OrganisationKind.POLICYHOLDER),
            "H4": _organisation(
                db,
                "Exporter Four",
                OrganisationKind.POLICYHOLDER,
                region="Yiwu",
                is_sme=True,
                prior_year_exports=exports,
            ),
            "H5": _organisation(
                db, "Exporter Five", OrganisationKind.POLICYHOLDER, region="Shenzhen", is_sme=False
            ),
        }
        export_alpha = _product(db, alpha, ProductKind.EXPORT_WHOLE_TURNOVER)
        domestic_beta = _product(db, beta, ProductKind.DOMESTIC_WHOLE_TURNOVER)
        export_pool = _product(db, pool, ProductKind.EXPORT_WHOLE_TURNOVER)
        d = dt.date
        policies = {
            "P1a": _policy(db, export_alpha, holders["H1"], "USD", d(2024, 12, 1), d(2025, 11, 30)),
            "P1b": _policy(db, export_alpha, holders["H1"], "USD", d(2025, 12, 1), d(2026, 11, 30)),
            "P2": _policy(db, domestic_beta, holders["H2"], "CNY", d(2025, 1, 1), d(2026, 12, 31)),
            "P3": _policy(db, export_pool, holders["H3"], "EUR", d(2025, 12, 1), d(2026, 11, 30)),
            "P4": _policy(db, export_alpha, holders["H4"], "CNY", d(2024, 6, 1), d(2026, 5, 31)),
            "P5": _policy(db, export_alpha, holders["H5"], "USD", d(2025, 6, 1), d(2026, 5, 31)),
        }
        policies["P1b"].loss_payee_id = bank
        policies["P1b"].loss_payee_since = d(2025, 12, 1)
        policies["P5"].status = PolicyStatus.CANCELLED
        policies["P5"].cancelled_on = d(2025, 11, 15)
        policies["P5"].cancellation_reason = "the firm stopped exporting"
        us = _buyer(db, "US", "electronics")
        cn = _buyer(db, "CN", "construction")
        de = _buyer(db, "DE", "machinery")
        vn = _buyer(db, "VN", "textiles_apparel")
        officer = member(db, bureau, Role.PROGRAMME_OFFICER)
        programme = create_programme(
            db,
            officer,
            ProgrammeDraft(
                name=f"Yiwu export subsidy {uuid.uuid4().hex[:6]}",
                currency="CNY",
                product_kinds=["export_whole_turnover"],
                tiers=[{"rate": "0.80"}],
                rules=[{"fact": "region", "op": "==", "value": "Yiwu"}],
                mode="direct",
                starts_on=d(2025, 6, 1),
                ends_on=d(2026, 12, 31),
                cap=Money.of(200_000, "CNY"),
                region="Yiwu",
                enrolment_required=True,
            ),
        )
        set_budget(db, officer, programme.id, 2026, Money.of(5_000_000, "CNY"))
    with clock_at(d(2025, 6, 1)):
        enrol(db, officer, programme.id, d(2025, 6, 1), policyholder_id=holders["H4"])
    p = policies
    for policy, buyer, invoice, day, amount, insured in [
        (p["P1a"], us, "A-1", d(2024, 12, 10), "100000.00", "100000.00"),
        (p["P1a"], us, "A-2", d(2025, 1, 15), "60000.00", "50000.00"),
        (p["P1a"], us, "A-3", d(2025, 6, 10), "30000.00", "30000.00"),
        (p["P1b"], us, "B-1", d(2025, 12, 5), "120000.00", "120000.00"),
        (p["P1b"], us, "B-2", d(2026, 2, 10), "80000.00", "80000.00"),
        (p["P1b"], us, "B-3", d(2026, 2, 12), "5000.00", "0"),
        (p["P2"], cn, "C-1", d(2025, 2, 20), "700000.00", "700000.00"),
        (p["P2"], cn, "C-2", d(2026, 2, 20), "1000000.00", "1000000.00"),
        (p["P3"], de, "D-1", d(2025, 12, 15), "10000.00", "10000.00"),
        (p["P4"], vn, "E-1", d(2024, 12, 20), "200000.00", "200000.00"),
        (p["P4"], vn, "E-2", d(2025, 12, 20), "300000.00", "300000.00"),
        (p["P5"], us, "F-1", d(2025, 6, 20), "10000.00", "10000.00"),
    ]:
        _ship(db, policy, buyer, invoice, day, amount, insured)
    k = LimitEventKind
    _limit(db, p["P1a"], us, LimitStatus.APPROVED, [(k.APPROVED, d(2024, 11, 20), "200000")])
    _limit(
        db,
        p["P1b"],
        us,
        LimitStatus.REDUCED,
        [
            (k.REQUESTED, d(2025, 11, 25), None),
            (k.APPROVED, d(2025, 12, 1), "150000"),
            (k.REDUCED, d(2026, 2, 1), "100000"),
        ],
    )
    _limit(
        db,
        p["P2"],
        cn,
        LimitStatus.CANCELLED,
        [(k.APPROVED, d(2025, 1, 10), "2000000"), (k.CANCELLED_BY_INSURER, d(2026, 2, 15), "0")],
    )
    _limit(db, p["P3"], de, LimitStatus.APPROVED, [(k.APPROVED, d(2025, 12, 1), "50000")])
    _limit(
        db,
        p["P4"],
        vn,
        LimitStatus.CANCELLED,
        [
            (k.APPROVED, d(2024, 12, 1), "500000"),
            (k.REDUCED, d(2026, 3, 1), "300000"),
            (k.CANCELLED_BY_POLICYHOLDER, d(2026, 2, 10), "0"),
        ],
    )
    _limit(
        db,
        p["P5"],
        us,
        LimitStatus.DECLINED,
        [(k.REQUESTED, d(2025, 6, 1), None), (k.DECLINED, d(2025, 6, 1), "0")],
    )
    db.flush()
    admin = member(db, alpha, Role.INSURER_ADMIN)
    with clock_at(d(2025, 1, 5)):
        issue_invoice(db, admin, p["P1a"].id, "2024-12", on=d(2025, 1, 5))
        issue_invoice(db, admin, p["P4"].id, "2024-12", on=d(2025, 1, 5))
    with clock_at(d(2026, 1, 5)):
        first = issue_invoice(db, admin, p["P1b"].id, "2025-12", on=d(2026, 1, 5))
        issue_invoice(db, admin, p["P4"].id, "2025-12", on=d(2026, 1, 5))
    assert first is not None
    with clock_at(d(2026, 1, 20)):
        credit_invoice(db, admin, first.id, "wrong buyer grade", on=d(2026, 1, 20))
        issue_invoice(db, admin, p["P1b"].id, "2025-12", on=d(2026, 1, 20))
    # The shipments and limit events above were added as rows, not through the services that mark them.
    mark_stale(db, (policy.id for policy in p.values()))
    db.flush()
    return OversightBook(db, alpha, beta, gamma, pool, bank, bureau, holders, policies, admin)
