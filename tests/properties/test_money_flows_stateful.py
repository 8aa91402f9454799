"""A state machine over the money flows: declarations, invoices, payments, subsidy payments, credit notes
(reversals) and pool splits, interleaved at random. After every step the books must still be whole: every
registered reconciliation check passes (each entry and the trial balance zero per currency, every invoice,
payment and subsidy document matches its entries), no programme budget and no pool member's capacity is
below zero.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests.conftest import bound_session
from tests.limits.conftest import new_buyer
from tests.premiums.conftest import PremiumBook, open_premium_book, usd
from tests.premiums.test_subsidies_and_pools import pool_book, programme_with_officer

from tradecover.clock import FixedClock, set_clock
from tradecover.coinsurance.model import PoolLimitTake, PoolMember
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import DomainError
from tradecover.ledger.reconcile import find_violations
from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.premiums.credit_notes import credit_invoice
from tradecover.premiums.dunning import run_dunning
from tradecover.premiums.invoicing import issue_invoice
from tradecover.premiums.model import PremiumInvoice
from tradecover.premiums.payments import record_premium_payment
from tradecover.subsidies.model import CommitmentStatus, ProgrammeBudget, SubsidyCommitment
from tradecover.subsidies.payments import (
    apply_for_reimbursement,
    decide_reimbursement,
    pay_direct_subsidies,
    pay_reimbursement,
)

TODAY = dt.date(2026, 6, 15)
SYSTEM = Actor.system()


class MoneyFlows(RuleBasedStateMachine):
    """One exporter of Yiwu with a single-insurer policy and a pool policy, an 80% programme, a budget."""

    engine: Engine

    def __init__(self) -> None:
        super().__init__()
        self.previous_clock = set_clock(FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)))
        self.connection = self.engine.connect()
        self.outer = self.connection.begin()
        self.session: Session = bound_session(self.connection)
        set_tenant(self.session, Tenant.unrestricted())
        self.books: list[PremiumBook] = []
        self.invoices: list[uuid.UUID] = []
        self.shipped = 0

    @initialize()
    def open_the_books(self) -> None:
        """The programme (a budget that runs out), a single-insurer policy and a pool policy."""
        self.programme, self.officer = programme_with_officer(self.session, "400.00")
        # A second programme in reimbursement mode: the firm pays in full, applies, the officer decides.
        programme_with_officer(
            self.session,
            "300.00",
            name="Export premium refund",
            mode="reimbursement",
            tiers=[{"rate": "0.5"}],
        )
        single = open_premium_book(self.session, region="Yiwu", exports_usd=3_000_000)
        pooled, _ = pool_book(self.session, capacity=2_000_000, region="Yiwu", exports_usd=3_000_000)
        self.books = [single, pooled]
        for book in self.books:  # some turnover to invoice from the first step on
            for month in (4, 5):
                self.shipped += 1
                book.ship(f"SM-{self.shipped}", "60000.00", dt.date(2026, month, 10))

    def teardown(self) -> None:
        self.session.close()
        self.outer.rollback()
        self.connection.close()
        set_clock(self.previous_clock)

    def _invoice(self, index: int) -> PremiumInvoice | None:
        if not self.invoices:
            return None
        return self.session.get(PremiumInvoice, self.invoices[index % len(self.invoices)])

    @rule(
        book=st.integers(0, 1),
        month=st.integers(4, 5),
        day=st.integers(1, 28),
        cents=st.integers(1_000, 8_000_000),
    )
    def declare_a_shipment(self, book: int, month: int, day: int, cents: int) -> None:
        """The exporter declares a shipment (insured within what its limit leaves)."""
        self.shipped += 1
        self.books[book].ship(
            f"SM-{self.shipped}", str(Money.from_minor(cents, "USD").amount), dt.date(2026, month, day)
        )

    @rule(book=st.integers(0, 1))
    def invoice_the_months(self, book: int) -> None:
        """The insurer invoices April and May (again: the same invoices, or the freed shipments anew)."""
        for month in ("2026-04", "2026-05"):
            invoice = issue_invoice(self.session, SYSTEM, self.books[book].policy.id, month, on=TODAY)
            if invoice is not None and invoice.id not in self.invoices:
                self.invoices.append(invoice.id)

    @rule(index=st.integers(0, 50), share=st.sampled_from(["0.3", "1", "1.25"]), retry=st.integers(0, 2))
    def pay(self, index: int, share: str, retry: int) -> None:
        """The firm pays part, all or more of what is open; a retry may reuse an Idempotency-Key."""
        invoice = self._invoice(index)
        if invoice is None:
            return
        amount = Money.rounded(invoice.open.amount * Decimal(share), invoice.currency).max(usd("0.01"))
        # A credited invoice, or a key used before for another amount, is refused and keeps nothing.
        with contextlib.suppress(DomainError):
            record_premium_payment(
                self.session, SYSTEM, invoice.id, amount, TODAY, f"{invoice.number}-{retry}"
            )

    @rule(index=st.integers(0, 50))
    def credit(self, index: int) -> None:
        """The insurer cancels an invoice (refused once its subsidy was paid)."""
        invoice = self._invoice(index)
        if invoice is None:
            return
        with contextlib.suppress(DomainError):
            credit_invoice(self.session, SYSTEM, invoice.id, "correction")

    @rule()
    def programme_pays(self) -> None:
        """The programme body pays the insurers (each pool member its part) the direct shares due."""
        with contextlib.suppress(DomainError):  # nothing due
            pay_direct_subsidies(self.session, self.officer, self.programme.id, TODAY, on=TODAY)

    @rule(approve=st.booleans())
    def reimburse(self, approve: bool) -> None:
        """The firm applies for each open reimbursement; the officer approves (and pays) or rejects it."""
        open_ones = self.session.scalars(
            select(SubsidyCommitment).where(SubsidyCommitment.status == CommitmentStatus.OPEN)
        ).all()
        for commitment in open_ones:
            with contextlib.suppress(DomainError):
                apply_for_reimbursement(self.session, SYSTEM, commitment.id, TODAY)
                decide_reimbursement(
                    self.session, SYSTEM, commitment.id, approve=approve, reason="not eligible", on=TODAY
                )
                if approve:
                    pay_reimbursement(self.session, SYSTEM, commitment.id, TODAY)

    @rule(cents=st.integers(10_000_00, 1_500_000_00))
    def ask_for_a_pool_limit(self, cents: int) -> None:
        """A new limit on the pool policy takes each member's capacity by share (or is refused)."""
        pooled = self.books[1]
        buyer_id = new_buyer(self.session).id
        with contextlib.suppress(DomainError):
            request_limit(self.session, pooled.exporter, pooled.policy.id, buyer_id, usd(cents // 100))

    @rule(days=st.integers(0, 60))
    def dun(self, days: int) -> None:
        """Dunning runs some day after today."""
        run_dunning(self.session, TODAY + dt.timedelta(days=days))

    @invariant()
    def the_books_are_whole(self) -> None:
        violations = find_violations(self.session)
        assert not violations, "\n".join(str(v) for v in violations)

    @invariant()
    def no_budget_or_capacity_is_below_zero(self) -> None:
        for budget in self.session.scalars(select(ProgrammeBudget)):
            assert budget.remaining.minor_units >= 0
            assert budget.committed_minor <= budget.amount_minor
        taken = dict(
            self.session.execute(
                select(PoolLimitTake.insurer_id, func.sum(PoolLimitTake.amount_minor)).group_by(
                    PoolLimitTake.insurer_id
                )
            ).all()
        )
        for member in self.session.scalars(select(PoolMember)):
            assert member.total_capacity_minor - int(taken.get(member.insurer_id, 0)) >= 0


@pytest.fixture
def flows(engine: Engine) -> Iterator[type[MoneyFlows]]:
    """The machine on the test's database backend."""
    MoneyFlows.engine = engine
    yield MoneyFlows
    del MoneyFlows.engine


def test_money_flows_keep_the_books_whole(flows: type[MoneyFlows]) -> None:
    run_state_machine_as_test(
        flows,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
