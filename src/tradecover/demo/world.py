"""The demo world: a deterministic book from a seed, seeded through the services, and its sign-ins.

`plan_demo_world` is pure (same seed and sizes, same world; no wall clock); `seed_demo_world` registers
the plan with `Actor.system()` in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.service import BuyerRegistration, register_buyers
from tradecover.claims.tick import run_tick
from tradecover.demo.buyers import plan_buyers
from tradecover.demo.catalogue import Institution, demo_users, institutions
from tradecover.demo.claims import report_demo_overdues, seed_demo_claims
from tradecover.demo.declarations import seed_demo_declarations
from tradecover.demo.exporters import PolicyholderPlan, plan_policyholders
from tradecover.demo.financing import seed_financed_pool_policy
from tradecover.demo.grades import seed_grade_history
from tradecover.demo.history import seed_demo_history
from tradecover.demo.limits import seed_appetite_and_capacity, seed_demo_limits
from tradecover.demo.policies import seed_demo_policies
from tradecover.demo.pool import POOL_NAME, seed_demo_pool
from tradecover.demo.premiums import seed_demo_premiums
from tradecover.demo.risk import seed_demo_risk_runs
from tradecover.demo.subsidies import SHENZHEN_POLICYHOLDER, seed_demo_subsidies
from tradecover.money import Money
from tradecover.oversight.totals_refresh import refresh_totals
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation, User
from tradecover.parties.passwords import hash_password
from tradecover.parties.roles import ROLE_TITLES, OrganisationKind, Role
from tradecover.parties.service import create_organisation, create_user

DEFAULT_SEED = 2025
DEFAULT_BUYERS = 2000
DEFAULT_POLICYHOLDERS = 40
# The demo's book date: premiums are invoiced and risk measured up to it; prior-year facts (exports)
# are for the calendar year before it.
AS_OF = dt.date(2025, 6, 30)
# The platform's date when the demo is served: the year's declarations, overdues and claims are behind it.
DEMO_TODAY = dt.date(2025, 12, 30)
PRIOR_YEAR = AS_OF.year - 1
DEMO_PASSWORD = "tradecover-demo-2025"  # noqa: S105 - published in docs/demo.md, for demo users only
FLAGSHIP_POLICYHOLDER = "policyholder.flagship"
# Present in every demo world; its presence means the database already holds one.
MARKER_EMAIL = "admin@demo.tradecover.org"


@dataclass(frozen=True, slots=True)
class DemoWorldPlan:
    """Everything the demo world will contain, before it touches a database."""

    seed: int
    institutions: tuple[Institution, ...]
    policyholders: tuple[PolicyholderPlan, ...]
    buyers: tuple[BuyerRegistration, ...]


@dataclass(frozen=True, slots=True)
class DemoSignIn:
    """One printed demo sign-in: the role it shows, its organisation, e-mail and password."""

    role: Role
    organisation: str
    email: str
    password: str

    @property
    def role_title(self) -> str:
        """The role as people call it."""
        return ROLE_TITLES[self.role]


@dataclass(frozen=True, slots=True)
class DemoWorldSummary:
    """What was seeded: counts by kind of object."""

    organisations: int
    policyholders: int
    users: int
    buyers: int


def plan_demo_world(
    seed: int = DEFAULT_SEED, *, buyers: int = DEFAULT_BUYERS, policyholders: int = DEFAULT_POLICYHOLDERS
) -> DemoWorldPlan:
    """The demo world for a seed: fixed institutions, `policyholders` exporters, `buyers` buyers."""
    if policyholders < 1:
        raise ValueError("the demo world needs at least one policyholder (the flagship Yiwu exporter)")
    if buyers < 0:
        raise ValueError("the number of buyers cannot be negative")
    return DemoWorldPlan(
        seed=seed,
        institutions=institutions(),
        policyholders=tuple(plan_policyholders(policyholders, random.Random(f"demo:{seed}:policyholders"))),
        buyers=tuple(plan_buyers(buyers, random.Random(f"demo:{seed}:buyers"))),
    )


def demo_world_exists(session: Session) -> bool:
    """True when the database already holds a demo world."""
    found = session.scalar(
        select(User.id).where(User.email == MARKER_EMAIL).execution_options(tenant_exempt=True)
    )
    return found is not None


def seed_demo_world(session: Session, plan: DemoWorldPlan) -> DemoWorldSummary:
    """Register the plan's organisations, users and buyers through the services, as the system."""
    actor = Actor.system()
    organisation_ids: dict[str, uuid.UUID] = {}
    for institution in plan.institutions:
        organisation = create_organisation(
            session,
            actor,
            name=institution.name,
            kind=institution.kind,
            country=institution.country,
            region=institution.region,
            registration_number=institution.registration_number,
        )
        organisation_ids[institution.key] = organisation.id
    for number, policyholder in enumerate(plan.policyholders):
        organisation = create_organisation(
            session,
            actor,
            name=policyholder.name,
            kind=OrganisationKind.POLICYHOLDER,
            country="CN",
            region=policyholder.city,
            registration_number=policyholder.registration_number,
            is_sme=policyholder.is_sme,
            prior_year_exports=policyholder.prior_year_exports,
            sector=policyholder.sector,
        )
        if number == 0:
            organisation_ids[FLAGSHIP_POLICYHOLDER] = organisation.id
    shenzhen = _unenrolled_shenzhen_sme(plan.policyholders)
    if shenzhen is not None:
        organisation_ids[SHENZHEN_POLICYHOLDER] = _organisation_id(session, shenzhen.registration_number)
    # A small world may lack the Shenzhen SME: its sign-in is then left out.
    users = tuple(user for user in demo_users() if user.organisation in organisation_ids)
    # One Argon2 hash for the one published demo password: hashing it per user costs seconds.
    password_hash = hash_password(DEMO_PASSWORD)
    for user in users:
        created = create_user(
            session,
            actor,
            organisation_id=organisation_ids[user.organisation],
            email=user.email,
            full_name=user.full_name,
            roles=user.roles,
        )
        created.password_hash = password_hash
    buyer_ids = register_buyers(session, actor, plan.buyers)
    seed_grade_history(session, plan.seed, plan.buyers, buyer_ids)
    seed_demo_policies(session, plan.seed, organisation_ids, plan.policyholders)
    seed_appetite_and_capacity(session, organisation_ids)
    # The prior year, before the programmes (2024 premiums carry no subsidy) and the 2025 limits.
    seed_demo_history(session, plan.seed)
    # Programmes before anything is invoiced, so invoices draw on their budgets.
    seed_demo_subsidies(session, organisation_ids)
    seed_demo_limits(session, plan.seed, organisation_ids)
    seed_demo_declarations(session, plan.seed, organisation_ids[FLAGSHIP_POLICYHOLDER], until=DEMO_TODAY)
    seed_demo_pool(session, plan.seed, organisation_ids)
    # Last: invoices of the year's insured turnover (after the programmes and pools they draw on).
    seed_demo_premiums(session, plan.seed, AS_OF)
    # After the invoicing, which gives the pool's June policies their first shipments: the flagship's
    # financed pool policy has its own story (demo/financing.py).
    pool_id = session.scalar(select(Organisation.id).where(Organisation.name == POOL_NAME))
    financed = None if pool_id is None else seed_financed_pool_policy(session, pool_id)
    # After everything that puts limits in force: the risk runs measure the finished book.
    seed_demo_risk_runs(session, organisation_ids, AS_OF)
    # The rest of the year: overdues reported, claims filed, decided and paid, up to the demo's date;
    # the financed policy's overdues are left for a person to report.
    report_demo_overdues(session, DEMO_TODAY, except_policies=[] if financed is None else [financed.id])
    seed_demo_claims(session, DEMO_TODAY)
    run_tick(session, DEMO_TODAY)
    # The oversight views' monthly totals, so that the first page opened need not build them.
    refresh_totals(session)
    return DemoWorldSummary(
        organisations=len(plan.institutions) + len(plan.policyholders),
        policyholders=len(plan.policyholders),
        users=len(users),
        buyers=len(buyer_ids),
    )


def _unenrolled_shenzhen_sme(policyholders: Sequence[PolicyholderPlan]) -> PolicyholderPlan | None:
    eligible = [
        p
        for p in policyholders[1:]
        if p.city == "Shenzhen"
        and p.is_sme
        and p.prior_year_exports.is_positive
        and p.prior_year_exports <= Money.of(8_000_000, "USD")
    ]
    return max(eligible, key=lambda p: p.registration_number, default=None)


def _organisation_id(session: Session, registration_number: str) -> uuid.UUID:
    found = session.scalar(
        select(Organisation.id)
        .where(Organisation.country == "CN", Organisation.registration_number == registration_number)
        .execution_options(tenant_exempt=True)
    )
    assert found is not None  # registered just before
    return found


def demo_sign_ins(session: Session) -> list[DemoSignIn]:
    """One sign-in per role, as the database holds them (in the order of the roles)."""
    wanted = {user.email: user.sign_in_for for user in demo_users() if user.sign_in_for is not None}
    found = session.scalars(
        select(User).where(User.email.in_(wanted)).execution_options(tenant_exempt=True)
    ).all()
    sign_ins = [
        DemoSignIn(role, user.organisation.name, user.email, DEMO_PASSWORD)
        for user in found
        if (role := wanted[user.email]) is not None
    ]
    order = list(Role)
    return sorted(sign_ins, key=lambda s: order.index(s.role))
