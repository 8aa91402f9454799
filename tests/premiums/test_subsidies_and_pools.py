"""Programme shares on invoices (direct mode) and the split of a pool policy's invoice among its members."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import member
from tests.premiums.conftest import TODAY, PremiumBook, open_premium_book, usd
from tests.premiums.test_payments import balance, invoiced
from tests.subsidies.conftest import yiwu_draft

from tradecover.coinsurance.rules import MemberShare, apportion
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.ledger.chart import Chart
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.premiums.credit_notes import credit_invoice
from tradecover.premiums.model import InvoiceMemberSplit, InvoiceStatus, PremiumInvoice
from tradecover.premiums.payments import record_premium_payment
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programmes import create_programme, set_budget


def programme(db: Session, budget: str, **changes: object) -> SubsidyProgramme:
    """A Yiwu-like programme in USD for 2026: 80% of export premium, direct, with a budget."""
    return programme_with_officer(db, budget, **changes)[0]


def programme_with_officer(db: Session, budget: str, **changes: object) -> tuple[SubsidyProgramme, Actor]:
    """The programme and its body's officer."""
    body = create_organisation(
        db,
        Actor.system(),
        name=f"Bureau {uuid.uuid4().hex[:8]}",
        kind=OrganisationKind.PROGRAMME_BODY,
        country="CN",
    )
    officer = member(db, body.id, Role.PROGRAMME_OFFICER)
    values: dict[str, object] = {
        "currency": "USD",
        "cap": usd(200_000),
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
    }
    values.update(changes)
    created = create_programme(db, officer, yiwu_draft(**values))
    set_budget(db, officer, created.id, 2026, usd(budget))
    return created, officer


def yiwu_book(db: Session) -> PremiumBook:
    """A Yiwu exporter (USD 3m of exports last year) with a rated policy."""
    return open_premium_book(db, region="Yiwu", exports_usd=3_000_000)


def test_a_yiwu_exporters_invoice_shows_the_programmes_80_percent_and_its_own_20(db: Session) -> None:
    yiwu = programme(db, "1000000.00")
    book = yiwu_book(db)
    invoice = invoiced(db, book)
    expected = Money.rounded(invoice.premium.amount * Decimal("0.80"), "USD")
    assert invoice.subsidy == expected
    assert invoice.firm_share == invoice.premium - expected
    (share,) = invoice.subsidies
    assert share["programme_name"] == yiwu.name
    assert share["mode"] == "direct"
    assert share["amount"] == str(expected.amount)
    assert "80%" in share["explanation"]
    assert balance(db, yiwu.sponsor_id, Chart.SUBSIDY_EXPENSE) == expected
    assert balance(db, yiwu.sponsor_id, Chart.SUBSIDY_PAYABLE) == -expected
    assert balance(db, book.insurer_id, Chart.SUBSIDY_RECEIVABLE) == expected
    assert balance(db, book.insurer_id, Chart.PREMIUM_RECEIVABLE) == invoice.firm_share
    assert balance(db, book.exporter_id, Chart.PREMIUM_PAYABLE) == -invoice.firm_share
    record_premium_payment(db, book.exporter, invoice.id, invoice.firm_share, TODAY)
    assert invoice.status is InvoiceStatus.PAID


def test_when_the_budget_runs_out_the_firm_pays_more_and_the_invoice_says_why(db: Session) -> None:
    programme(db, "10.00")
    book = yiwu_book(db)
    invoice = invoiced(db, book)
    assert invoice.subsidy == usd("10.00")
    assert invoice.firm_share == invoice.premium - usd("10.00")
    (share,) = invoice.subsidies
    assert "budget" in share["explanation"]
    assert "firm pays the rest" in share["explanation"]


def test_a_credit_note_gives_the_programme_its_budget_back(db: Session) -> None:
    yiwu = programme(db, "1000000.00")
    book = yiwu_book(db)
    invoice = invoiced(db, book)
    credit_invoice(db, book.insurer_admin, invoice.id, "wrong rate")
    assert balance(db, yiwu.sponsor_id, Chart.SUBSIDY_PAYABLE) == usd(0)
    assert balance(db, book.insurer_id, Chart.SUBSIDY_RECEIVABLE) == usd(0)


def test_a_firm_outside_the_programme_pays_all(db: Session) -> None:
    programme(db, "1000000.00")
    book = open_premium_book(db, region="Ningbo", exports_usd=3_000_000)
    invoice = invoiced(db, book)
    assert invoice.subsidy == usd(0)
    assert invoice.subsidies == []


def pool_book(db: Session, capacity: int = 50_000_000, **book: object) -> tuple[PremiumBook, list[uuid.UUID]]:
    """A pool of three insurers (40/35/25, the first leading at 5% commission) and a policy of it."""
    system = Actor.system()
    insurers = [
        create_organisation(
            db, system, name=f"Insurer {uuid.uuid4()}", kind=OrganisationKind.INSURER, country="CN"
        ).id
        for _ in range(3)
    ]
    shares = [Decimal("0.40"), Decimal("0.35"), Decimal("0.25")]
    pool = create_pool(
        db,
        system,
        name=f"Pool {uuid.uuid4().hex[:8]}",
        country="CN",
        currency="USD",
        leader_id=insurers[0],
        leader_commission=Decimal("0.05"),
        members=[
            MemberPlan(i, s, total_capacity=usd(capacity) * s) for i, s in zip(insurers, shares, strict=True)
        ],
        starts_on=dt.date(2025, 1, 1),
    )
    return open_premium_book(db, insurer_id=pool.id, **book), insurers  # type: ignore[arg-type]


def test_a_pool_invoice_is_split_by_share_with_the_leaders_commission(db: Session) -> None:
    book, insurers = pool_book(db)
    invoice = invoiced(db, book, amount="123456.78")
    members = [
        MemberShare(i, s, n) for n, (i, s) in enumerate(zip(insurers, ("0.40", "0.35", "0.25"), strict=True))
    ]
    members = [MemberShare(m.insurer_id, Decimal(str(m.share)), m.position) for m in members]
    parts = apportion(invoice.firm_share, members)
    splits = sorted(invoice.members, key=lambda m: m.position)
    assert [s.member_id for s in splits] == insurers
    assert [s.money(s.firm_minor) for s in splits] == parts
    assert sum(s.firm_minor for s in splits) == invoice.firm_share_minor
    commissions = [s.money(s.commission_minor) for s in splits]
    assert commissions[0] == usd(0)
    for split, commission in zip(splits[1:], commissions[1:], strict=True):
        assert commission == Money.rounded(split.money(split.premium_minor).amount * Decimal("0.05"), "USD")
    for insurer, part in zip(insurers, parts, strict=True):
        assert balance(db, insurer, Chart.PREMIUM_RECEIVABLE) == part
        assert balance(db, insurer, Chart.PREMIUM_INCOME) == -part
    assert balance(db, insurers[0], Chart.COMMISSION_RECEIVABLE) == commissions[1] + commissions[2]
    assert balance(db, insurers[1], Chart.COMMISSION_PAYABLE) == -commissions[1]


def test_a_pool_member_sees_exactly_its_own_share_of_the_invoice(db: Session) -> None:
    book, insurers = pool_book(db)
    invoice = invoiced(db, book, amount="123456.78")
    expected = {s.member_id: s.firm_minor for s in invoice.members}
    db.flush()
    db.expunge_all()
    set_tenant(db, Tenant.of(insurers[1]))
    seen = db.scalars(select(PremiumInvoice).where(PremiumInvoice.id == invoice.id)).one()
    (split,) = seen.members
    assert split.member_id == insurers[1]
    assert split.firm_minor == expected[insurers[1]]
    assert db.scalars(select(InvoiceMemberSplit)).all() == [split]
    set_tenant(db, Tenant.unrestricted())


def test_a_partial_payment_on_a_pool_invoice_is_split_by_what_each_member_has_open(db: Session) -> None:
    book, _insurers = pool_book(db)
    invoice = invoiced(db, book, amount="123456.78")
    record_premium_payment(db, book.exporter, invoice.id, usd("100.01"), TODAY)
    splits = sorted(invoice.members, key=lambda m: m.position)
    assert sum(s.paid_minor for s in splits) == 10001
    for split in splits:
        assert balance(db, split.member_id, Chart.BANK) == split.money(split.paid_minor)
    record_premium_payment(db, book.exporter, invoice.id, invoice.open, TODAY)
    assert all(s.paid_minor == s.firm_minor for s in splits)
