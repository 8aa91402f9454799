"""Subsidy metrics on the small oversight book plus a second programme with known answers (CNY).

The book's Yiwu programme (80%, budget 2026 CNY 5,000,000, H4 enrolled 2025-06-01) commits CNY 1,200 on
P4's December invoice issued 2026-01-05; here it pays that share to Alpha on 2026-02-10.
A Shenzhen bureau's programme (100% below USD 1,000,000 of exports, else 50%; budgets 2025 CNY 100,000
and 2026 CNY 200,000) has H4 enrolled on 2024-12-01 and H2 on 2025-12-15, and commits CNY 3,000 at 50%
on a P2 invoice (2025-12-20, year 2025) and CNY 2,000 at 100% on a P4 invoice (2026-02-02, year 2026).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import member
from tests.oversight.book import CURRENT, OversightBook, clock_at

from tradecover.money import Money
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_money import subsidy_section
from tradecover.oversight.subsidies import subsidy_report
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.subsidies.model import (
    CommitmentStatus,
    Enrolment,
    ProgrammeBudget,
    SubsidyCommitment,
    SubsidyProgramme,
)
from tradecover.subsidies.payments import pay_direct_subsidies
from tradecover.subsidies.programmes import ProgrammeDraft, create_programme, set_budget
from tradecover.subsidies.rules import Mode

D = dt.date


def _yiwu(db: Session, book: OversightBook) -> SubsidyProgramme:
    return db.scalars(select(SubsidyProgramme).where(SubsidyProgramme.sponsor_id == book.bureau)).one()


def _commit(
    db: Session,
    book: OversightBook,
    programme: SubsidyProgramme,
    policy: str,
    rate: str,
    amount: str,
    on: dt.date,
) -> None:
    row = book.policies[policy]
    minor = Money.of(amount, "CNY").minor_units
    db.add(
        SubsidyCommitment(
            programme_id=programme.id,
            sponsor_id=programme.sponsor_id,
            policyholder_id=row.policyholder_id,
            insurer_id=row.insurer_id,
            policy_id=row.id,
            invoice_id=uuid.uuid4(),
            product_kind=row.product_kind.value,
            year=on.year,
            committed_on=on,
            currency="CNY",
            premium_minor=int(minor / Decimal(rate)),
            rate=Decimal(rate),
            requested_minor=minor,
            amount_minor=minor,
            fx_rate=Decimal(1),
            programme_currency="CNY",
            amount_programme_minor=minor,
            mode=Mode.DIRECT,
            explanation="test",
            status=CommitmentStatus.COMMITTED,
        )
    )
    budget = db.scalars(
        select(ProgrammeBudget).where(
            ProgrammeBudget.programme_id == programme.id, ProgrammeBudget.year == on.year
        )
    ).one()
    budget.committed_minor += minor


def add_subsidies(book: OversightBook) -> uuid.UUID:
    """Pay the Yiwu share and add the Shenzhen programme; return the Shenzhen bureau's id."""
    db = book.db
    yiwu = _yiwu(db, book)
    with clock_at(D(2026, 2, 10)):
        pay_direct_subsidies(db, member(db, book.bureau, Role.PROGRAMME_OFFICER), yiwu.id, D(2026, 2, 10))
        bureau = create_organisation(
            db, Actor.system(), name=f"Shenzhen Bureau {uuid.uuid4().hex[:6]}",
            kind=OrganisationKind.PROGRAMME_BODY, country="CN",
        ).id  # fmt: skip
        officer = member(db, bureau, Role.PROGRAMME_OFFICER)
        shenzhen = create_programme(
            db,
            officer,
            ProgrammeDraft(
                name="Shenzhen premium support",
                currency="CNY",
                product_kinds=["export_whole_turnover", "domestic_whole_turnover"],
                tiers=[{"rate": "1", "exports_below_usd": "1000000"}, {"rate": "0.5"}],
                mode="direct",
                starts_on=D(2024, 1, 1),
                ends_on=D(2026, 12, 31),
                region="Shenzhen",
            ),
        )
        set_budget(db, officer, shenzhen.id, 2025, Money.of(100_000, "CNY"))
        set_budget(db, officer, shenzhen.id, 2026, Money.of(200_000, "CNY"))
    for holder, day in (("H4", D(2024, 12, 1)), ("H2", D(2025, 12, 15))):
        db.add(
            Enrolment(
                programme_id=shenzhen.id,
                sponsor_id=bureau,
                policyholder_id=book.holders[holder],
                enrolled_on=day,
            )
        )
    _commit(db, book, shenzhen, "P2", "0.5", "3000", D(2025, 12, 20))
    _commit(db, book, shenzhen, "P4", "1", "2000", D(2026, 2, 2))
    db.flush()
    return bureau


def test_the_market_sees_every_programme_against_its_budget(book: OversightBook) -> None:
    add_subsidies(book)
    report = subsidy_report(book.db, book.scope(Audience.REGULATOR), CURRENT, "CNY")
    by_name = {p.name: p for p in report.programmes}
    shenzhen = by_name["Shenzhen premium support"]
    assert (shenzhen.region, shenzhen.enrolled, shenzhen.new_enrolments) == ("Shenzhen", 2, 1)
    assert (shenzhen.budget, shenzhen.committed, shenzhen.paid) == (Decimal(300_000), Decimal(5_000), 0)
    assert shenzhen.remaining == Decimal(295_000)
    yiwu = next(p for name, p in by_name.items() if name.startswith("Yiwu"))
    assert (yiwu.enrolled, yiwu.new_enrolments) == (1, 0)
    assert (yiwu.budget, yiwu.committed, yiwu.paid, yiwu.remaining) == (
        Decimal(5_000_000), Decimal(1_200), Decimal(1_200), Decimal(4_998_800),
    )  # fmt: skip
    assert (report.budget, report.committed, report.paid) == (
        Decimal(5_300_000),
        Decimal(6_200),
        Decimal(1_200),
    )
    assert [(m.month, m.committed, m.paid) for m in report.months] == [
        (D(2025, 12, 1), Decimal(3_000), 0),
        (D(2026, 1, 1), Decimal(1_200), 0),
        (D(2026, 2, 1), Decimal(2_000), Decimal(1_200)),
    ]
    tiers = {(t.programme[:5], t.rate): (t.tier, t.firms, t.committed) for t in report.tiers}
    assert tiers[("Shenz", Decimal(1))] == ("100% (exports below USD 1,000,000)", 1, Decimal(2_000))
    assert tiers[("Shenz", Decimal("0.5"))] == ("50% (the rest)", 1, Decimal(3_000))
    assert tiers[("Yiwu ", Decimal("0.80"))][1:] == (1, Decimal(1_200))


def test_an_officer_sees_only_its_own_programmes(book: OversightBook) -> None:
    shenzhen_bureau = add_subsidies(book)
    yiwu = subsidy_report(book.db, book.scope(Audience.PROGRAMME, book.bureau), CURRENT, "CNY")
    assert [p.name[:4] for p in yiwu.programmes] == ["Yiwu"]
    assert (yiwu.committed, yiwu.paid) == (Decimal(1_200), Decimal(1_200))
    shenzhen = subsidy_report(book.db, book.scope(Audience.PROGRAMME, shenzhen_bureau), CURRENT, "CNY")
    assert [p.name for p in shenzhen.programmes] == ["Shenzhen premium support"]
    assert {t.programme for t in shenzhen.tiers} == {"Shenzhen premium support"}


def test_an_empty_period_gives_zeros_and_the_section_names_no_firm(book: OversightBook) -> None:
    add_subsidies(book)
    empty = subsidy_report(
        book.db, book.scope(Audience.PROGRAMME, book.bureau), Period(D(2027, 1, 1), D(2027, 1, 31)), "CNY"
    )
    assert [(p.budget, p.committed, p.paid, p.new_enrolments) for p in empty.programmes] == [(0, 0, 0, 0)]
    assert empty.tiers == ()
    section = subsidy_section(book.db, book.scope(Audience.REGULATOR), CURRENT, "CNY")
    assert {t.key for t in section.tables} == {"programmes", "firms-by-tier", "subsidy-by-month"}
    cells = [str(cell) for table in section.tables for row in table.rows for cell in row]
    assert not [cell for cell in cells if "Exporter" in cell]
    chart = section.charts[0]
    assert (chart.key, [s.label for s in chart.series]) == (
        "subsidy-vs-budget",
        ["Budget", "Committed", "Paid"],
    )
    figures = {f.key: f.value for f in section.figures}
    assert figures["subsidy-paid"] == Decimal(1_200)
