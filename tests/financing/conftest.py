"""Financing world: the limit tests' book (USD policy, buyer with a USD 100,000 limit), a bank and a facility.

The clock stands at noon on 15 June 2026. Two invoices are declared today on the buyer and left unpaid:
INV-1 (USD 60,000, due in 60 days) and INV-2 (USD 30,000, due in 90 days). The bank's facility has a
limit of USD 200,000, an advance rate of 80 % and runs from 1 June 2026 to 31 May 2027; the exporter
has assigned the policy to it, so the borrowing base today is 80 % × 90,000 = USD 72,000.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.api.conftest import api, client, sessions, world  # noqa: F401
from tests.limits.conftest import TODAY, Book, member, open_book, usd

from tradecover.clock import FixedClock, set_clock
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.financing.facilities import assign_policy, create_facility
from tradecover.financing.model import Facility
from tradecover.limits.decisions import request_limit
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation

START = dt.date(2026, 6, 1)
MATURITY = dt.date(2027, 5, 31)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The platform clock stands at noon on 15 June 2026 during each financing test."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@dataclass
class Financed:
    """The book, its bank (an officer), the facility, and the bank's and exporter's actors."""

    book: Book
    bank_id: uuid.UUID
    officer: Actor
    facility: Facility


def new_bank(db: Session) -> tuple[uuid.UUID, Actor]:
    """A new bank with one bank officer (the session left unrestricted)."""
    set_tenant(db, Tenant.unrestricted())
    bank = create_organisation(
        db, Actor.system(), name=f"Bank {uuid.uuid4()}", kind=OrganisationKind.BANK, country="CN"
    )
    return bank.id, member(db, bank.id, Role.BANK_OFFICER)


def ship(
    db: Session, book: Book, invoice: str, amount: int, *, credit_days: int, day: dt.date = TODAY
) -> None:
    """Declare an invoice on the book's buyer as its exporter."""
    set_tenant(db, book.exporter.tenant)
    declare_shipment(
        db,
        book.exporter,
        book.policy.id,
        ShipmentDeclaration(
            buyer_id=book.buyer.id,
            invoice_number=invoice,
            amount=usd(amount),
            shipment_date=day,
            due_date=day + dt.timedelta(days=credit_days),
        ),
    )
    set_tenant(db, Tenant.unrestricted())


def open_financed(db: Session, *, limit: int = 200_000, assign: bool = True) -> Financed:
    """A fresh book with a limit, two unpaid invoices, a bank and its facility (assigned unless told)."""
    book = open_book(db)
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    ship(db, book, "INV-1", 60_000, credit_days=60)
    ship(db, book, "INV-2", 30_000, credit_days=90)
    bank_id, officer = new_bank(db)
    set_tenant(db, officer.tenant)
    facility = create_facility(
        db,
        officer,
        policy_id=book.policy.id,
        limit=usd(limit),
        advance_rate=Decimal("0.8"),
        starts_on=START,
        matures_on=MATURITY,
    )
    if assign:
        set_tenant(db, book.exporter.tenant)
        assign_policy(db, book.exporter, facility.id)
    set_tenant(db, Tenant.unrestricted())
    return Financed(book, bank_id, officer, facility)


@pytest.fixture
def financed(db: Session) -> Financed:
    """A book financed by a bank: see the module docstring."""
    return open_financed(db)
