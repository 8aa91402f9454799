"""Coinsurance pools: creating them, setting member capacity, reading terms, and who administers them.

A pool's terms are read by other areas in any tenant's session (a policyholder's session invoicing a
pool policy, deciding a limit on one): `pool_terms_of` and `administers` read exempt from tenant
scoping, filtered by the pool explicitly, and return only what the rules need.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.coinsurance.model import Pool, PoolMember
from tradecover.coinsurance.rules import MemberShare, PoolTerms, check_commission, check_shares, percent
from tradecover.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money, minor_unit_exponent
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.reference.countries import country_name

MAY_SET_CAPACITY = (Role.INSURER_ADMIN, Role.PLATFORM_ADMIN)


@dataclass(frozen=True, slots=True)
class MemberPlan:
    """One member as a new pool is set up: its share and capacities (pool currency)."""

    insurer_id: uuid.UUID
    share: Decimal
    total_capacity: Money | None = None
    per_buyer_capacity: Money | None = None
    per_country_capacity: Money | None = None


@dataclass(frozen=True, slots=True)
class PoolView:
    """A pool as its members and the operator see it: the organisation, its terms and member names."""

    organisation: Organisation
    pool: Pool
    member_names: dict[uuid.UUID, str]

    @property
    def id(self) -> uuid.UUID:
        """The pool's organisation id (the insurer id of its policies)."""
        return self.organisation.id

    @property
    def name(self) -> str:
        """The pool's name."""
        return self.organisation.name

    @property
    def leader_name(self) -> str:
        """The leading member's name."""
        return self.member_names[self.pool.leader_id]

    @property
    def members(self) -> list[PoolMember]:
        """The members, leader first."""
        return sorted(self.pool.members, key=lambda m: m.position)


# reading across tenants -------------------------------------------------------------------------------
def pool_terms_of(session: Session, insurer_id: uuid.UUID) -> PoolTerms | None:
    """The pool's terms when `insurer_id` is a pool; None for a single insurer."""
    # Invoices, limits and claims of a pool policy are handled in the policyholder's session too,
    # which may not see the pool's terms; only the split they produce reaches the policyholder.
    pool = session.scalars(
        select(Pool).where(Pool.id == insurer_id).execution_options(tenant_exempt=True)
    ).first()
    if pool is None:
        return None
    members = session.scalars(
        select(PoolMember)
        .where(PoolMember.pool_id == pool.id)
        .order_by(PoolMember.position)
        .execution_options(tenant_exempt=True)
    ).all()
    return PoolTerms(
        pool_id=pool.id,
        leader_id=pool.leader_id,
        leader_commission=pool.leader_commission,
        members=tuple(MemberShare(m.insurer_id, m.share, m.position) for m in members),
    )


def administers(session: Session, organisation_id: uuid.UUID | None, insurer_id: uuid.UUID) -> bool:
    """True when the organisation is the insurer itself, or leads the pool that is the insurer."""
    if organisation_id is None:
        return False
    if organisation_id == insurer_id:
        return True
    # The leader's users administer the pool's rows; the check is on the pool's terms, by id.
    leader = session.scalar(
        select(Pool.leader_id).where(Pool.id == insurer_id).execution_options(tenant_exempt=True)
    )
    return leader == organisation_id


def is_member(session: Session, organisation_id: uuid.UUID | None, pool_id: uuid.UUID) -> bool:
    """True when the organisation is a member of the pool."""
    if organisation_id is None:
        return False
    found = session.scalar(
        select(PoolMember.id)
        .where(PoolMember.pool_id == pool_id, PoolMember.insurer_id == organisation_id)
        .execution_options(tenant_exempt=True)
    )
    return found is not None


def names_of(session: Session, organisation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of organisations by id, for showing a pool's members and the pool itself."""
    # Members see each other's names (and the pool's) on the pool's pages, nothing else of them.
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(list(organisation_ids)))
        .execution_options(tenant_exempt=True)
    ).all()
    return {row.id: row.name for row in rows}


# creating and changing ----------------------------------------------------------------------------
def _capacity_minor(amount: Money | None, currency: str, field: str, *, required: bool = False) -> int | None:
    if amount is None:
        if required:
            raise ValidationError("must be given", field=field)
        return None
    if not isinstance(amount, Money):
        raise ValidationError("must be an amount of money", field=field)
    if amount.currency != currency:
        raise ValidationError(
            f"must be in the pool's currency {currency}, not {amount.currency}", field=field
        )
    if amount.is_negative:
        raise ValidationError("must not be negative", field=field)
    return amount.minor_units


def _insurers(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Organisation]:
    found = {
        org.id: org
        for org in session.scalars(
            select(Organisation).where(Organisation.id.in_(list(ids))).execution_options(tenant_exempt=True)
        )
    }
    for insurer_id in ids:
        org = found.get(insurer_id)
        if org is None:
            raise NotFound(f"no such insurer: {insurer_id}", field="members")
        if org.kind is not OrganisationKind.INSURER:
            raise ValidationError(f"{org.name} is not an insurer and cannot be a member", field="members")
    return found


def create_pool(
    session: Session,
    actor: Actor,
    *,
    name: str,
    country: str,
    currency: str,
    leader_id: uuid.UUID,
    leader_commission: Decimal,
    members: Sequence[MemberPlan],
    starts_on: dt.date | None = None,
) -> PoolView:
    """Set up a coinsurance pool of insurers (platform admin): shares adding up to exactly 100%, a leader."""
    actor.require(Role.PLATFORM_ADMIN)
    currency = (currency or "").strip().upper()
    try:
        minor_unit_exponent(currency)
    except ValidationError as error:
        raise ValidationError(error.message, field="currency") from None
    if not members:
        raise ValidationError("a pool needs at least one member", field="members")
    ids = [m.insurer_id for m in members]
    if len(set(ids)) != len(ids):
        raise ValidationError("each insurer can be a member only once", field="members")
    check_shares([m.share for m in members])
    check_commission(leader_commission)
    if leader_id not in ids:
        raise ValidationError("the leader must be one of the members", field="leader_id")
    capacities = [
        (
            _capacity_minor(m.total_capacity, currency, "total_capacity") or 0,
            _capacity_minor(m.per_buyer_capacity, currency, "per_buyer_capacity"),
            _capacity_minor(m.per_country_capacity, currency, "per_country_capacity"),
        )
        for m in members
    ]
    insurers = _insurers(session, ids)
    clean_name = (name or "").strip()
    taken = session.scalar(
        select(Organisation.id)
        .where(Organisation.kind == OrganisationKind.POOL, Organisation.name == clean_name)
        .execution_options(tenant_exempt=True)
    )
    if taken is not None:
        raise Conflict(f"a pool named {clean_name} exists", field="name")
    if not clean_name:
        raise ValidationError("must not be empty", field="name")
    country = (country or "").strip().upper()
    try:
        country_name(country)
    except DomainError as error:
        raise ValidationError(error.message, field="country") from None
    organisation = Organisation(name=clean_name, kind=OrganisationKind.POOL, country=country)
    session.add(organisation)
    session.flush()
    pool = Pool(
        id=organisation.id,
        leader_id=leader_id,
        leader_commission=leader_commission,
        currency=currency,
        starts_on=starts_on,
        members=[],
    )
    session.add(pool)
    # The leader is position 0; the others keep the order given.
    ordered = sorted(zip(members, capacities, strict=True), key=lambda mc: mc[0].insurer_id != leader_id)
    for position, (plan, (total, per_buyer, per_country)) in enumerate(ordered):
        pool.members.append(
            PoolMember(
                pool_id=organisation.id,
                insurer_id=plan.insurer_id,
                position=position,
                share=plan.share,
                currency=currency,
                total_capacity_minor=total,
                per_buyer_capacity_minor=per_buyer,
                per_country_capacity_minor=per_country,
            )
        )
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=organisation.id,
        action="pool.created",
        object_type="Pool",
        object_id=organisation.id,
        details={
            "leader": str(leader_id),
            "leader_commission": format(leader_commission, "f"),
            "currency": currency,
            "members": [{"insurer_id": str(m.insurer_id), "share": format(m.share, "f")} for m, _ in ordered],
        },
    )
    names = {org_id: org.name for org_id, org in insurers.items()}
    return PoolView(organisation, pool, names)


def set_member_capacity(
    session: Session,
    actor: Actor,
    pool_id: uuid.UUID,
    insurer_id: uuid.UUID,
    *,
    total: Money,
    per_buyer: Money | None = None,
    per_country: Money | None = None,
) -> PoolMember:
    """A member's admin (or the operator) sets the member's capacity for the pool (pool currency)."""
    actor.require(*MAY_SET_CAPACITY)
    member = session.scalars(
        select(PoolMember)
        .where(PoolMember.pool_id == pool_id, PoolMember.insurer_id == insurer_id)
        .with_for_update()
    ).first()
    if member is None:
        raise NotFound(f"no such member of pool {pool_id}: {insurer_id}", field="insurer_id")
    if not actor.is_platform_admin and actor.organisation_id != insurer_id:
        raise PermissionDenied("only the member's own admins set its capacity for the pool")
    total_minor = _capacity_minor(total, member.currency, "total", required=True)
    assert total_minor is not None
    member.total_capacity_minor = total_minor
    member.per_buyer_capacity_minor = _capacity_minor(per_buyer, member.currency, "per_buyer")
    member.per_country_capacity_minor = _capacity_minor(per_country, member.currency, "per_country")
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=pool_id,
        action="pool.member_capacity_set",
        object_type="PoolMember",
        object_id=member.id,
        details={
            "insurer_id": str(insurer_id),
            "total": format(total.amount, "f"),
            "per_buyer": None if per_buyer is None else format(per_buyer.amount, "f"),
            "per_country": None if per_country is None else format(per_country.amount, "f"),
        },
    )
    return member


# reading ------------------------------------------------------------------------------------------
def _view(session: Session, pool: Pool) -> PoolView:
    names = names_of(session, [pool.id, *(m.insurer_id for m in pool.members)])
    organisation = session.scalars(
        select(Organisation).where(Organisation.id == pool.id).execution_options(tenant_exempt=True)
    ).one()
    return PoolView(organisation, pool, names)


def list_pools(session: Session, actor: Actor) -> list[PoolView]:
    """The pools the actor's organisation is in (every pool for the operator), by name."""
    pools = session.scalars(select(Pool)).all()
    views = [_view(session, pool) for pool in pools]
    return sorted(views, key=lambda view: view.name)


def get_pool(session: Session, actor: Actor, pool_id: uuid.UUID) -> PoolView:
    """One pool the actor's organisation is in; NotFound otherwise."""
    pool = session.scalars(select(Pool).where(Pool.id == pool_id)).first()
    if pool is None:
        raise NotFound(f"no such pool: {pool_id}", field="pool_id")
    return _view(session, pool)


def describe_shares(view: PoolView) -> str:
    """The members and shares in words: 'PICC 40% (leader), Ping An 35%, CPIC 25%'."""
    return ", ".join(
        f"{view.member_names.get(m.insurer_id, '?')} {percent(m.share)}"
        + (" (leader)" if m.insurer_id == view.pool.leader_id else "")
        for m in view.members
    )
