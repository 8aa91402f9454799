"""Organisations, users, sign-in and API keys through the parties services, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent
from tradecover.clock import FixedClock, set_clock
from tradecover.db.tenancy import set_tenant
from tradecover.errors import AuthenticationRequired, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties import service
from tradecover.parties.actor import Actor
from tradecover.parties.model import ApiKey, Organisation, User
from tradecover.parties.roles import OrganisationKind, Role

SYSTEM = Actor.system()
PASSWORD = "correct horse battery"


def _exporter(db: Session, name: str = "Yiwu Lanterns Co") -> Organisation:
    return service.create_organisation(
        db,
        SYSTEM,
        name=name,
        kind=OrganisationKind.POLICYHOLDER,
        country="cn",
        region="Yiwu",
        is_sme=True,
        prior_year_exports=Money.of("3500000.00", "USD"),
    )


def _user(db: Session, org: Organisation, email: str, role: Role = Role.POLICYHOLDER) -> User:
    return service.create_user(
        db, SYSTEM, organisation_id=org.id, email=email, full_name="Li Na", roles=[role], password=PASSWORD
    )


def test_an_organisation_keeps_its_policyholder_facts_and_is_audited(db: Session) -> None:
    org = _exporter(db)
    assert org.country == "CN"
    assert org.prior_year_exports_usd_minor == 350_000_000
    events = db.scalars(select(AuditEvent).where(AuditEvent.object_id == str(org.id))).all()
    assert [e.action for e in events] == ["organisation.created"]


def test_only_the_platform_admin_creates_organisations(db: Session) -> None:
    org = _exporter(db)
    user = _user(db, org, "li@yiwu-lanterns.cn")
    with pytest.raises(PermissionDenied):
        service.create_organisation(
            db, service.actor_for(user), name="X", kind=OrganisationKind.BANK, country="CN"
        )


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("country", {"country": "ZZ"}),
        ("name", {"name": "  "}),
        ("prior_year_exports", {"prior_year_exports": Money.of("1", "CNY")}),
    ],
)
def test_bad_organisation_input_names_the_field(db: Session, field: str, kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"name": "Acme", "kind": OrganisationKind.POLICYHOLDER, "country": "CN"}
    args.update(kwargs)
    with pytest.raises(ValidationError) as raised:
        service.create_organisation(db, SYSTEM, **args)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert db.scalars(select(Organisation)).all() == []


def test_a_duplicate_registration_number_in_a_country_is_refused(db: Session) -> None:
    def register(name: str) -> Organisation:
        return service.create_organisation(
            db, SYSTEM, name=name, kind=OrganisationKind.BANK, country="CN", registration_number="91330"
        )

    register("First Bank")
    with pytest.raises(Conflict) as raised:
        register("Second Bank")
    assert raised.value.field == "registration_number"


def test_a_user_gets_only_roles_its_organisation_kind_allows(db: Session) -> None:
    org = _exporter(db)
    with pytest.raises(ValidationError) as raised:
        _user(db, org, "uw@yiwu-lanterns.cn", Role.UNDERWRITER)
    assert raised.value.field == "roles"
    assert "Underwriter" in raised.value.message
    assert db.scalars(select(User)).all() == []


def test_e_mail_addresses_are_unique_whatever_the_case(db: Session) -> None:
    org = _exporter(db)
    _user(db, org, "li@yiwu-lanterns.cn")
    with pytest.raises(Conflict):
        _user(db, org, "LI@Yiwu-Lanterns.cn")


def test_sign_in_accepts_the_right_password_only(db: Session) -> None:
    org = _exporter(db)
    user = _user(db, org, "li@yiwu-lanterns.cn")
    assert service.authenticate(db, " LI@yiwu-lanterns.cn", PASSWORD).id == user.id
    assert user.last_sign_in_at is not None
    for email, password in [("li@yiwu-lanterns.cn", "wrong password"), ("nobody@x.cn", PASSWORD)]:
        with pytest.raises(AuthenticationRequired):
            service.authenticate(db, email, password)


def test_a_deactivated_user_cannot_sign_in(db: Session) -> None:
    org = _exporter(db)
    user = _user(db, org, "li@yiwu-lanterns.cn")
    user.is_active = False
    with pytest.raises(AuthenticationRequired):
        service.authenticate(db, "li@yiwu-lanterns.cn", PASSWORD)


def test_a_short_password_is_refused(db: Session) -> None:
    org = _exporter(db)
    with pytest.raises(ValidationError) as raised:
        service.create_user(
            db,
            SYSTEM,
            organisation_id=org.id,
            email="a@b.cn",
            full_name="A",
            roles=[Role.POLICYHOLDER],
            password="short",
        )
    assert raised.value.field == "password"


def test_an_api_key_is_shown_once_stored_hashed_and_stops_working_when_revoked(db: Session) -> None:
    org = _exporter(db)
    actor = service.actor_for(_user(db, org, "li@yiwu-lanterns.cn"))
    key, token = service.issue_api_key(db, actor, "ERP integration")
    assert token.startswith(f"tc_{key.prefix}_")
    assert token not in key.secret_hash
    assert len(key.secret_hash) == 64
    assert service.authenticate_api_key(db, token) == actor
    service.revoke_api_key(db, actor, key.id)
    with pytest.raises(AuthenticationRequired):
        service.authenticate_api_key(db, token)


@pytest.mark.parametrize("token", ["", "tc_short_x", "Bearer nonsense", "tc_abcdefgh_" + "x" * 43])
def test_malformed_or_unknown_api_keys_are_refused(db: Session, token: str) -> None:
    with pytest.raises(AuthenticationRequired):
        service.authenticate_api_key(db, token)


def test_an_api_keys_last_use_is_written_at_most_once_a_minute(db: Session) -> None:
    start = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)
    clock = FixedClock(start)
    previous = set_clock(clock)
    try:
        actor = service.actor_for(_user(db, _exporter(db), "li@yiwu-lanterns.cn"))
        key, token = service.issue_api_key(db, actor, "ERP integration")
        assert key.last_used_at is None
        service.authenticate_api_key(db, token)
        assert key.last_used_at == start
        clock.advance(dt.timedelta(seconds=59))
        service.authenticate_api_key(db, token)
        assert key.last_used_at == start
        clock.advance(dt.timedelta(seconds=1))
        service.authenticate_api_key(db, token)
        assert key.last_used_at == start + dt.timedelta(minutes=1)
    finally:
        set_clock(previous)


def test_another_organisations_users_and_keys_are_not_found(db: Session) -> None:
    mine, theirs = _exporter(db, "Mine"), _exporter(db, "Theirs")
    me = service.actor_for(_user(db, mine, "me@mine.cn"))
    stranger = _user(db, theirs, "them@theirs.cn")
    their_key, _ = service.issue_api_key(db, service.actor_for(stranger), "theirs")
    set_tenant(db, me.tenant)
    with pytest.raises(NotFound):
        service.get_organisation(db, me, theirs.id)
    with pytest.raises(NotFound):
        service.get_user(db, me, stranger.id)
    with pytest.raises(NotFound):
        service.revoke_api_key(db, me, their_key.id)
    assert [o.name for o in service.list_organisations(db, me)] == ["Mine"]
    assert db.scalars(select(ApiKey)).all() == []
