"""Claims metrics on the small oversight book plus five claims with known answers.

Claims added to `tests.oversight.book` (reporting currency USD unless said):
  K1 P1b (Alpha, US buyer) on B-1 USD 120,000 unpaid: filed 2025-12-20, documents 2025-12-22, approved
     2026-01-10 (indemnity USD 90,000 of an insured loss of 100,000), paid 2026-01-14 (25 days); a
     recovery of USD 20,000 less 2,000 costs on 2026-02-15 gives the insurers 18,000 × 90% = 16,200.
  K2 P5 (Alpha, US buyer) on F-1 USD 10,000: filed 2026-02-01, nothing else (open at the end).
  K3 P2 (Beta, CN buyer) on C-1 CNY 700,000: filed 2025-12-04 with complete documents, so the decision
     was due 2026-01-03; rejected 2026-01-05, 32 days after filing (outside the service level).
  K4 P3 (the pool, DE buyer) on D-1 EUR 10,000 of which 2,000 paid: filed 2025-12-28, documents
     2026-01-05, approved 2026-02-01 (EUR 7,200: Alpha 60% 4,320, Gamma 40% 2,880); Alpha pays on
     2026-02-05, Gamma has not paid by the end: EUR 2,880 outstanding.
  K5 P1a (Alpha, US buyer) on A-3 USD 30,000: filed 2025-11-20 (before CURRENT), documents 2025-11-25,
     approved 2026-01-20 (USD 27,000), paid 2026-02-09 (81 days after filing).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import member
from tests.oversight.book import CURRENT, OversightBook, clock_at

from tradecover.claims.model import Claim, ClaimInvoice, ClaimMemberShare, ClaimOutcome, ClaimStatus
from tradecover.claims.recoveries import record_recovery
from tradecover.claims.settlement import pay_member_share
from tradecover.coinsurance.model import PoolMember
from tradecover.declarations.model import Shipment
from tradecover.money import Money
from tradecover.oversight.claims import claims_report
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_claims import claims_section
from tradecover.parties.roles import Role
from tradecover.policies.terms import CauseOfLoss
from tradecover.reference.fx import convert

D = dt.date


def usd(amount: str, code: str = "USD", on: dt.date | None = None) -> Decimal:
    """An amount in USD: converted at the rate of `on` (a month's first day) when in another currency."""
    money = Money.of(amount, code)
    return money.amount if code == "USD" else convert(money, "USD", on or D(2000, 1, 1)).amount


@dataclass
class Claims:
    """The claims added to the book, by name."""

    book: OversightBook
    by_name: dict[str, Claim]


def add_claim(
    db: Session,
    book: OversightBook,
    policy: str,
    invoice: str,
    *,
    filed: dt.date,
    documents: dt.date | None = None,
    decided: dt.date | None = None,
    outcome: ClaimOutcome | None = None,
    indemnity: str | None = None,
    insured_loss: str | None = None,
    invoice_paid: str = "0",
) -> Claim:
    """A claim on one invoice, inserted as the workflow would have left it (members unpaid)."""
    policy_row = book.policies[policy]
    shipment = db.scalars(
        select(Shipment).where(Shipment.policy_id == policy_row.id, Shipment.invoice_number == invoice)
    ).one()
    code = policy_row.currency
    approved = outcome is not None and outcome is not ClaimOutcome.REJECTED
    status = ClaimStatus.FILED
    if documents is not None:
        status = ClaimStatus.DOCUMENTS_COMPLETE
    if outcome is ClaimOutcome.REJECTED:
        status = ClaimStatus.CLOSED
    elif approved:
        status = ClaimStatus.ASSESSED
    minor = lambda text: None if text is None else Money.of(text, code).minor_units  # noqa: E731
    claim = Claim(
        number=f"CL-{uuid.uuid4().hex[:12]}",
        policy_id=policy_row.id,
        policyholder_id=policy_row.policyholder_id,
        insurer_id=policy_row.insurer_id,
        buyer_id=shipment.buyer_id,
        cause=CauseOfLoss.PROTRACTED_DEFAULT,
        date_of_loss=filed - dt.timedelta(days=10),
        currency=code,
        policy_year_start=policy_row.period_start,
        filed_on=filed,
        filed_at=dt.datetime.combine(filed, dt.time(12), tzinfo=dt.UTC),
        filed_by_organisation_id=policy_row.policyholder_id,
        credits=[],
        status=status,
        outcome=outcome,
        documents_complete_on=documents,
        decision_deadline=None if documents is None else documents + dt.timedelta(days=30),
        decided_on=decided,
        payment_deadline=decided + dt.timedelta(days=5) if approved and decided else None,
        insured_loss_minor=minor(insured_loss),
        computed_indemnity_minor=minor(indemnity) if approved else None,
        indemnity_minor=minor(indemnity) if approved else (0 if outcome else None),
    )
    db.add(claim)
    db.flush()
    db.add(
        ClaimInvoice(
            claim_id=claim.id,
            position=1,
            shipment_id=shipment.id,
            live_shipment_id=None if outcome is ClaimOutcome.REJECTED else shipment.id,
            invoice_number=invoice,
            currency=code,
            shipment_date=shipment.shipment_date,
            due_date=shipment.due_date,
            amount_minor=shipment.amount_minor,
            insured_minor=shipment.insured_minor,
            paid_minor=Money.of(invoice_paid, code).minor_units,
        )
    )
    if approved and indemnity is not None:
        _members(db, claim, Money.of(indemnity, code))
    db.flush()
    return claim


def _members(db: Session, claim: Claim, indemnity: Money) -> None:
    pool = db.scalars(
        select(PoolMember).where(PoolMember.pool_id == claim.insurer_id).order_by(PoolMember.position)
    ).all()
    parts = [(m.insurer_id, m.share) for m in pool] or [(claim.insurer_id, Decimal(1))]
    left = indemnity.minor_units
    for position, (member_id, share) in enumerate(parts):
        amount = left if position == len(parts) - 1 else int(indemnity.minor_units * share)
        left -= amount
        db.add(
            ClaimMemberShare(
                claim_id=claim.id,
                member_id=member_id,
                position=position,
                share=share,
                currency=claim.currency,
                amount_minor=amount,
                to_bank_minor=0,
                to_insured_minor=amount,
            )
        )


def pay(db: Session, claim: Claim, member_id: uuid.UUID, day: dt.date) -> None:
    """The member pays its part through the settlement service (booked in the ledger)."""
    with clock_at(day):
        pay_member_share(db, member(db, member_id, Role.CLAIMS_HANDLER), claim.id, member_id, paid_on=day)


def add_claims(book: OversightBook) -> Claims:
    """K1 … K5 of the module docstring."""
    db, approved, rejected = book.db, ClaimOutcome.APPROVED, ClaimOutcome.REJECTED
    k1 = add_claim(
        db, book, "P1b", "B-1", filed=D(2025, 12, 20), documents=D(2025, 12, 22), decided=D(2026, 1, 10),
        outcome=approved, indemnity="90000", insured_loss="100000",
    )  # fmt: skip
    k2 = add_claim(db, book, "P5", "F-1", filed=D(2026, 2, 1))
    k3 = add_claim(
        db, book, "P2", "C-1", filed=D(2025, 12, 4), documents=D(2025, 12, 4), decided=D(2026, 1, 5),
        outcome=rejected,
    )  # fmt: skip
    k4 = add_claim(
        db, book, "P3", "D-1", filed=D(2025, 12, 28), documents=D(2026, 1, 5), decided=D(2026, 2, 1),
        outcome=approved, indemnity="7200", insured_loss="8000", invoice_paid="2000",
    )  # fmt: skip
    k5 = add_claim(
        db, book, "P1a", "A-3", filed=D(2025, 11, 20), documents=D(2025, 11, 25), decided=D(2026, 1, 20),
        outcome=approved, indemnity="27000", insured_loss="30000",
    )  # fmt: skip
    pay(db, k1, book.alpha, D(2026, 1, 14))
    pay(db, k4, book.alpha, D(2026, 2, 5))
    pay(db, k5, book.alpha, D(2026, 2, 9))
    with clock_at(D(2026, 2, 15)):
        record_recovery(
            db,
            member(db, book.alpha, Role.CLAIMS_HANDLER),
            k1.id,
            amount=Money.of("20000", "USD"),
            costs=Money.of("2000", "USD"),
            received_on=D(2026, 2, 15),
        )
    db.flush()
    return Claims(book, {"K1": k1, "K2": k2, "K3": k3, "K4": k4, "K5": k5})


def test_the_market_sees_every_claim_filed_decided_paid_and_outstanding(book: OversightBook) -> None:
    add_claims(book)
    report = claims_report(book.db, book.scope(Audience.REGULATOR), CURRENT, "USD")
    t = report.totals
    dec, feb = D(2025, 12, 1), D(2026, 2, 1)
    # K1 120,000 USD + K3 700,000 CNY + K4 8,000 EUR (filed in December) + K2 10,000 USD (February).
    assert t.filed == 4
    assert t.claimed == usd("120000") + usd("700000", "CNY", dec) + usd("8000", "EUR", dec) + usd("10000")
    assert (t.decided, t.rejected) == (4, 1)  # K1, K3, K4, K5
    assert t.paid == 2  # K1 and K5 wholly paid; K4 only in part
    assert t.paid_amount == usd("90000") + usd("27000") + usd("4320", "EUR", feb)
    # K2 undecided (its claimed 10,000) and K4 approved, Gamma's 2,880 EUR unpaid.
    assert t.outstanding == 2
    assert t.outstanding_amount == usd("10000") + usd("2880", "EUR", feb)
    assert t.recoveries == Decimal("16200")
    months = {m.month: m for m in report.months}
    assert [m.month for m in report.months] == [dec, D(2026, 1, 1), feb]
    assert (months[dec].filed, months[D(2026, 1, 1)].filed, months[feb].filed) == (3, 0, 1)
    assert (months[D(2026, 1, 1)].paid, months[D(2026, 1, 1)].paid_amount) == (1, Decimal("90000"))
    assert (months[feb].paid, months[feb].paid_amount) == (1, usd("27000") + usd("4320", "EUR", feb))
    countries = {g.key: g for g in report.countries}
    assert (countries["US"].filed, countries["US"].claimed) == (2, Decimal("130000"))
    assert countries["US"].paid_amount == Decimal("117000")
    assert (countries["CN"].filed, countries["CN"].rejected, countries["CN"].paid_amount) == (1, 1, 0)
    assert report.countries[0].key == "US"  # the most paid first
    insurers = {g.key: g for g in report.insurers}
    assert insurers[str(book.alpha)].filed == 2
    assert insurers[str(book.beta)].rejected == 1
    assert insurers[str(book.pool)].paid_amount == usd("4320", "EUR", feb)


def test_the_claims_ratio_is_paid_over_premium_earned(book: OversightBook) -> None:
    add_claims(book)
    # The bank sees P1b only: K1 paid USD 90,000; premium earned on B-1 and B-2 is 0.5% of 200,000.
    report = claims_report(book.db, book.scope(Audience.BANK, book.bank), CURRENT, "USD")
    assert (report.totals.filed, report.totals.paid_amount) == (1, Decimal("90000"))
    assert report.totals.earned == Decimal("1000")
    assert report.totals.claims_ratio == Decimal("90")
    assert report.totals.recoveries == Decimal("16200")


def test_an_insurer_sees_its_own_claims_and_its_pools(book: OversightBook) -> None:
    add_claims(book)
    db = book.db
    alpha = claims_report(db, book.scope(Audience.INSURER, book.alpha), CURRENT, "USD").totals
    beta = claims_report(db, book.scope(Audience.INSURER, book.beta), CURRENT, "USD").totals
    gamma = claims_report(db, book.scope(Audience.INSURER, book.gamma), CURRENT, "USD").totals
    assert alpha.filed == 3  # K1, K2 and the pool's K4; not Beta's K3
    assert (beta.filed, beta.rejected, beta.paid_amount) == (1, 1, 0)
    feb = D(2026, 2, 1)
    assert (gamma.filed, gamma.paid_amount) == (1, usd("4320", "EUR", feb))
    assert gamma.outstanding_amount == usd("2880", "EUR", feb)


def test_an_officer_sees_only_its_programme_firms_and_an_empty_period_is_zero(book: OversightBook) -> None:
    add_claims(book)
    officer = claims_report(book.db, book.scope(Audience.PROGRAMME, book.bureau), CURRENT, "USD").totals
    assert (officer.filed, officer.paid_amount, officer.outstanding) == (0, 0, 0)
    assert officer.claims_ratio == 0  # H4 earned premium on E-2 and had no claim
    empty = claims_report(
        book.db, book.scope(Audience.REGULATOR), Period(D(2023, 1, 1), D(2023, 3, 31)), "USD"
    )
    assert (empty.totals.filed, empty.totals.paid_amount, empty.totals.outstanding) == (0, 0, 0)
    assert empty.totals.claims_ratio is None
    assert [m.filed for m in empty.months] == [0, 0, 0]


def test_the_regulator_section_names_no_firm(book: OversightBook) -> None:
    add_claims(book)
    section = claims_section(book.db, book.scope(Audience.REGULATOR), CURRENT, "USD")
    cells = [str(cell) for table in section.tables for row in table.rows for cell in row]
    assert not [cell for cell in cells if "Exporter" in cell or cell.startswith(("B-", "C-", "D-", "F-"))]
    assert {table.key for table in section.tables} == {
        "claims-by-month",
        "claims-by-insurer",
        "claims-by-country",
    }
    figures = {figure.key: figure.value for figure in section.figures}
    assert figures["claims-filed"] == 4
    assert figures["recoveries"] == Decimal("16200")
    line = next(chart for chart in section.charts if chart.key == "claims-by-month")
    assert [label for label, _ in line.series[0].points] == ["2025-12", "2026-01", "2026-02"]
    assert line.series[1].points[1] == ("2026-01", Decimal("90000"))
