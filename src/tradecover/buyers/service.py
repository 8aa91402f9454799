"""Use cases for the buyer registry: register one buyer, register many at once, find and search buyers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, insert, select, tuple_
from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent
from tradecover.audit.service import record
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.rules import (
    BEST_GRADE,
    DEFAULTED_GRADE,
    MAX_CITY_LENGTH,
    check_grade,
    normalise_name,
    normalise_registration_number,
)
from tradecover.clock import utcnow
from tradecover.errors import Conflict, DomainError, NotFound, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.reference.countries import get_country
from tradecover.reference.sectors import get_sector

MAX_SEARCH_RESULTS = 500
MAX_PAGE_SIZE = 200
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
    query = _filtered(
        select(Buyer), BuyerSearch(name=name, country=country, registration_number=registration_number)
    )
    return session.scalars(query.order_by(Buyer.name, Buyer.country, Buyer.id).limit(limit)).all()


@dataclass(frozen=True, slots=True)
class BuyerSearch:
    """What to look for in the registry; every criterion given must hold."""

    name: str | None = None
    country: str | None = None
    registration_number: str | None = None
    kind: BuyerKind | str | None = None
    grade_min: int | None = None
    grade_max: int | None = None


@dataclass(frozen=True, slots=True)
class BuyerPage:
    """One page of search results, with the number of buyers found in all."""

    items: Sequence[Buyer]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the whole result has (at least one)."""
        return max(1, -(-self.total // self.page_size))


def _filtered(query: Select[Buyer], search: BuyerSearch) -> Select[Buyer]:
    if search.name and search.name.strip():
        pattern = " ".join(search.name.split()).lower()
        pattern = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Buyer.name).like(f"%{pattern}%", escape="\\"))
    if search.country and search.country.strip():
        query = query.where(Buyer.country == search.country.strip().upper())
    if search.registration_number and search.registration_number.strip():
        number = normalise_registration_number(search.registration_number)
        query = query.where(Buyer.registration_number == number)
    if search.kind:
        query = query.where(Buyer.kind == _checked_kind(search.kind))
    low = BEST_GRADE if search.grade_min is None else check_grade(search.grade_min)
    high = DEFAULTED_GRADE if search.grade_max is None else check_grade(search.grade_max)
    if low > high:
        raise ValidationError(f"the lowest grade {low} is above the highest {high}", field="grade_min")
    if (low, high) != (BEST_GRADE, DEFAULTED_GRADE):
        query = query.where(Buyer.grade.between(low, high))
    return query


def search_buyers(session: Session, search: BuyerSearch, *, page: int = 1, page_size: int = 50) -> BuyerPage:
    """One page of the buyers that match, by name; the registry is shared, so anyone may search it."""
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValidationError("must be a whole number from 1", field="page")
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"must be a whole number from 1 to {MAX_PAGE_SIZE}", field="page_size")
    query = _filtered(select(Buyer), search)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(
        query.order_by(Buyer.name, Buyer.country, Buyer.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return BuyerPage(items, total, page, page_size)


def get_buyer(session: Session, buyer_id: uuid.UUID, *, for_update: bool = False) -> Buyer:
    """One buyer of the shared registry; NotFound when there is none with that id."""
    query = select(Buyer).where(Buyer.id == buyer_id)
    if for_update:
        # Serialises concurrent regrades of one buyer on PostgreSQL (SQLite writes are serial already).
        query = query.with_for_update()
    buyer = session.scalars(query).first()
    if buyer is None:
        raise NotFound(f"no such buyer: {buyer_id}", field="buyer_id")
    return buyer
