"""Financing metrics on the small oversight book plus two facilities with known answers (reporting USD).

Kite Bank (the book's bank) lends to H1 against P1b: limit USD 100,000 at 80%, assigned 2025-12-01; draws
50,000 on 2025-12-10, H1 repays 10,000 on 2026-01-15, draws 20,000 on 2026-02-15: outstanding 60,000.
On 2026-02-28 B-1 (due 2026-02-03) is overdue, so the base is 80% of B-2's USD 80,000 = 64,000 and
4,000 is still available. Lotus Bank lends to H2 against P2: limit CNY 500,000 at 50%, assigned
2025-03-01, draws CNY 100,000 that day and nothing later.
Alerts to the banks: Kite a limit cut (2026-01-10), an overdue (2026-02-05), a downgrade before the
period (2025-11-01) and a claim payment (not about financing); Lotus an overdue (2026-02-06).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from tests.limits.conftest import member
from tests.oversight.book import CURRENT, OversightBook, clock_at

from tradecover.alerts.service import raise_alerts
from tradecover.financing.borrowing import base_of
from tradecover.financing.drawings import draw, repay
from tradecover.financing.facilities import assign_policy, create_facility
from tradecover.financing.model import Facility
from tradecover.money import Money
from tradecover.oversight.financing import financing_report
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_money import financing_section
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.reference.fx import convert

D = dt.date


def add_financing(book: OversightBook) -> uuid.UUID:
    """The two facilities, their movements and the alerts; returns Lotus Bank's id."""
    db = book.db
    book.policies["P1b"].loss_payee_id = None  # the book named the bank; the facility assigns it here
    book.policies["P1b"].loss_payee_since = None
    with clock_at(D(2025, 3, 1)):
        lotus = create_organisation(
            db,
            Actor.system(),
            name=f"Lotus Bank {uuid.uuid4().hex[:6]}",
            kind=OrganisationKind.BANK,
            country="CN",
        ).id
        lotus_officer = member(db, lotus, Role.BANK_OFFICER)
        second = create_facility(
            db, lotus_officer, policy_id=book.policies["P2"].id, limit=Money.of(500_000, "CNY"),
            advance_rate="0.5", starts_on=D(2025, 3, 1), matures_on=D(2026, 12, 31),
        )  # fmt: skip
        assign_policy(db, member(db, book.holders["H2"], Role.POLICYHOLDER), second.id)
        draw(db, lotus_officer, second.id, Money.of(100_000, "CNY"), on=D(2025, 3, 1))
    kite = member(db, book.bank, Role.BANK_OFFICER)
    with clock_at(D(2025, 12, 1)):
        first = create_facility(
            db, kite, policy_id=book.policies["P1b"].id, limit=Money.of(100_000, "USD"),
            advance_rate="0.8", starts_on=D(2025, 12, 1), matures_on=D(2026, 11, 30),
        )  # fmt: skip
        assign_policy(db, member(db, book.holders["H1"], Role.POLICYHOLDER), first.id)
    for day, kind, amount in (
        (D(2025, 12, 10), "draw", 50_000),
        (D(2026, 1, 15), "repay", 10_000),
        (D(2026, 2, 15), "draw", 20_000),
    ):
        with clock_at(day):
            (draw if kind == "draw" else repay)(db, kite, first.id, Money.of(amount, "USD"), on=day)
    for day, bank, kind in (
        (D(2026, 1, 10), book.bank, "financed_limit_cut"),
        (D(2026, 2, 5), book.bank, "overdue_reported"),
        (D(2025, 11, 1), book.bank, "financed_buyer_downgraded"),
        (D(2026, 2, 7), book.bank, "claim.member_paid"),
        (D(2026, 2, 6), lotus, "overdue_reported"),
    ):
        with clock_at(day):
            raise_alerts(
                db, organisation_ids=[bank], kind=kind, subject_type="Test", subject_id=uuid.uuid4(),
                title=kind, message=kind,
            )  # fmt: skip
    db.flush()
    return lotus


def test_the_regulator_sees_each_bank_in_aggregate(book: OversightBook) -> None:
    add_financing(book)
    report = financing_report(book.db, book.scope(Audience.REGULATOR), CURRENT, "USD")
    feb = D(2026, 2, 1)
    lines = {line.label.split()[0]: line for line in report.lines}
    kite = lines["Kite"]
    assert (kite.facilities, kite.policies_assigned, kite.limit) == (1, 1, Decimal(100_000))
    assert (kite.drawn, kite.repaid, kite.outstanding) == (Decimal(70_000), Decimal(10_000), Decimal(60_000))
    assert (kite.borrowing_base, kite.available) == (None, None)
    lotus = lines["Lotus"]
    assert lotus.limit == convert(Money.of(500_000, "CNY"), "USD", feb).amount
    assert lotus.outstanding == convert(Money.of(100_000, "CNY"), "USD", feb).amount
    assert (lotus.drawn, lotus.repaid) == (0, 0)
    assert report.lines[0].label.startswith("Kite")  # the most outstanding first
    assert [(m.month, m.drawn, m.repaid) for m in report.months] == [
        (D(2025, 12, 1), Decimal(50_000), 0),
        (D(2026, 1, 1), 0, Decimal(10_000)),
        (feb, Decimal(20_000), 0),
    ]
    assert report.alerts == (
        ("Financed buyer downgraded", 0),
        ("Limit on a financed buyer cut", 1),
        ("Overdue reported on an assigned policy", 2),
    )


def test_a_bank_sees_its_facilities_with_the_borrowing_base(book: OversightBook) -> None:
    add_financing(book)
    report = financing_report(book.db, book.scope(Audience.BANK, book.bank), CURRENT, "USD")
    assert len(report.lines) == 1
    line = report.lines[0]
    assert line.label.startswith("Exporter One")
    assert "FAC-" in line.label
    assert (line.outstanding, line.borrowing_base, line.available) == (
        Decimal(60_000), Decimal(64_000), Decimal(4_000),
    )  # fmt: skip
    assert report.alerts[1:] == (
        ("Limit on a financed buyer cut", 1),
        ("Overdue reported on an assigned policy", 1),
    )


def test_insurers_see_the_facilities_on_their_policies_and_an_empty_period_is_zero(
    book: OversightBook,
) -> None:
    add_financing(book)
    beta = financing_report(book.db, book.scope(Audience.INSURER, book.beta), CURRENT, "CNY")
    assert [(line.facilities, line.outstanding) for line in beta.lines] == [(1, Decimal(100_000))]
    assert beta.alerts == (("Financed buyer downgraded", 0), ("Limit on a financed buyer cut", 0),
                           ("Overdue reported on an assigned policy", 0))  # fmt: skip
    empty = financing_report(
        book.db, book.scope(Audience.REGULATOR), Period(D(2024, 1, 1), D(2024, 12, 31)), "USD"
    )
    assert (empty.lines, empty.outstanding, empty.drawn) == ((), 0, 0)


def test_the_regulator_section_names_no_borrower(book: OversightBook) -> None:
    add_financing(book)
    section = financing_section(book.db, book.scope(Audience.REGULATOR), CURRENT, "USD")
    assert {t.key for t in section.tables} == {"facilities", "financing-by-month", "financing-alerts"}
    cells = [str(cell) for table in section.tables for row in table.rows for cell in row]
    assert not [cell for cell in cells if "Exporter" in cell or "FAC-" in cell]
    assert section.tables[0].columns[0].key == "bank"
    own = financing_section(book.db, book.scope(Audience.BANK, book.bank), CURRENT, "USD")
    assert own.tables[0].as_dicts()[0]["available"] == Decimal(4_000)


def test_the_borrowing_base_agrees_with_the_facility_page(book: OversightBook) -> None:
    add_financing(book)
    facility = book.db.scalars(select(Facility).where(Facility.bank_id == book.bank)).one()
    for end in (D(2026, 1, 31), CURRENT.end):
        report = financing_report(
            book.db, book.scope(Audience.BANK, book.bank), Period(D(2025, 12, 1), end), "USD"
        )
        assert report.lines[0].borrowing_base == base_of(book.db, facility, end).base.amount
    # On 31 January B-1 (USD 120,000) is not yet due and within the 150,000 limit: 80% is 96,000.
    january = financing_report(
        book.db, book.scope(Audience.BANK, book.bank), Period(D(2026, 1, 1), D(2026, 1, 31)), "USD"
    )
    assert (january.lines[0].borrowing_base, january.lines[0].available) == (Decimal(96_000), Decimal(56_000))
