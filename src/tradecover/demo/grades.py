"""Demo grade history: US buyers downgraded in April–May 2025, after the tariff shock.

On 2 April 2025 the United States announced broad tariffs and on 9 April raised those on Chinese goods
to 125%; importers that resell Chinese goods saw orders and margins fall. The plan picks a few US buyers
and downgrades them once in April and some again in May, each with the reason an underwriter would
write. It is pure and seeded; seeding goes through the buyers service as a demo underwriter.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.grades import change_buyer_grade
from tradecover.buyers.rules import WORST_GRADE
from tradecover.buyers.service import BuyerRegistration
from tradecover.clock import utcnow
from tradecover.demo.catalogue import demo_users
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for

# About one US buyer in twenty is downgraded, at least three and at most forty.
SHARE_DOWNGRADED = 20
FEWEST, MOST = 3, 40
APRIL_REASONS = (
    "US tariffs of 2 and 9 April 2025: imports from China now cost far more; margins squeezed",
    "Tariff shock: orders placed with Chinese suppliers cancelled or halved; cash flow under strain",
    "Importer of Chinese consumer goods facing 125% duties; inventory financing line cut by its bank",
    "Tariff shock: payment terms stretched from 60 to 90 days on several suppliers",
)
MAY_REASONS = (
    "Paid two April invoices 30+ days late; credit report shows rising payables",
    "Q1 results: loss after tariff costs, covenant waiver requested from lenders",
    "Store closures announced; second tariff-related downgrade",
)


@dataclass(frozen=True, slots=True)
class PlannedGradeChange:
    """One planned downgrade: which buyer of the plan (by position), to which grade, when and why."""

    buyer_index: int
    new_grade: int
    effective_at: dt.datetime
    reason: str


def plan_grade_changes(seed: int, buyers: Sequence[BuyerRegistration]) -> list[PlannedGradeChange]:
    """The downgrades of the demo world for a seed, oldest first; the same seed gives the same plan."""
    rng = random.Random(f"demo:{seed}:grades")
    candidates = [i for i, b in enumerate(buyers) if b.country == "US" and b.grade <= WORST_GRADE - 2]
    if not candidates:
        return []
    count = min(len(candidates), MOST, max(FEWEST, len(candidates) // SHARE_DOWNGRADED))
    chosen = sorted(rng.sample(candidates, count))
    changes: list[PlannedGradeChange] = []
    for index in chosen:
        grade = buyers[index].grade + rng.choice((1, 1, 2))
        april = dt.datetime(2025, 4, rng.randint(10, 30), rng.randint(1, 9), tzinfo=dt.UTC)
        changes.append(PlannedGradeChange(index, grade, april, rng.choice(APRIL_REASONS)))
        if grade < WORST_GRADE and rng.random() < 0.4:
            may = dt.datetime(2025, 5, rng.randint(5, 30), rng.randint(1, 9), tzinfo=dt.UTC)
            changes.append(PlannedGradeChange(index, grade + 1, may, rng.choice(MAY_REASONS)))
    return sorted(changes, key=lambda change: (change.effective_at, change.buyer_index))


def _demo_underwriter(session: Session) -> Actor:
    email = next(u.email for u in demo_users() if u.sign_in_for is Role.UNDERWRITER)
    user = session.scalars(select(User).where(User.email == email)).one()
    return actor_for(user)


def seed_grade_history(
    session: Session, seed: int, buyers: Sequence[BuyerRegistration], buyer_ids: Sequence[uuid.UUID]
) -> int:
    """Apply the planned downgrades as the demo underwriter; returns how many grade changes were made."""
    underwriter = _demo_underwriter(session)
    now = utcnow()
    made = 0
    for change in plan_grade_changes(seed, buyers):
        if change.effective_at > now:
            continue  # a clock set before the tariff shock: that history has not happened yet
        change_buyer_grade(
            session,
            underwriter,
            buyer_ids[change.buyer_index],
            grade=change.new_grade,
            reason=change.reason,
            effective_at=change.effective_at,
        )
        made += 1
    return made
