"""An insurer admin's appetite rules and capacities as editable data: listed, added, changed, removed.

Only the insurer's own admins (and the platform's operator) see and edit its lines: every query is
filtered by the acting insurer, so another organisation's line (or a pool's) is not found; the insurer's
other staff are refused. A capacity is never set below what the insurer's
limits already take of it; the row is locked while it is changed, so a limit decided at the same time
either finishes first (and counts) or waits. Each change writes an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.limits.capacity import checked_key, committed_now, usd_amount_minor
from tradecover.limits.model import Appetite, Capacity
from tradecover.limits.rules import AppetiteAction, AppetiteKind, CapacityScope
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role

E = TypeVar("E", AppetiteKind, AppetiteAction, CapacityScope)


def _insurer_id(actor: Actor) -> uuid.UUID:
    actor.require(Role.INSURER_ADMIN)
    if actor.organisation_id is None or actor.organisation_kind is not OrganisationKind.INSURER:
        raise PermissionDenied("only an insurer's admins keep its appetite and capacity")
    return actor.organisation_id


def _found_by(actor: Actor, insurer_id: uuid.UUID) -> bool:
    """Whether the actor may find a line of this insurer: its own admins and the platform's operator."""
    return actor.is_platform_admin or (actor.organisation_id == insurer_id and actor.has(Role.INSURER_ADMIN))


def _enum(kind: type[E], value: E | str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise ValidationError(f"{str(value)!r} is not one of {choices}", field=field) from None


def _audit(
    actor: Actor, session: Session, action: str, row: Appetite | Capacity, details: dict[str, object]
) -> None:
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=row.insurer_id,
        action=action,
        object_type=type(row).__name__,
        object_id=row.id,
        details=details,
    )


def _appetite_details(line: Appetite) -> dict[str, object]:
    return {
        "kind": line.kind.value,
        "key": line.key,
        "action": line.action.value,
        "max_total_usd_minor": line.max_total_usd_minor,
    }


# appetite ---------------------------------------------------------------------------------------------
def list_appetite(session: Session, actor: Actor) -> Sequence[Appetite]:
    """The acting insurer's appetite rules: countries, then sectors, by key."""
    insurer_id = _insurer_id(actor)
    return session.scalars(
        select(Appetite)
        .where(Appetite.insurer_id == insurer_id)
        .order_by(Appetite.kind, Appetite.key, Appetite.id)
    ).all()


def get_appetite(session: Session, actor: Actor, appetite_id: uuid.UUID) -> Appetite:
    """One of the acting insurer's appetite rules (any, for the operator); another's is not found."""
    line = session.scalars(select(Appetite).where(Appetite.id == appetite_id)).first()
    if line is None or not _found_by(actor, line.insurer_id):
        raise NotFound(f"no such appetite rule: {appetite_id}", field="appetite_id")
    return line


def add_appetite(
    session: Session,
    actor: Actor,
    kind: AppetiteKind | str,
    key: str,
    action: AppetiteAction | str,
    max_total: Money | None = None,
) -> Appetite:
    """Add a rule: refer or decline requests in a country or sector, all of them or past a total (USD)."""
    insurer_id = _insurer_id(actor)
    kind = _enum(AppetiteKind, kind, "kind")
    action = _enum(AppetiteAction, action, "action")
    key = checked_key(kind, key)
    max_minor = None if max_total is None else usd_amount_minor(max_total, "max_total")
    taken = session.scalars(
        select(Appetite.id).where(
            Appetite.insurer_id == insurer_id, Appetite.kind == kind, Appetite.key == key
        )
    ).first()
    if taken is not None:
        raise Conflict(f"there is already a rule for the {kind.value} {key}; change it instead", field="key")
    line = Appetite(insurer_id=insurer_id, kind=kind, key=key, action=action, max_total_usd_minor=max_minor)
    session.add(line)
    session.flush()
    _audit(actor, session, "appetite.added", line, _appetite_details(line))
    return line


def change_appetite(
    session: Session,
    actor: Actor,
    appetite_id: uuid.UUID,
    action: AppetiteAction | str,
    max_total: Money | None = None,
) -> Appetite:
    """Change what a rule does and past which total (None: every request there); kind and key stay."""
    line = get_appetite(session, actor, appetite_id)
    before = _appetite_details(line)
    line.action = _enum(AppetiteAction, action, "action")
    line.max_total_usd_minor = None if max_total is None else usd_amount_minor(max_total, "max_total")
    session.flush()
    _audit(actor, session, "appetite.changed", line, {"before": before, "after": _appetite_details(line)})
    return line


def remove_appetite(session: Session, actor: Actor, appetite_id: uuid.UUID) -> None:
    """Remove a rule: requests there are decided by the other rules again."""
    line = get_appetite(session, actor, appetite_id)
    _audit(actor, session, "appetite.removed", line, _appetite_details(line))
    session.delete(line)
    session.flush()


# capacity ---------------------------------------------------------------------------------------------
def list_capacities(session: Session, actor: Actor) -> Sequence[Capacity]:
    """The acting insurer's capacities: the total, then countries and sectors by key."""
    insurer_id = _insurer_id(actor)
    rows = session.scalars(select(Capacity).where(Capacity.insurer_id == insurer_id)).all()
    return sorted(rows, key=lambda row: (row.scope is not CapacityScope.TOTAL, row.scope.value, row.key))


def get_capacity(session: Session, actor: Actor, capacity_id: uuid.UUID, *, lock: bool = False) -> Capacity:
    """One of the acting insurer's capacities (any, for the operator; locked until commit when asked);
    another insurer's is not found."""
    query = select(Capacity).where(Capacity.id == capacity_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    capacity = session.scalars(query).first()
    if capacity is None or not _found_by(actor, capacity.insurer_id):
        raise NotFound(f"no such capacity: {capacity_id}", field="capacity_id")
    return capacity


def _at_least_committed(amount_minor: int, committed_minor: int) -> None:
    if amount_minor < committed_minor:
        held = Money.from_minor(committed_minor, "USD")
        raise ValidationError(
            f"must be at least {held.amount:,.2f} USD, what limits already take of it", field="amount"
        )


def add_capacity(
    session: Session, actor: Actor, scope: CapacityScope | str, key: str, amount: Money
) -> Capacity:
    """Add a capacity (USD) in total, in a country or a sector; it counts the limits already held there."""
    insurer_id = _insurer_id(actor)
    scope = _enum(CapacityScope, scope, "scope")
    key = checked_key(scope, key)
    amount_minor = usd_amount_minor(amount, "amount")
    taken = session.scalars(
        select(Capacity.id).where(
            Capacity.insurer_id == insurer_id, Capacity.scope == scope, Capacity.key == key
        )
    ).first()
    if taken is not None:
        where = "in total" if scope is CapacityScope.TOTAL else f"for the {scope.value} {key}"
        raise Conflict(f"there is already a capacity {where}; change it instead", field="key")
    committed = committed_now(session, insurer_id, scope, key)
    _at_least_committed(amount_minor, committed)
    capacity = Capacity(
        insurer_id=insurer_id,
        scope=scope,
        key=key,
        amount_usd_minor=amount_minor,
        committed_usd_minor=committed,
    )
    session.add(capacity)
    session.flush()
    _audit(
        actor,
        session,
        "capacity.added",
        capacity,
        {
            "scope": scope.value,
            "key": key,
            "amount_usd_minor": amount_minor,
            "committed_usd_minor": committed,
        },
    )
    return capacity


def change_capacity(session: Session, actor: Actor, capacity_id: uuid.UUID, amount: Money) -> Capacity:
    """Change a capacity's amount (USD), never below what limits already take of it."""
    amount_minor = usd_amount_minor(amount, "amount")
    capacity = get_capacity(session, actor, capacity_id, lock=True)
    _at_least_committed(amount_minor, capacity.committed_usd_minor)
    before = capacity.amount_usd_minor
    capacity.amount_usd_minor = amount_minor
    session.flush()
    _audit(
        actor,
        session,
        "capacity.changed",
        capacity,
        {
            "scope": capacity.scope.value,
            "key": capacity.key,
            "amount_usd_minor_before": before,
            "amount_usd_minor": amount_minor,
        },
    )
    return capacity


def remove_capacity(session: Session, actor: Actor, capacity_id: uuid.UUID) -> None:
    """Remove a capacity: limits are no longer capped there (the others still apply)."""
    capacity = get_capacity(session, actor, capacity_id, lock=True)
    _audit(
        actor,
        session,
        "capacity.removed",
        capacity,
        {
            "scope": capacity.scope.value,
            "key": capacity.key,
            "amount_usd_minor": capacity.amount_usd_minor,
            "committed_usd_minor": capacity.committed_usd_minor,
        },
    )
    session.delete(capacity)
    session.flush()
