"""Each audience's view: its sections in order, unique keys, who may open it, what the market view hides."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import member
from tests.oversight.book import OversightBook

from tradecover.errors import PermissionDenied, ValidationError
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.views import SECTIONS, build_view
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation

CURRENT = Period(dt.date(2025, 12, 1), dt.date(2026, 2, 28))
INVOICES = ("A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "C-1", "C-2", "D-1", "E-1", "E-2", "F-1")


def _regulator(db: Session) -> Actor:
    nfra = create_organisation(
        db, Actor.system(), name="Financial Regulator", kind=OrganisationKind.REGULATOR, country="CN"
    )
    return member(db, nfra.id, Role.REGULATOR)


def _viewers(book: OversightBook) -> dict[Audience, Actor]:
    return {
        Audience.REGULATOR: _regulator(book.db),
        Audience.INSURER: member(book.db, book.alpha, Role.UNDERWRITER),
        Audience.PROGRAMME: member(book.db, book.bureau, Role.PROGRAMME_OFFICER),
        Audience.BANK: member(book.db, book.bank, Role.BANK_OFFICER),
    }


def test_every_audience_gets_its_sections_in_order_with_unique_keys(book: OversightBook) -> None:
    for audience, actor in _viewers(book).items():
        view = build_view(book.db, actor, audience, CURRENT, "CNY", today=dt.date(2026, 3, 1))
        assert [s.key for s in view.sections] == [
            build(book.db, book.scope(audience, actor.organisation_id), CURRENT, "CNY").key
            for build in SECTIONS[audience]
        ]
        tables = [t.key for s in view.sections for t in s.tables]
        charts = [c.key for s in view.sections for c in s.charts]
        assert len(tables) == len(set(tables)), f"{audience}: two tables share a key (CSV links need one)"
        assert len(charts) == len(set(charts)), f"{audience}: two charts share a key"
        assert (view.currency, view.period) == ("CNY", CURRENT)
        assert view.generated_on == dt.date(2026, 3, 1)
        json.dumps(view.to_json())  # every value encodes


def test_the_market_view_holds_no_firm_names_and_no_invoice_numbers(book: OversightBook) -> None:
    view = build_view(
        book.db,
        _regulator(book.db),
        Audience.REGULATOR,
        Period.of(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
    )
    text = json.dumps(view.to_json())
    names = book.db.scalars(
        select(Organisation.name).where(Organisation.id.in_(list(book.holders.values())))
    ).all()
    assert len(names) == 5
    for name in names:
        assert name not in text
    for invoice in INVOICES:
        assert f'"{invoice}"' not in text
    # The market still shows the book: the coverage section counts the insured turnover.
    assert view.sections[0].figures[0].value not in (None, 0)


def test_a_view_needs_the_audience_role(book: OversightBook) -> None:
    underwriter = member(book.db, book.alpha, Role.UNDERWRITER)
    for audience in (Audience.REGULATOR, Audience.PROGRAMME, Audience.BANK):
        with pytest.raises(PermissionDenied):
            build_view(book.db, underwriter, audience, CURRENT)
    policyholder = member(book.db, book.holders["H1"], Role.POLICYHOLDER)
    for audience in Audience:
        with pytest.raises(PermissionDenied):
            build_view(book.db, policyholder, audience, CURRENT)


def test_an_unknown_reporting_currency_is_refused(book: OversightBook) -> None:
    with pytest.raises(ValidationError) as refused:
        build_view(book.db, _regulator(book.db), Audience.REGULATOR, CURRENT, "XYZ")
    assert refused.value.field == "currency"
