"""Use cases for organisations, users, sign-in and API keys."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import utcnow
from tradecover.errors import AuthenticationRequired, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import ApiKey, Organisation, User, UserRole
from tradecover.parties.passwords import (
    api_key_matches,
    check_password_strength,
    hash_password,
    new_api_key,
    parse_api_key_prefix,
    verify_password,
)
from tradecover.parties.roles import ROLE_TITLES, ROLES_BY_KIND, OrganisationKind, Role
from tradecover.reference.countries import country_name

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _audit(session: Session, actor: Actor, action: str, obj: Organisation | User | ApiKey) -> None:
    owner = obj.id if isinstance(obj, Organisation) else obj.organisation_id
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        subject_organisation_id=owner,
    )


def actor_for(user: User) -> Actor:
    """The actor a signed-in user acts as."""
    return Actor(
        user_id=user.id,
        organisation_id=user.organisation_id,
        organisation_kind=user.organisation.kind,
        roles=user.roles,
    )


# organisations ---------------------------------------------------------------------------------
def create_organisation(
    session: Session,
    actor: Actor,
    *,
    name: str,
    kind: OrganisationKind,
    country: str,
    region: str | None = None,
    registration_number: str | None = None,
    is_sme: bool | None = None,
    prior_year_exports: Money | None = None,
    sector: str | None = None,
) -> Organisation:
    """Register an organisation (platform admin only)."""
    actor.require(Role.PLATFORM_ADMIN)
    if kind is OrganisationKind.POOL:
        # A pool exists only with its members and shares: coinsurance.service.create_pool makes it.
        raise ValidationError("a coinsurance pool is created with its members and shares", field="kind")
    name = name.strip()
    if not name:
        raise ValidationError("must not be empty", field="name")
    country = country.strip().upper()
    country_name(country)
    if prior_year_exports is not None:
        if prior_year_exports.currency != "USD":
            raise ValidationError("prior-year exports are stated in USD", field="prior_year_exports")
        if prior_year_exports.is_negative:
            raise ValidationError("must not be negative", field="prior_year_exports")
    if registration_number:
        taken = session.scalar(
            select(Organisation.id).where(
                Organisation.country == country, Organisation.registration_number == registration_number
            )
        )
        if taken is not None:
            raise Conflict(
                f"an organisation with registration number {registration_number} in {country} exists",
                field="registration_number",
            )
    organisation = Organisation(
        name=name,
        kind=kind,
        country=country,
        region=region,
        registration_number=registration_number or None,
        is_sme=is_sme,
        prior_year_exports_usd_minor=prior_year_exports.minor_units if prior_year_exports else None,
        sector=sector,
    )
    session.add(organisation)
    session.flush()
    _audit(session, actor, "organisation.created", organisation)
    return organisation


def list_organisations(session: Session, actor: Actor) -> Sequence[Organisation]:
    """The organisations the actor may see (all for the operator, else its own)."""
    return session.scalars(select(Organisation).order_by(Organisation.name)).all()


def get_organisation(session: Session, actor: Actor, organisation_id: uuid.UUID) -> Organisation:
    """One organisation the actor may see; NotFound otherwise."""
    organisation = session.scalar(select(Organisation).where(Organisation.id == organisation_id))
    if organisation is None:
        raise NotFound("no such organisation")
    return organisation


# users -----------------------------------------------------------------------------------------
def _check_may_manage_users(actor: Actor, organisation: Organisation) -> None:
    if actor.is_platform_admin:
        return
    if actor.has(Role.INSURER_ADMIN) and actor.organisation_id == organisation.id:
        return
    raise PermissionDenied("only the platform admin or the organisation's admin manages its users")


def create_user(
    session: Session,
    actor: Actor,
    *,
    organisation_id: uuid.UUID,
    email: str,
    full_name: str,
    roles: Iterable[Role],
    password: str | None = None,
) -> User:
    """Add a user to an organisation with roles that organisation's kind allows."""
    organisation = get_organisation(session, actor, organisation_id)
    _check_may_manage_users(actor, organisation)
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError(f"{email!r} is not an e-mail address", field="email")
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError("must not be empty", field="full_name")
    wanted = frozenset(Role(r) for r in roles)
    if not wanted:
        raise ValidationError("a user needs at least one role", field="roles")
    allowed = ROLES_BY_KIND[organisation.kind]
    refused = sorted(ROLE_TITLES[r] for r in wanted - allowed)
    if refused:
        raise ValidationError(
            f"a {organisation.kind.value.replace('_', ' ')} cannot have the role(s) {', '.join(refused)}",
            field="roles",
        )
    if password is not None:
        check_password_strength(password)
    taken = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.email == email)
        .execution_options(tenant_exempt=True)
    )
    if taken:
        raise Conflict(f"a user with e-mail {email} exists", field="email")
    user = User(
        organisation_id=organisation.id,
        email=email,
        full_name=full_name,
        password_hash=hash_password(password) if password is not None else None,
        role_grants=[UserRole(role=role) for role in sorted(wanted)],
    )
    session.add(user)
    session.flush()
    _audit(session, actor, "user.created", user)
    return user


def list_users(session: Session, actor: Actor, organisation_id: uuid.UUID) -> Sequence[User]:
    """The users of an organisation the actor may see."""
    get_organisation(session, actor, organisation_id)
    return session.scalars(
        select(User).where(User.organisation_id == organisation_id).order_by(User.email)
    ).all()


def get_user(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    """One user the actor may see; NotFound otherwise."""
    user = session.scalar(select(User).where(User.id == user_id))
    if user is None:
        raise NotFound("no such user")
    return user


def actor_by_email(session: Session, email: str | None) -> Actor:
    """The actor a command acts as: the user with this e-mail, or the platform itself when none is named."""
    if email is None:
        return Actor.system()
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user has the e-mail {email!r}", field="as")
    return actor_for(user)


def set_password(session: Session, actor: Actor, user_id: uuid.UUID, password: str) -> User:
    """Set a user's password: the user itself or whoever may manage the organisation's users."""
    user = get_user(session, actor, user_id)
    if actor.user_id != user.id:
        _check_may_manage_users(actor, user.organisation)
    check_password_strength(password)
    user.password_hash = hash_password(password)
    _audit(session, actor, "user.password_set", user)
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The active user with this e-mail and password; AuthenticationRequired otherwise."""
    user = session.scalar(
        select(User).where(User.email == email.strip().lower()).execution_options(tenant_exempt=True)
    )
    ok, new_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active or not user.organisation.is_active:
        raise AuthenticationRequired("e-mail or password is wrong")
    if new_hash:
        user.password_hash = new_hash
    user.last_sign_in_at = utcnow()
    return user


def load_signed_in_user(session: Session, user_id: uuid.UUID) -> User | None:
    """The active user behind a web session, or None when it no longer may sign in."""
    user = session.scalar(select(User).where(User.id == user_id).execution_options(tenant_exempt=True))
    if user is None or not user.is_active or not user.organisation.is_active:
        return None
    return user


# API keys --------------------------------------------------------------------------------------
def issue_api_key(session: Session, actor: Actor, name: str) -> tuple[ApiKey, str]:
    """A new API key acting as the actor; the token is returned once and only its hash is kept."""
    if actor.user_id is None or actor.organisation_id is None:
        raise PermissionDenied("API keys belong to a user")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("give the key a name of 1 to 100 characters", field="name")
    token, prefix, secret_hash = new_api_key()
    key = ApiKey(
        organisation_id=actor.organisation_id,
        user_id=actor.user_id,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash,
    )
    session.add(key)
    session.flush()
    _audit(session, actor, "api_key.issued", key)
    return key, token


def list_api_keys(session: Session, actor: Actor) -> Sequence[ApiKey]:
    """The API keys of the actor's organisation."""
    query = select(ApiKey).order_by(ApiKey.created_at)
    if actor.organisation_id is not None:
        # The operator's session is unrestricted; its key list is still only its own organisation's.
        query = query.where(ApiKey.organisation_id == actor.organisation_id)
    return session.scalars(query).all()


def revoke_api_key(session: Session, actor: Actor, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key: its owner or the organisation's admin; it stops working at once."""
    key = session.scalar(select(ApiKey).where(ApiKey.id == key_id))
    if key is None:
        raise NotFound("no such API key")
    if key.user_id != actor.user_id and not actor.is_platform_admin:
        _check_may_manage_users(actor, key.user.organisation)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        _audit(session, actor, "api_key.revoked", key)
    return key


LAST_USED_PRECISION = dt.timedelta(minutes=1)


def authenticate_api_key(session: Session, token: str) -> Actor:
    """The actor behind a presented API key; AuthenticationRequired when unknown or revoked."""
    prefix = parse_api_key_prefix(token)
    key = (
        session.scalar(select(ApiKey).where(ApiKey.prefix == prefix).execution_options(tenant_exempt=True))
        if prefix
        else None
    )
    if key is None or not api_key_matches(token, key.secret_hash) or key.revoked_at is not None:
        raise AuthenticationRequired("the API key is unknown or revoked")
    user = key.user
    if not user.is_active or not user.organisation.is_active:
        raise AuthenticationRequired("the API key's user is deactivated")
    now = utcnow()
    # Recorded to the minute: a key in steady use would otherwise write its row on every request.
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        key.last_used_at = now
    return actor_for(user)
