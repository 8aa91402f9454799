"""Ledger fixtures: an insurer with a few accounts, opened through the service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tradecover.ledger.model import Account
from tradecover.ledger.service import open_account
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind


def new_insurer(db: Session, name: str) -> Organisation:
    """An insurer organisation added straight to the session."""
    organisation = Organisation(name=name, kind=OrganisationKind.INSURER, country="CN")
    db.add(organisation)
    db.flush()
    return organisation


@dataclass
class Books:
    """An insurer's CNY cash, premium receivable and premium income, and USD cash and claims payable."""

    insurer: Organisation
    cash: Account
    receivable: Account
    income: Account
    usd_cash: Account
    claims_payable: Account


def open_books(db: Session, name: str) -> Books:
    """A fresh insurer and its five accounts."""
    insurer = new_insurer(db, name)

    def account(code: str, label: str, kind: str, currency: str) -> Account:
        return open_account(
            db, organisation_id=insurer.id, code=code, name=label, type=kind, currency=currency
        )

    return Books(
        insurer=insurer,
        cash=account("1000", "Bank", "asset", "CNY"),
        receivable=account("1200", "Premium receivable", "asset", "CNY"),
        income=account("4000", "Premium income", "income", "CNY"),
        usd_cash=account("1000", "Bank", "asset", "USD"),
        claims_payable=account("2100", "Claims payable", "liability", "USD"),
    )


@pytest.fixture
def make_books(db: Session) -> Callable[[str], Books]:
    """Opens the books of a new insurer of the given name."""
    return lambda name: open_books(db, name)


@pytest.fixture
def books(make_books: Callable[[str], Books]) -> Books:
    """An insurer with its accounts, in the test's transaction."""
    return make_books("Sunrise Credit Insurance")
