"""Shared world for claim tests: a policy with a limit on a buyer, shipments, an overdue invoice.

`open_claims_world(db)` builds an insurer (admin, two claims handlers), an exporter with a USD export
whole-turnover policy for 2026, a US buyer of grade 4 with a USD 400,000 limit approved on 2 January,
and two shipments declared on their shipment dates and left unpaid: INV-1 (USD 100,000 shipped
2 February, due 3 April) and INV-2 (USD 50,000 shipped 16 February, due 17 April). `pool=True` makes
the insurer a pool of three insurers (40/35/25, the first leading). The clock then stands at TODAY
(15 September 2026), after the protracted-default waiting period of both invoices.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.api.conftest import api, client, fresh, sessions, world  # noqa: F401
from tests.limits.conftest import member, new_buyer

from tradecover.buyers.model import Buyer
from tradecover.claims.filing import Credit, file_claim
from tradecover.claims.model import Claim
from tradecover.claims.overdues import report_overdue, reported_overdue
from tradecover.clock import FixedClock, set_clock
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.model import Shipment
from tradecover.declarations.payments import PaymentDeclaration, declare_payment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Policy, Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import CauseOfLoss, MaximumLiability, ProductKind

TODAY = dt.date(2026, 9, 15)
POOL_SHARES = (Decimal("0.40"), Decimal("0.35"), Decimal("0.25"))


def usd(amount: int | str) -> Money:
    """US dollars."""
    return Money.of(amount, "USD")


@contextmanager
def clock_at(day: dt.date) -> Iterator[None]:
    """Run the block with the platform clock at noon UTC of `day`."""
    previous = set_clock(FixedClock(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)))
    try:
        yield
    finally:
        set_clock(previous)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The platform clock stands at noon on 15 September 2026 during each claim test."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@dataclass
class ClaimsWorld:
    """An insurer (or pool), an exporter with a USD export policy, a limited buyer, unpaid shipments."""

    db: Session
    insurer_id: uuid.UUID
    exporter_id: uuid.UUID
    insurer_admin: Actor
    handler: Actor
    second_handler: Actor
    exporter: Actor
    policy: Policy
    buyer: Buyer
    shipments: dict[str, Shipment] = field(default_factory=dict)
    # The pool members in the pool's order (leader first); empty for a single insurer.
    members: list[uuid.UUID] = field(default_factory=list)

    def ship(
        self,
        invoice: str,
        amount: int | str,
        shipped: dt.date,
        credit_days: int = 60,
        buyer: Buyer | None = None,
    ) -> Shipment:
        """Declare a shipment as the exporter on its shipment date."""
        with clock_at(shipped):
            shipment = declare_shipment(
                self.db,
                self.exporter,
                self.policy.id,
                ShipmentDeclaration(
                    buyer_id=(buyer or self.buyer).id,
                    invoice_number=invoice,
                    amount=usd(amount),
                    shipment_date=shipped,
                    due_date=shipped + dt.timedelta(days=credit_days),
                ),
            )
        self.shipments[invoice] = shipment
        return shipment

    def pay(self, amount: int | str, received: dt.date, buyer: Buyer | None = None) -> None:
        """Declare a payment received from the buyer on its date."""
        with clock_at(received):
            declare_payment(
                self.db,
                self.exporter,
                self.policy.id,
                PaymentDeclaration(
                    buyer_id=(buyer or self.buyer).id, amount=usd(amount), received_on=received
                ),
            )


def _pool(db: Session) -> tuple[uuid.UUID, list[uuid.UUID]]:
    system = Actor.system()
    insurers = [
        create_organisation(
            db, system, name=f"Insurer {uuid.uuid4()}", kind=OrganisationKind.INSURER, country="CN"
        ).id
        for _ in POOL_SHARES
    ]
    pool = create_pool(
        db,
        system,
        name=f"Pool {uuid.uuid4().hex[:8]}",
        country="CN",
        currency="USD",
        leader_id=insurers[0],
        leader_commission=Decimal("0.05"),
        members=[
            MemberPlan(i, s, total_capacity=usd(50_000_000) * s)
            for i, s in zip(insurers, POOL_SHARES, strict=True)
        ],
        starts_on=dt.date(2025, 1, 1),
    )
    return pool.id, insurers


def open_claims_world(
    db: Session,
    *,
    pool: bool = False,
    shipments: bool = True,
    insurer_id: uuid.UUID | None = None,
    exporter_id: uuid.UUID | None = None,
    **terms: object,
) -> ClaimsWorld:
    """A fresh world (see the module docstring); `shipments=False` leaves the invoices out; `terms`
    change the product's terms (the maximum liability is a fixed USD 1,000,000 unless changed)."""
    system = Actor.system()
    members: list[uuid.UUID] = []
    if pool:
        insurer_id, members = _pool(db)
        staff_org = members[0]  # the leader administers the pool's policies and claims
    else:
        insurer_id = (
            insurer_id
            or create_organisation(
                db, system, name=f"Insurer {uuid.uuid4()}", kind=OrganisationKind.INSURER, country="CN"
            ).id
        )
        staff_org = insurer_id
    exporter_id = (
        exporter_id
        or create_organisation(
            db, system, name=f"Exporter {uuid.uuid4()}", kind=OrganisationKind.POLICYHOLDER, country="CN"
        ).id
    )
    admin = member(db, staff_org, Role.INSURER_ADMIN)
    install_products(db, system, insurer_id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
    product = db.scalars(
        select(Product).where(
            Product.insurer_id == insurer_id, Product.kind == ProductKind.EXPORT_WHOLE_TURNOVER
        )
    ).one()
    with clock_at(dt.date(2026, 1, 2)):
        policy = issue_policy(
            db,
            system,
            product=product,
            policyholder_id=exporter_id,
            terms=product.terms.replace(
                **{"maximum_liability": MaximumLiability(amount=usd(1_000_000)), **terms}
            ),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            rate_table_id=None,
        )
        exporter = member(db, exporter_id, Role.POLICYHOLDER)
        buyer = new_buyer(db)
        request_limit(db, exporter, policy.id, buyer.id, usd(400_000))
    built = ClaimsWorld(
        db=db,
        insurer_id=insurer_id,
        exporter_id=exporter_id,
        insurer_admin=admin,
        handler=member(db, staff_org, Role.CLAIMS_HANDLER),
        second_handler=member(db, staff_org, Role.CLAIMS_HANDLER),
        exporter=exporter,
        policy=policy,
        buyer=buyer,
        members=members,
    )
    if shipments:
        built.ship("INV-1", 100_000, dt.date(2026, 2, 2))
        built.ship("INV-2", 50_000, dt.date(2026, 2, 16))
    return built


@pytest.fixture
def claims_world(db: Session) -> ClaimsWorld:
    """A single insurer's policy with a limited buyer and two unpaid shipments."""
    return open_claims_world(db)


@pytest.fixture
def pool_world(db: Session) -> ClaimsWorld:
    """The same on a pool policy (three members, 40/35/25, the first leading)."""
    return open_claims_world(db, pool=True)


def report(book: ClaimsWorld, invoice: str, days_late: int = 5) -> None:
    """Report the invoice overdue `days_late` days after its due date (in time by default)."""
    shipment = book.shipments[invoice]
    if reported_overdue(book.db, shipment.id) is None:
        with clock_at(shipment.due_date + dt.timedelta(days=days_late)):
            report_overdue(book.db, book.exporter, book.policy.id, invoice)


def filed_claim(
    book: ClaimsWorld,
    invoices: tuple[str, ...] = ("INV-1",),
    *,
    cause: CauseOfLoss = CauseOfLoss.PROTRACTED_DEFAULT,
    credits: tuple[Credit, ...] = (),
    actor: Actor | None = None,
    insolvency_date: dt.date | None = None,
) -> Claim:
    """The invoices reported overdue in time, then a claim filed on them today by the exporter."""
    for invoice in invoices:
        report(book, invoice)
    return file_claim(
        book.db,
        actor or book.exporter,
        book.policy.id,
        cause=cause,
        shipment_ids=[book.shipments[number].id for number in invoices],
        credits=credits,
        insolvency_date=insolvency_date,
    )


@dataclass(frozen=True)
class WebClaims:
    """What the claim pages show: the policy and its reported overdue invoices, committed."""

    policy_id: uuid.UUID
    policy_number: str
    shipment_ids: dict[str, uuid.UUID]


def seed_web_claims(
    factory: sessionmaker[Session], insurer_id: uuid.UUID, exporter_id: uuid.UUID
) -> WebClaims:
    """The claims world on the web world's insurer and policyholder, both invoices reported overdue."""
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        book = open_claims_world(session, insurer_id=insurer_id, exporter_id=exporter_id)
        for invoice in ("INV-1", "INV-2"):
            report(book, invoice)
        return WebClaims(book.policy.id, book.policy.number, {k: s.id for k, s in book.shipments.items()})
