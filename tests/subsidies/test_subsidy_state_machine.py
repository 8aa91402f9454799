"""Stateful: invoices, releases, paid premiums, applications, approvals, rejections and payments in any
order never overspend a budget, keep committed and paid equal to their commitments, and keep the books
reconciled (every invariant checked after every step)."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.subsidies.conftest import TODAY, cny, member, new_exporter, open_bureau

from tradecover.errors import DomainError
from tradecover.ledger.model import Posting
from tradecover.ledger.reconcile import find_violations
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.subsidies.model import TAKING_BUDGET, CommitmentStatus, ProgrammeBudget, SubsidyCommitment
from tradecover.subsidies.payments import (
    apply_for_reimbursement,
    decide_reimbursement,
    pay_direct_subsidies,
    pay_reimbursement,
)
from tradecover.subsidies.service import commit_subsidy, premium_paid, release_subsidy

BUDGET = cny(3_000)
CAP = cny(1_500)


def test_any_sequence_of_subsidy_operations_keeps_budgets_and_books_right(db: Session) -> None:
    class Subsidies(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.bureau = open_bureau(db)
            self.direct = self.bureau.programme(
                db, budget=BUDGET, cap=CAP, name="Direct", tiers=[{"rate": "0.8"}]
            )
            self.refund = self.bureau.programme(
                db, budget=BUDGET, cap=CAP, name="Refund", tiers=[{"rate": "0.5"}], mode="reimbursement"
            )
            self.firms = []
            for _ in range(2):
                holder = new_exporter(db)
                self.firms.append(
                    (holder, member(db, holder, Role.POLICYHOLDER), self.bureau.policy_for(db, holder).id)
                )
            self.invoices: list[uuid.UUID] = []

        def _commitments(self, **where: Any) -> list[SubsidyCommitment]:
            programmes = (self.direct.id, self.refund.id)
            query = select(SubsidyCommitment).where(SubsidyCommitment.programme_id.in_(programmes))
            return list(db.scalars(query.filter_by(**where).order_by(SubsidyCommitment.id)))

        @rule(firm=st.integers(0, 1), premium=st.integers(0, 200_000))
        def invoice(self, firm: int, premium: int) -> None:
            holder, _, policy_id = self.firms[firm]
            invoice_id = uuid.uuid4()
            commit_subsidy(
                db,
                invoice_id=invoice_id,
                policy_id=policy_id,
                policyholder_id=holder,
                product_kind="export_whole_turnover",
                premium=Money.from_minor(premium, "CNY"),
                on=TODAY,
            )
            self.invoices.append(invoice_id)

        @precondition(lambda self: self.invoices)
        @rule(pick=st.integers(0, 1_000))
        def release(self, pick: int) -> None:
            # Refused (nothing changes) when a share was already paid or approved.
            with contextlib.suppress(DomainError):
                release_subsidy(db, invoice_id=self.invoices[pick % len(self.invoices)], on=TODAY)

        @precondition(lambda self: self.invoices)
        @rule(pick=st.integers(0, 1_000))
        def pay_premium(self, pick: int) -> None:
            premium_paid(db, invoice_id=self.invoices[pick % len(self.invoices)], on=TODAY)

        @rule(pick=st.integers(0, 1_000))
        def apply(self, pick: int) -> None:
            open_ones = self._commitments(status=CommitmentStatus.OPEN)
            if open_ones:
                chosen = open_ones[pick % len(open_ones)]
                firm = next(f for h, f, _ in self.firms if h == chosen.policyholder_id)
                apply_for_reimbursement(db, firm, chosen.id, TODAY)

        @rule(pick=st.integers(0, 1_000), approve=st.booleans(), retry=st.booleans())
        def decide(self, pick: int, approve: bool, retry: bool) -> None:
            applied = self._commitments(status=CommitmentStatus.APPLIED)
            if applied:
                chosen = applied[pick % len(applied)]
                for _ in range(2 if retry else 1):
                    decide_reimbursement(
                        db,
                        self.bureau.officer,
                        chosen.id,
                        approve=approve,
                        reason="not paid in time",
                        on=TODAY,
                        idempotency_key=f"d-{chosen.id}",
                    )

        @rule(pick=st.integers(0, 1_000), retry=st.booleans())
        def pay_refund(self, pick: int, retry: bool) -> None:
            approved = self._commitments(status=CommitmentStatus.APPROVED)
            if approved:
                chosen = approved[pick % len(approved)]
                for _ in range(2 if retry else 1):
                    pay_reimbursement(
                        db, self.bureau.officer, chosen.id, TODAY, idempotency_key=f"p-{chosen.id}"
                    )

        @rule(retry=st.booleans())
        def pay_insurers(self, retry: bool) -> None:
            key = f"run-{uuid.uuid4()}"
            for _ in range(2 if retry else 1):
                pay_direct_subsidies(db, self.bureau.officer, self.direct.id, TODAY, idempotency_key=key)

        @invariant()
        def budgets_hold(self) -> None:
            for programme in (self.direct, self.refund):
                budget = db.scalars(
                    select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme.id)
                ).one()
                taking = [
                    c for c in self._commitments(programme_id=programme.id) if c.status in TAKING_BUDGET
                ]
                assert 0 <= budget.paid_minor <= budget.committed_minor <= budget.amount_minor
                assert budget.committed_minor == sum(c.amount_programme_minor for c in taking)
                for holder, _, _ in self.firms:
                    used = sum(c.amount_programme_minor for c in taking if c.policyholder_id == holder)
                    assert used <= CAP.minor_units
                for commitment in taking:
                    assert (
                        0 <= commitment.amount_minor <= commitment.requested_minor <= commitment.premium_minor
                    )

        @invariant()
        def books_agree(self) -> None:
            assert find_violations(db) == []
            for currency, total in db.execute(
                select(Posting.currency, func.sum(Posting.amount_minor)).group_by(Posting.currency)
            ):
                assert total == 0, currency

    run_state_machine_as_test(
        Subsidies,
        settings=settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
