"""Seeding for the invoice pages: the web world's insurer invoices its policyholder's May shipments."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.premiums.conftest import open_premium_book, usd
from tests.web.conftest import World

from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation
from tradecover.premiums.invoicing import issue_invoice


@dataclass(frozen=True)
class WebInvoice:
    """The invoice the pages show: its id, number, premium and first shipment's invoice number."""

    invoice_id: uuid.UUID
    number: str
    premium: str
    shipment: str


def seed_invoice(sessions: sessionmaker[Session], world: World) -> WebInvoice:
    """The world's insurer's rated policy for the world's policyholder, two May shipments, their invoice."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        book = open_premium_book(
            session,
            insurer_id=world.organisations[Role.INSURER_ADMIN],
            exporter_id=world.organisations[Role.POLICYHOLDER],
        )
        book.ship("WEB-1", "100000.00", dt.date(2026, 5, 4))
        book.ship("WEB-2", "25000.00", dt.date(2026, 5, 18), credit_days=120)
        admin = session.scalars(select(User).where(User.email == world.emails[Role.INSURER_ADMIN])).one()
        invoice = issue_invoice(session, actor_for(admin), book.policy.id, "2026-05", on=dt.date(2026, 6, 3))
        assert invoice is not None
        return WebInvoice(invoice.id, invoice.number, str(invoice.premium), "WEB-1")


def seed_pool_invoice(sessions: sessionmaker[Session], world: World) -> tuple[WebInvoice, str]:
    """A pool (a new leader 40%, the world's insurer 35%, another 25%) invoicing the world's policyholder;
    returns the invoice and the world insurer's own premium part as the page shows it."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        system = Actor.system()
        leader, other = (
            create_organisation(
                session, system, name=f"Insurer {uuid.uuid4()}", kind=OrganisationKind.INSURER, country="CN"
            ).id
            for _ in range(2)
        )
        members = [leader, world.organisations[Role.INSURER_ADMIN], other]
        shares = [Decimal("0.40"), Decimal("0.35"), Decimal("0.25")]
        pool = create_pool(
            session,
            system,
            name=f"Pool {uuid.uuid4().hex[:8]}",
            country="CN",
            currency="USD",
            leader_id=leader,
            leader_commission=Decimal("0.05"),
            members=[
                MemberPlan(m, s, total_capacity=usd(50_000_000)) for m, s in zip(members, shares, strict=True)
            ],
            starts_on=dt.date(2025, 1, 1),
        )
        book = open_premium_book(
            session, insurer_id=pool.id, exporter_id=world.organisations[Role.POLICYHOLDER]
        )
        book.ship("POOL-1", "123456.78", dt.date(2026, 5, 4))
        invoice = issue_invoice(session, system, book.policy.id, "2026-05", on=dt.date(2026, 6, 3))
        assert invoice is not None
        mine = next(m for m in invoice.members if m.member_id == world.organisations[Role.INSURER_ADMIN])
        return WebInvoice(invoice.id, invoice.number, str(invoice.premium), "POOL-1"), str(
            mine.money(mine.premium_minor)
        )
