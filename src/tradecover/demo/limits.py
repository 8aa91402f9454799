"""Demo credit limits: the insurers' appetite and capacity from data files, and thousands of limits in
every state (approved, partly approved, declined, referred, reduced, cancelled) over the demo policies.

`plan_limits` is pure: from a seed, the policies and the buyers it picks which buyer each policy asks
cover on, how much (heavy-tailed, in USD), and what happens next (an underwriter approves, cuts or
declines a referral; the insurer reduces or cancels; the policyholder gives a limit up). Seeding goes
through the limits services, so every decision is the rules' own, with its recorded reason.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.clock import FixedClock, get_clock, set_clock
from tradecover.errors import DomainError
from tradecover.limits.capacity import set_appetite, set_capacity
from tradecover.limits.changes import cancel_limit, cancel_limit_by_policyholder, reduce_limit
from tradecover.limits.decisions import approve_referral, decline_referral, request_limit
from tradecover.limits.model import CreditLimit, LimitStatus
from tradecover.limits.rules import AppetiteAction, AppetiteKind, CapacityScope
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import User, UserRole
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.terms import ProductKind
from tradecover.reference.fx import fx_rate
from tradecover.reference.table import read_rows

TARGET_LIMITS = 3000
# The demo policies run through 2025: limits are asked for in its first quarter, cut after the tariff shock.
FIRST_REQUEST_DAY = dt.date(2025, 1, 6)
REQUEST_DAYS = 84
CUT_DAY = dt.date(2025, 4, 15)
GIVE_UP_DAY = dt.date(2025, 5, 20)
NONE = "-"
SMALLEST_USD, LARGEST_USD = 10_000, 3_000_000
ROUND_TO = 1000
REFERRAL_DECLINE_REASONS = (
    "Buyer's latest accounts show negative equity",
    "Exposure on the sector is at the insurer's appetite; no more this quarter",
    "Payment experience with the buyer is poor (two protracted defaults in 2024)",
)
CUT_REASONS = (
    "Buyer downgraded after the 2025 US tariff shock",
    "Payment delays reported by other insureds on this buyer",
    "Insurer reduces exposure on the buyer's sector",
)


class FollowUp(enum.StrEnum):
    """What happens to a limit after its instant decision."""

    NOTHING = "nothing"
    APPROVE = "approve"
    APPROVE_PART = "approve_part"
    DECLINE = "decline"
    REDUCE = "reduce"
    CANCEL = "cancel"
    GIVE_UP = "give_up"


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    """What the plan needs of a demo policy."""

    id: uuid.UUID
    domestic: bool


@dataclass(frozen=True, slots=True)
class BuyerFacts:
    """What the plan needs of a demo buyer."""

    id: uuid.UUID
    country: str


@dataclass(frozen=True, slots=True)
class PlannedLimit:
    """One request: which policy and buyer (by position), how much in USD, and the follow-up."""

    policy_index: int
    buyer_index: int
    amount_usd: int
    follow_up: FollowUp
    requested_on: dt.date


def _amount_usd(rng: random.Random) -> int:
    # Log-uniform: most limits are small, a few very large (the referral and two-approval bands).
    exponent = rng.uniform(math.log10(SMALLEST_USD), math.log10(LARGEST_USD))
    return max(ROUND_TO, round(10**exponent / ROUND_TO) * ROUND_TO)


def _follow_up(rng: random.Random) -> FollowUp:
    roll = rng.random()
    for bound, follow_up in (
        (0.55, FollowUp.APPROVE),
        (0.65, FollowUp.APPROVE_PART),
        (0.75, FollowUp.DECLINE),
        (0.79, FollowUp.REDUCE),
        (0.82, FollowUp.CANCEL),
        (0.84, FollowUp.GIVE_UP),
    ):
        if roll < bound:
            return follow_up
    return FollowUp.NOTHING


def plan_limits(
    seed: int, policies: Sequence[PolicyFacts], buyers: Sequence[BuyerFacts], *, target: int = TARGET_LIMITS
) -> list[PlannedLimit]:
    """The limit requests of the demo for a seed: each policy asks on distinct buyers it may cover."""
    rng = random.Random(f"demo:{seed}:limits")
    domestic = [i for i, b in enumerate(buyers) if b.country == "CN"]
    foreign = [i for i, b in enumerate(buyers) if b.country != "CN"]
    planned: list[PlannedLimit] = []
    if not policies:
        return planned
    per_policy = max(1, math.ceil(target / len(policies)))
    for policy_index, policy in enumerate(policies):
        pool = domestic if policy.domestic else foreign
        for buyer_index in rng.sample(pool, min(per_policy, len(pool))):
            day = FIRST_REQUEST_DAY + dt.timedelta(days=rng.randrange(REQUEST_DAYS))
            planned.append(PlannedLimit(policy_index, buyer_index, _amount_usd(rng), _follow_up(rng), day))
    return sorted(planned, key=lambda p: (p.requested_on, p.policy_index, p.buyer_index))


def target_limits(buyers: int) -> int:
    """About three limits for every two buyers, up to TARGET_LIMITS: a small demo world gets a small book."""
    return min(TARGET_LIMITS, buyers * 3 // 2)


@functools.cache
def _rows(name: str) -> list[dict[str, str]]:
    _, rows = read_rows(resources.files("tradecover.demo").joinpath("data", name))
    return [row.values for row in rows]


def seed_appetite_and_capacity(session: Session, insurer_ids: Mapping[str, uuid.UUID]) -> int:
    """Each demo insurer's appetite and capacity from `data/appetite.csv` and `data/capacity.csv`."""
    system = Actor.system()
    count = 0
    for row in _rows("appetite.csv"):
        maximum = row["max_total_usd"]
        set_appetite(
            session,
            system,
            insurer_ids[row["insurer"]],
            AppetiteKind(row["kind"]),
            row["key"],
            AppetiteAction(row["action"]),
            None if maximum == NONE else Money.of(maximum, "USD"),
        )
        count += 1
    for row in _rows("capacity.csv"):
        key = "" if row["key"] == NONE else row["key"]
        scope = CapacityScope(row["scope"])
        set_capacity(
            session, system, insurer_ids[row["insurer"]], scope, key, Money.of(row["amount_usd"], "USD")
        )
        count += 1
    return count


def underwriters_by_insurer(session: Session) -> dict[uuid.UUID, list[Actor]]:
    users = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.UNDERWRITER)
        .order_by(User.email)
    ).all()
    found: dict[uuid.UUID, list[Actor]] = {}
    for user in users:
        found.setdefault(user.organisation_id, []).append(actor_for(user))
    return found


def in_policy_currency(amount_usd: int, currency: str, day: dt.date) -> Money:
    per_usd = fx_rate("USD", currency, day)
    return Money.of(round(Decimal(amount_usd) * per_usd / ROUND_TO) * ROUND_TO, currency)


def decide_referral(
    session: Session, limit: CreditLimit, plan: PlannedLimit, underwriters: list[Actor], n: int
) -> None:
    """What the plan's follow-up makes of a referral: approve (in part), decline, or leave it waiting."""
    first = underwriters[0]
    if plan.follow_up is FollowUp.APPROVE_PART:
        part = Money.of((limit.requested.amount * 6 / 10).quantize(Decimal(1)), limit.currency)
        approve_referral(session, first, limit.id, amount=part, note="approved in part pending accounts")
    elif plan.follow_up is FollowUp.DECLINE:
        decline_referral(session, first, limit.id, reason=REFERRAL_DECLINE_REASONS[n % 3])
    elif plan.follow_up is not FollowUp.NOTHING:
        approve_referral(session, first, limit.id)
        # Above the second band a different underwriter must approve too; with one, the limit waits.
        if limit.status is LimitStatus.REFERRED and len(underwriters) > 1:
            approve_referral(session, underwriters[1], limit.id)


def _cut(session: Session, limit: CreditLimit, plan: PlannedLimit, underwriters: list[Actor], n: int) -> None:
    reason = CUT_REASONS[n % len(CUT_REASONS)]
    if plan.follow_up is FollowUp.REDUCE and limit.amount.amount >= 2 * ROUND_TO:
        half = Money.of((limit.amount.amount / 2).quantize(Decimal(1)), limit.currency)
        reduce_limit(session, underwriters[0], limit.id, half, reason=reason)
    elif plan.follow_up is FollowUp.CANCEL:
        cancel_limit(session, underwriters[0], limit.id, reason=reason)


def _holder(organisation_id: uuid.UUID) -> Actor:
    # The seeder acts for the insured (demo policyholders other than the flagship have no users).
    return Actor(None, organisation_id, OrganisationKind.POLICYHOLDER, frozenset({Role.POLICYHOLDER}))


def _at(day: dt.date) -> None:
    set_clock(FixedClock(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)))


def seed_demo_limits(session: Session, seed: int, organisation_ids: Mapping[str, uuid.UUID]) -> int:
    """The planned limits through the services, on their dates (after appetite and capacity); how many."""
    policies = session.scalars(
        select(Policy).where(Policy.status == PolicyStatus.IN_FORCE).order_by(Policy.number)
    ).all()
    buyers = session.execute(
        select(Buyer.id, Buyer.country).order_by(Buyer.country, Buyer.registration_number)
    ).all()
    facts = [PolicyFacts(p.id, p.product_kind is ProductKind.DOMESTIC_WHOLE_TURNOVER) for p in policies]
    plan = plan_limits(
        seed, facts, [BuyerFacts(b.id, b.country) for b in buyers], target=target_limits(len(buyers))
    )
    underwriters = underwriters_by_insurer(session)
    system = Actor.system()
    made: list[tuple[CreditLimit, PlannedLimit, list[Actor]]] = []
    previous = get_clock()
    try:
        for n, planned in enumerate(plan):
            policy = policies[planned.policy_index]
            staff = underwriters.get(policy.insurer_id, [])
            _at(planned.requested_on)
            amount = in_policy_currency(planned.amount_usd, policy.currency, planned.requested_on)
            try:
                with session.begin_nested():
                    limit = request_limit(session, system, policy.id, buyers[planned.buyer_index].id, amount)
                    if limit.status is LimitStatus.REFERRED and staff:
                        decide_referral(session, limit, planned, staff, n)
            except DomainError:
                # A rule refused the request itself (a single-buyer policy's other buyers): not a limit.
                continue
            made.append((limit, planned, staff))
        _at(CUT_DAY)
        for n, (limit, planned, staff) in enumerate(made):
            if staff and limit.status in (LimitStatus.APPROVED, LimitStatus.PARTLY_APPROVED):
                _cut(session, limit, planned, staff, n)
        _at(GIVE_UP_DAY)
        for limit, planned, _ in made:
            if planned.follow_up is FollowUp.GIVE_UP and limit.status in (
                LimitStatus.APPROVED,
                LimitStatus.PARTLY_APPROVED,
                LimitStatus.REFERRED,
            ):
                cancel_limit_by_policyholder(
                    session, _holder(limit.policyholder_id), limit.id, reason="no more sales to this buyer"
                )
    finally:
        set_clock(previous)
    return len(made)
