"""Seeding for the invoice pages: the web world's insurer invoices its policyholder's May shipments."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.premiums.conftest import open_premium_book
from tests.web.conftest import World

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for
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
