"""Use cases for the buyer registry: register one buyer, register many at once, find buyers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent
from tradecover.audit.service import record
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.rules import (
    MAX_CITY_LENGTH,
    check_grade,
    normalise_name,
    normalise_registration_number,
)
from tradecover.clock import utcnow
from tradecover.errors import Conflict, DomainError, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.reference.countries import get_country
from tradecover.reference.sectors import get_sector

MAX_SEARCH_RESULTS = 500
# Keeps each IN list well under the bound-parameter limits of both databases.
_LOOKUP_CHUNK = 400

MAY_REGISTER_BUYERS = (Role.POLICYHOLDER, Role.UNDERWRITER, Role.INSURER_ADMIN, Role.PLATFORM_ADMIN)


@dataclass(frozen=True, slots=True)
class BuyerRegistration:
    """One buyer to register, as given (before normalisation and checks)."""

    name: str
    country: str
    registration_number: str
    kind: BuyerKind | str
    sector: str
    grade: int
    city: str | None = None
    annual_sales: Money | None = None


def _prefixed(error: DomainError, prefix: str) -> ValidationError:
    return ValidationError(f"{prefix}{error.message}", field=error.field)


def _checked_country(code: str) -> str:
    code = code.strip().upper()
    try:
        return get_country(code).code
    except DomainError as error:
        raise ValidationError(error.message, field="country") from None


def _checked_sector(code: str) -> str:
    code = code.strip().lower()
    try:
        return get_sector(code).code
    except DomainError as error:
        raise ValidationError(error.message, field="sector") from None


def _checked_kind(kind: BuyerKind | str) -> BuyerKind:
    try:
        return BuyerKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in BuyerKind)
        raise ValidationError(f"{kind!r} is not one of {allowed}", field="kind") from None


def _annual_sales_minor(annual_sales: Money | None) -> int | None:
    if annual_sales is None:
        return None
    if annual_sales.currency != "USD":
        raise ValidationError("annual sales are stated in USD", field="annual_sales")
    if annual_sales.is_negative:
        raise ValidationError("must not be negative", field="annual_sales")
    return annual_sales.minor_units


def _checked_row(row: BuyerRegistration, buyer_id: uuid.UUID) -> dict[str, object]:
    city = normalise_name(row.city, field="city", max_length=MAX_CITY_LENGTH) if row.city else None
    return {
        "id": buyer_id,
        "name": normalise_name(row.name),
        "country": _checked_country(row.country),
        "registration_number": normalise_registration_number(row.registration_number),
        "kind": _checked_kind(row.kind),
        "sector": _checked_sector(row.sector),
        "grade": check_grade(row.grade),
        "city": city,
        "annual_sales_usd_minor": _annual_sales_minor(row.annual_sales),
    }


def _registered_keys(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start : start + _LOOKUP_CHUNK]
        rows = session.execute(
            select(Buyer.country, Buyer.registration_number).where(
                tuple_(Buyer.country, Buyer.registration_number).in_(chunk)
            )
        ).all()
        found.update((country, number) for country, number in rows)
    return found


def _duplicate_conflict(country: str, registration_number: str, prefix: str = "") -> Conflict:
    return Conflict(
        f"{prefix}a buyer with registration number {registration_number} in {country} is registered",
        field="registration_number",
    )


def register_buyer(
    session: Session,
    actor: Actor,
    *,
    name: str,
    country: str,
    registration_number: str,
    kind: BuyerKind | str,
    sector: str,
    grade: int,
    city: str | None = None,
    annual_sales: Money | None = None,
) -> Buyer:
    """Add a buyer to the shared registry; Conflict when its country and registration number are taken."""
    actor.require(*MAY_REGISTER_BUYERS)
    values = _checked_row(
        BuyerRegistration(name, country, registration_number, kind, sector, grade, city, annual_sales),
        uuid.uuid4(),
    )
    key = (str(values["country"]), str(values["registration_number"]))
    if _registered_keys(session, [key]):
        raise _duplicate_conflict(*key)
    buyer = Buyer(**values)
    session.add(buyer)
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="buyer.registered",
        object_type="Buyer",
        object_id=buyer.id,
    )
    return buyer


def register_buyers(session: Session, actor: Actor, rows: Iterable[BuyerRegistration]) -> list[uuid.UUID]:
    """Register many buyers at once: every row is checked first, then all are inserted, or none."""
    actor.require(*MAY_REGISTER_BUYERS)
    checked: list[dict[str, object]] = []
    ids: list[uuid.UUID] = []
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(rows, start=1):
        prefix = f"row {number}: "
        buyer_id = uuid.uuid4()
        try:
            values = _checked_row(row, buyer_id)
        except ValidationError as error:
            raise _prefixed(error, prefix) from None
        key = (str(values["country"]), str(values["registration_number"]))
        if key in seen:
            raise Conflict(
                f"{prefix}registration number {key[1]} in {key[0]} appears twice", field="registration_number"
            )
        seen.add(key)
        checked.append(values)
        ids.append(buyer_id)
    taken = _registered_keys(session, sorted(seen))
    if taken:
        first = min(taken)
        raise _duplicate_conflict(*first, prefix=f"{len(taken)} buyer(s) already registered, e.g. ")
    if not checked:
        return []
    now = utcnow()
    session.execute(insert(Buyer), [{**values, "created_at": now} for values in checked])
    session.execute(
        insert(AuditEvent),
        [
            {
                "at": now,
                "actor_user_id": actor.user_id,
                "actor_organisation_id": actor.organisation_id,
                "subject_organisation_id": None,
                "action": "buyer.registered",
                "object_type": "Buyer",
                "object_id": str(buyer_id),
                "details": {},
            }
            for buyer_id in ids
        ],
    )
    return ids


def find_buyers(
    session: Session,
    *,
    name: str | None = None,
    country: str | None = None,
    registration_number: str | None = None,
    limit: int = 50,
) -> Sequence[Buyer]:
    """Buyers whose name contains `name` (any case), in `country`, with `registration_number`; by name."""
    if not 1 <= limit <= MAX_SEARCH_RESULTS:
        raise ValidationError(f"must be from 1 to {MAX_SEARCH_RESULTS}", field="limit")
    query = select(Buyer)
    if name and name.strip():
        pattern = " ".join(name.split()).lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Buyer.name).like(f"%{pattern}%", escape="\\"))
    if country:
        query = query.where(Buyer.country == country.strip().upper())
    if registration_number:
        query = query.where(Buyer.registration_number == normalise_registration_number(registration_number))
    return session.scalars(query.order_by(Buyer.name, Buyer.country, Buyer.id).limit(limit)).all()
