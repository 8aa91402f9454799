"""Budget rows under a lock, and what a firm has used of its cap.

Invoices are often made in a firm's (or an insurer's) session, which may not see the programme's
budget: the reads here are exempt from tenant scoping and filtered by programme explicitly; only
their effect (the share on the invoice and its explanation) reaches the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.money import Money
from tradecover.subsidies.model import TAKING_BUDGET, ProgrammeBudget, SubsidyCommitment


def lock_budgets(
    session: Session, programme_ids: Sequence[uuid.UUID], year: int
) -> dict[uuid.UUID, ProgrammeBudget]:
    """The programmes' budget rows for `year`, locked until commit (in id order, so no deadlock)."""
    if not programme_ids:
        return {}
    rows = session.scalars(
        select(ProgrammeBudget)
        .where(ProgrammeBudget.programme_id.in_(programme_ids), ProgrammeBudget.year == year)
        .order_by(ProgrammeBudget.id)
        .with_for_update()
        # Read what the lock protects, not an older copy the session may hold.
        .execution_options(populate_existing=True, tenant_exempt=True)
    ).all()
    return {row.programme_id: row for row in rows}


def lock_budget(session: Session, programme_id: uuid.UUID, year: int) -> ProgrammeBudget | None:
    """One programme's budget row for `year`, locked until commit, or None when it has none."""
    return lock_budgets(session, [programme_id], year).get(programme_id)


def cap_used(
    session: Session, programme_id: uuid.UUID, policyholder_id: uuid.UUID, year: int, currency: str
) -> Money:
    """What the firm's commitments under the programme take of its cap in `year` (programme currency).

    Called under the budget row's lock, which serialises every commitment of the programme's year.
    """
    total = session.scalar(
        select(func.coalesce(func.sum(SubsidyCommitment.amount_programme_minor), 0))
        .where(
            SubsidyCommitment.programme_id == programme_id,
            SubsidyCommitment.policyholder_id == policyholder_id,
            SubsidyCommitment.year == year,
            SubsidyCommitment.status.in_(TAKING_BUDGET),
        )
        .execution_options(tenant_exempt=True)
    )
    return Money.from_minor(int(total or 0), currency)


def take(budget: ProgrammeBudget, amount: Money) -> None:
    """Commit `amount` (programme currency) of a locked budget; the rules made sure it fits."""
    assert amount.currency == budget.currency
    assert amount.minor_units <= budget.amount_minor - budget.committed_minor, "budget overspent"
    budget.committed_minor += amount.minor_units


def give_back(budget: ProgrammeBudget, amount: Money) -> None:
    """Free `amount` of a locked budget (a released or rejected commitment)."""
    assert amount.currency == budget.currency
    budget.committed_minor -= amount.minor_units
