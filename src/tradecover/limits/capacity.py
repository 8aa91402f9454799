"""An insurer's appetite and capacity: setting them, and taking and giving back capacity under a lock.

Capacity and appetite are stated in USD. A limit takes its USD equivalent (at its request date's
rate) from the insurer's total capacity and from the capacity of its buyer's country and sector, where
the insurer set one. Deciding locks those rows first (`lock_capacities`), so racing requests queue and
no capacity is ever committed twice.

A policyholder's request is decided against its insurer's capacity, appetite and book, which the
policyholder may not see: those reads are exempt from tenant scoping, filtered by the insurer
explicitly, and only their effect (the decision and its reason) reaches the policyholder.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.errors import DomainError, NotFound, PermissionDenied, ValidationError
from tradecover.limits.model import COVERING_STATUSES, Appetite, Capacity, CreditLimit
from tradecover.limits.rules import AppetiteAction, AppetiteKind, AppetiteLine, CapacityLeft, CapacityScope
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.reference.countries import get_country
from tradecover.reference.sectors import get_sector

MAY_SET_CAPACITY = (Role.INSURER_ADMIN, Role.PLATFORM_ADMIN)


def _insurer(session: Session, actor: Actor, insurer_id: uuid.UUID) -> Organisation:
    actor.require(*MAY_SET_CAPACITY)
    insurer = session.scalars(select(Organisation).where(Organisation.id == insurer_id)).first()
    if insurer is None or insurer.kind is not OrganisationKind.INSURER:
        raise NotFound(f"no such insurer: {insurer_id}", field="insurer_id")
    if not actor.is_platform_admin and actor.organisation_id != insurer.id:
        raise PermissionDenied("only the insurer's own admins set its appetite and capacity")
    return insurer


def checked_key(scope: CapacityScope | AppetiteKind | str, key: str) -> str:
    """The key of a capacity or appetite line in its one form: '' (total), 'US', 'construction'."""
    scope_value = str(scope.value if isinstance(scope, CapacityScope | AppetiteKind) else scope)
    if scope_value == CapacityScope.TOTAL.value:
        return ""
    try:
        if scope_value == CapacityScope.COUNTRY.value:
            return get_country(key.strip()).code
        return get_sector(key.strip().lower()).code
    except DomainError as error:
        raise ValidationError(error.message, field="key") from None


def usd_amount_minor(amount: Money, field: str) -> int:
    """A capacity or appetite amount in USD minor units; another currency or a negative amount is refused."""
    if amount.currency != "USD":
        raise ValidationError("capacity and appetite are stated in USD", field=field)
    if amount.is_negative:
        raise ValidationError("must not be negative", field=field)
    return amount.minor_units


def committed_now(session: Session, insurer_id: uuid.UUID, scope: CapacityScope, key: str) -> int:
    """What the insurer's covering limits take now (USD minor) in total, in a country or in a sector."""
    query = select(func.coalesce(func.sum(CreditLimit.capacity_usd_minor), 0)).where(
        CreditLimit.insurer_id == insurer_id, CreditLimit.status.in_(COVERING_STATUSES)
    )
    if scope is CapacityScope.COUNTRY:
        query = query.where(CreditLimit.buyer_country == key)
    elif scope is CapacityScope.SECTOR:
        query = query.where(CreditLimit.buyer_sector == key)
    return int(session.scalar(query.execution_options(tenant_exempt=True)) or 0)


def set_capacity(
    session: Session, actor: Actor, insurer_id: uuid.UUID, scope: CapacityScope | str, key: str, amount: Money
) -> Capacity:
    """Set an insurer's capacity in total, in a country or a sector (USD); a new row counts limits held."""
    insurer = _insurer(session, actor, insurer_id)
    try:
        scope = CapacityScope(scope)
    except ValueError:
        raise ValidationError(f"{scope!r} is not total, country or sector", field="scope") from None
    key = checked_key(scope, key)
    amount_minor = usd_amount_minor(amount, "amount")
    capacity = session.scalars(
        select(Capacity)
        .where(Capacity.insurer_id == insurer.id, Capacity.scope == scope, Capacity.key == key)
        .with_for_update()
    ).first()
    if capacity is None:
        capacity = Capacity(
            insurer_id=insurer.id,
            scope=scope,
            key=key,
            amount_usd_minor=amount_minor,
            committed_usd_minor=committed_now(session, insurer.id, scope, key),
        )
        session.add(capacity)
    else:
        capacity.amount_usd_minor = amount_minor
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=insurer.id,
        action="capacity.set",
        object_type="Capacity",
        object_id=capacity.id,
        details={"scope": scope.value, "key": key, "amount_usd": format(amount.amount, "f")},
    )
    return capacity


def set_appetite(
    session: Session,
    actor: Actor,
    insurer_id: uuid.UUID,
    kind: AppetiteKind | str,
    key: str,
    action: AppetiteAction | str,
    max_total: Money | None = None,
) -> Appetite:
    """Say what the insurer does with a country or sector: refer or decline all, or past a total (USD)."""
    insurer = _insurer(session, actor, insurer_id)
    try:
        kind, action = AppetiteKind(kind), AppetiteAction(action)
    except ValueError as error:
        raise ValidationError(str(error), field="kind") from None
    key = checked_key(kind, key)
    max_minor = None if max_total is None else usd_amount_minor(max_total, "max_total")
    line = session.scalars(
        select(Appetite).where(Appetite.insurer_id == insurer.id, Appetite.kind == kind, Appetite.key == key)
    ).first()
    if line is None:
        line = Appetite(
            insurer_id=insurer.id, kind=kind, key=key, action=action, max_total_usd_minor=max_minor
        )
        session.add(line)
    else:
        line.action, line.max_total_usd_minor = action, max_minor
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=insurer.id,
        action="appetite.set",
        object_type="Appetite",
        object_id=line.id,
        details={"kind": kind.value, "key": key, "action": action.value, "max_total_usd_minor": max_minor},
    )
    return line


def capacities_of(session: Session, insurer_id: uuid.UUID) -> Sequence[Capacity]:
    """The insurer's capacities: total first, then countries and sectors by key."""
    return session.scalars(
        select(Capacity).where(Capacity.insurer_id == insurer_id).order_by(Capacity.scope, Capacity.key)
    ).all()


def appetite_of(session: Session, insurer_id: uuid.UUID) -> Sequence[Appetite]:
    """The insurer's appetite lines by kind and key."""
    return session.scalars(
        select(Appetite).where(Appetite.insurer_id == insurer_id).order_by(Appetite.kind, Appetite.key)
    ).all()


def lock_capacities(session: Session, insurer_id: uuid.UUID, country: str, sector: str) -> list[Capacity]:
    """The capacity rows a limit on a buyer in `country` and `sector` takes from, locked until commit."""
    return list(
        session.scalars(
            select(Capacity)
            .where(
                Capacity.insurer_id == insurer_id,
                or_(
                    Capacity.scope == CapacityScope.TOTAL,
                    and_(Capacity.scope == CapacityScope.COUNTRY, Capacity.key == country),
                    and_(Capacity.scope == CapacityScope.SECTOR, Capacity.key == sector),
                ),
            )
            .order_by(Capacity.id)
            .with_for_update()
            # Read what the lock protects, not an older copy the session may hold. A policyholder's
            # request is decided against its insurer's capacity, which the policyholder may not see.
            .execution_options(populate_existing=True, tenant_exempt=True)
        )
    )


def capacity_left(rows: Sequence[Capacity]) -> list[CapacityLeft]:
    """What is left of each locked capacity, for the rules."""
    return [CapacityLeft(row.scope, row.key, row.remaining_usd) for row in rows]


def take(rows: Sequence[Capacity], usd_minor: int) -> None:
    """Commit `usd_minor` of each locked capacity to a limit."""
    for row in rows:
        row.committed_usd_minor += usd_minor


def give_back(rows: Sequence[Capacity], usd_minor: int) -> None:
    """Free `usd_minor` of each locked capacity (never below nothing: a row set up later took less)."""
    for row in rows:
        row.committed_usd_minor = max(0, row.committed_usd_minor - usd_minor)


def appetite_lines(session: Session, insurer_id: uuid.UUID, country: str, sector: str) -> list[AppetiteLine]:
    """The insurer's appetite on the country and the sector, each with the insurer's total there now."""
    rows = session.scalars(
        select(Appetite)
        .where(
            Appetite.insurer_id == insurer_id,
            or_(
                and_(Appetite.kind == AppetiteKind.COUNTRY, Appetite.key == country),
                and_(Appetite.kind == AppetiteKind.SECTOR, Appetite.key == sector),
            ),
        )
        # The insurer's appetite applies to its policyholders' requests; they never see it as such.
        .execution_options(tenant_exempt=True)
    ).all()
    lines = []
    for row in rows:
        committed = 0
        if row.max_total_usd_minor is not None:
            scope = CapacityScope.COUNTRY if row.kind is AppetiteKind.COUNTRY else CapacityScope.SECTOR
            committed = committed_now(session, insurer_id, scope, row.key)
        lines.append(
            AppetiteLine(row.kind, row.key, row.action, row.max_total_usd, Money.from_minor(committed, "USD"))
        )
    return lines
