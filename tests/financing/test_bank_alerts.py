"""The bank hears when a financed buyer's limit is cut or cancelled, or the buyer is downgraded."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.financing.conftest import Financed, open_financed
from tests.limits.conftest import usd

from tradecover.alerts.model import Alert
from tradecover.limits.changes import cancel_limit, reduce_limit
from tradecover.limits.model import CreditLimit
from tradecover.limits.service import regrade_buyer


def alerts_to(db: Session, organisation_id: object, kind: str) -> list[Alert]:
    """The alerts of one kind addressed to an organisation."""
    return list(
        db.scalars(select(Alert).where(Alert.organisation_id == organisation_id, Alert.kind == kind)).all()
    )


def limit_of(db: Session, financed: Financed) -> CreditLimit:
    """The book's one limit."""
    return db.scalars(select(CreditLimit).where(CreditLimit.policy_id == financed.book.policy.id)).one()


def test_a_limit_cut_on_a_financed_buyer_alerts_the_bank(db: Session, financed: Financed) -> None:
    limit = limit_of(db, financed)
    reduce_limit(db, financed.book.underwriter, limit.id, usd(40_000), reason="weaker accounts")
    (alert,) = alerts_to(db, financed.bank_id, "financed_limit_cut")
    assert "reduced" in alert.title
    assert financed.book.policy.number in alert.title


def test_a_limit_cancelled_on_a_financed_buyer_alerts_the_bank(db: Session, financed: Financed) -> None:
    limit = limit_of(db, financed)
    cancel_limit(db, financed.book.underwriter, limit.id, reason="insolvency filing")
    (alert,) = alerts_to(db, financed.bank_id, "financed_limit_cut")
    assert "cancelled" in alert.title


def test_a_bank_without_the_assignment_hears_nothing(db: Session) -> None:
    pending = open_financed(db, assign=False)
    limit = limit_of(db, pending)
    reduce_limit(db, pending.book.underwriter, limit.id, usd(40_000), reason="weaker accounts")
    regrade_buyer(db, pending.book.underwriter, pending.book.buyer.id, grade=7, reason="late filings")
    assert db.scalars(select(Alert).where(Alert.organisation_id == pending.bank_id)).all() == []


def test_a_grade_fall_alerts_the_bank_and_a_rise_does_not(db: Session, financed: Financed) -> None:
    book = financed.book
    regrade_buyer(db, book.underwriter, book.buyer.id, grade=3, reason="strong results")
    assert alerts_to(db, financed.bank_id, "financed_buyer_downgraded") == []
    regrade_buyer(db, book.underwriter, book.buyer.id, grade=7, reason="late filings")
    (alert,) = alerts_to(db, financed.bank_id, "financed_buyer_downgraded")
    assert "grade 7" in alert.title
