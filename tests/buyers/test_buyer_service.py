"""Registering and finding buyers, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.service import BuyerRegistration, find_buyers, register_buyer, register_buyers
from tradecover.errors import Conflict, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user

SYSTEM = Actor.system()


def _row(number: str = "12-3456789", **changes: object) -> BuyerRegistration:
    values: dict[str, object] = {
        "name": "Bluewater Retail Inc.",
        "country": "US",
        "registration_number": number,
        "kind": BuyerKind.COMPANY,
        "sector": "retail_wholesale",
        "grade": 4,
        "city": "Newark",
        "annual_sales": Money.of("45000000", "USD"),
    }
    values.update(changes)
    return BuyerRegistration(**values)  # type: ignore[arg-type]


def _register(db: Session, actor: Actor = SYSTEM, **changes: object) -> Buyer:
    row = _row(**changes)  # type: ignore[arg-type]
    return register_buyer(
        db,
        actor,
        name=row.name,
        country=row.country,
        registration_number=row.registration_number,
        kind=row.kind,
        sector=row.sector,
        grade=row.grade,
        city=row.city,
        annual_sales=row.annual_sales,
    )


def _buyer_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Buyer)) or 0


def _member_of(db: Session, kind: OrganisationKind, role: Role) -> Actor:
    organisation = create_organisation(db, SYSTEM, name=f"{kind} {uuid.uuid4()}", kind=kind, country="CN")
    user = create_user(
        db,
        SYSTEM,
        organisation_id=organisation.id,
        email=f"{uuid.uuid4().hex}@example.org",
        full_name="A Person",
        roles=[role],
    )
    return actor_for(user)


def test_a_registered_buyer_is_stored_in_normal_form_and_audited(db: Session) -> None:
    buyer = _register(db, name="  Bluewater  Retail Inc. ", country="us", registration_number=" 12-3456789 ")
    stored = db.get(Buyer, buyer.id)
    assert stored is not None
    assert (stored.name, stored.country, stored.registration_number) == (
        "Bluewater Retail Inc.",
        "US",
        "12-3456789",
    )
    assert (stored.kind, stored.sector, stored.grade, stored.city) == (
        BuyerKind.COMPANY,
        "retail_wholesale",
        4,
        "Newark",
    )
    assert stored.annual_sales_usd_minor == 4_500_000_000
    db.flush()
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(buyer.id))).all()
    assert actions == ["buyer.registered"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"sector": "astrology"}, "sector"),
        ({"grade": 0}, "grade"),
        ({"grade": 11}, "grade"),
        ({"kind": "charity"}, "kind"),
        ({"registration_number": "#1"}, "registration_number"),
        ({"name": " "}, "name"),
        ({"annual_sales": Money.of("100", "EUR")}, "annual_sales"),
        ({"annual_sales": Money.of("-1", "USD")}, "annual_sales"),
    ],
)
def test_a_buyer_with_a_bad_field_is_refused_naming_the_field(
    db: Session, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _register(db, **changes)
    assert refused.value.field == field
    assert _buyer_count(db) == 0


def test_a_second_buyer_with_the_same_country_and_registration_number_is_a_conflict(db: Session) -> None:
    _register(db, registration_number="HRB 123456", country="DE")
    with pytest.raises(Conflict) as refused:
        _register(db, registration_number=" hrb  123456", country="de", name="Another GmbH")
    assert refused.value.field == "registration_number"
    assert _buyer_count(db) == 1


def test_the_same_registration_number_in_another_country_is_another_buyer(db: Session) -> None:
    _register(db, registration_number="12345678", country="NL")
    _register(db, registration_number="12345678", country="GB")
    assert _buyer_count(db) == 2


def test_a_policyholder_may_register_a_buyer_but_a_bank_officer_may_not(db: Session) -> None:
    policyholder = _member_of(db, OrganisationKind.POLICYHOLDER, Role.POLICYHOLDER)
    buyer = _register(db, policyholder)
    db.flush()
    event = db.scalars(select(AuditEvent).where(AuditEvent.object_id == str(buyer.id))).one()
    assert event.actor_user_id == policyholder.user_id
    bank = _member_of(db, OrganisationKind.BANK, Role.BANK_OFFICER)
    with pytest.raises(PermissionDenied):
        _register(db, bank, registration_number="98-7654321")


def test_buyers_registered_in_bulk_are_all_stored_and_audited(db: Session) -> None:
    rows = [_row(f"{i:02d}-{i:07d}", name=f"Importer {i} Inc.") for i in range(1, 301)]
    ids = register_buyers(db, SYSTEM, rows)
    assert len(ids) == len(set(ids)) == 300
    assert _buyer_count(db) == 300
    audited = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "buyer.registered")
    )
    assert audited == 300
    assert db.get(Buyer, ids[41]) is not None


def test_one_bad_row_in_a_bulk_registration_registers_nothing_and_names_the_row(db: Session) -> None:
    rows = [_row("11-1111111"), _row("22-2222222", grade=12), _row("33-3333333")]
    with pytest.raises(ValidationError) as refused:
        register_buyers(db, SYSTEM, rows)
    assert refused.value.field == "grade"
    assert refused.value.message.startswith("row 2: ")
    assert _buyer_count(db) == 0


def test_a_bulk_registration_repeating_a_buyer_is_a_conflict(db: Session) -> None:
    with pytest.raises(Conflict, match="row 2"):
        register_buyers(db, SYSTEM, [_row("11-1111111"), _row(" 11-1111111 ")])
    assert _buyer_count(db) == 0


def test_a_bulk_registration_of_an_already_registered_buyer_is_a_conflict(db: Session) -> None:
    _register(db, registration_number="22-2222222")
    with pytest.raises(Conflict, match="22-2222222"):
        register_buyers(db, SYSTEM, [_row("11-1111111"), _row("22-2222222")])
    assert _buyer_count(db) == 1


def test_an_empty_bulk_registration_registers_nothing(db: Session) -> None:
    assert register_buyers(db, SYSTEM, []) == []


def test_buyers_are_found_by_part_of_the_name_country_or_registration_number(db: Session) -> None:
    register_buyers(
        db,
        SYSTEM,
        [
            _row("11-1111111", name="Bluewater Retail Inc."),
            _row("22-2222222", name="Summit Electronics LLC", sector="electronics"),
            _row("HRB 1", name="Rhein Retail GmbH", country="DE"),
            _row("33-3333333", name="100% Natural Foods Inc.", sector="agri_food"),
        ],
    )
    assert [b.name for b in find_buyers(db, name="RETAIL")] == ["Bluewater Retail Inc.", "Rhein Retail GmbH"]
    assert [b.name for b in find_buyers(db, name="retail", country="de")] == ["Rhein Retail GmbH"]
    assert [b.name for b in find_buyers(db, registration_number=" hrb 1")] == ["Rhein Retail GmbH"]
    assert [b.name for b in find_buyers(db, name="100%")] == ["100% Natural Foods Inc."]
    assert [b.name for b in find_buyers(db, name="0% n")] == ["100% Natural Foods Inc."]
    assert len(find_buyers(db, limit=2)) == 2
    assert len(find_buyers(db)) == 4


def test_a_search_limit_outside_its_range_is_refused(db: Session) -> None:
    with pytest.raises(ValidationError) as refused:
        find_buyers(db, limit=0)
    assert refused.value.field == "limit"
