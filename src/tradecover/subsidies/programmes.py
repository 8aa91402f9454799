"""A programme officer's use cases: define a programme, change it, set its yearly budgets, read them.

Everything is checked before anything changes, and every refusal names its field, so a refused form
leaves the programme as it was.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import utcnow
from tradecover.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money, minor_unit_exponent
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.policies.model import Product
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.budgets import lock_budget
from tradecover.subsidies.model import ProgrammeBudget, SubsidyProgramme
from tradecover.subsidies.rules import Mode, ProgrammeKind, check_rules, check_tiers, money_text

MAY_RUN_PROGRAMMES = (Role.PROGRAMME_OFFICER, Role.PLATFORM_ADMIN)
MAX_NAME = 200
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class ProgrammeDraft:
    """What an officer submits for a new or changed programme (rules and tiers as plain data)."""

    name: str
    currency: str
    product_kinds: Sequence[str]
    tiers: Sequence[Mapping[str, Any]]
    mode: str
    starts_on: dt.date
    ends_on: dt.date
    rules: Sequence[Mapping[str, Any]] = field(default_factory=list)
    cap: Money | None = None
    region: str | None = None
    description: str = ""
    kind: str = ProgrammeKind.PREMIUM.value
    enrolment_required: bool = False
    platform_product_id: uuid.UUID | None = None
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class _Checked:
    name: str
    description: str
    region: str | None
    kind: ProgrammeKind
    currency: str
    product_kinds: list[str]
    rules: list[dict[str, str]]
    tiers: list[dict[str, str | None]]
    cap_minor: int | None
    mode: Mode
    enrolment_required: bool
    starts_on: dt.date
    ends_on: dt.date
    platform_product_id: uuid.UUID | None
    is_active: bool


def _sponsor(session: Session, actor: Actor, sponsor_id: uuid.UUID | None) -> uuid.UUID:
    actor.require(*MAY_RUN_PROGRAMMES)
    if not actor.is_platform_admin:
        if sponsor_id is not None and sponsor_id != actor.organisation_id:
            raise PermissionDenied("an officer runs its own body's programmes only")
        assert actor.organisation_id is not None
        return actor.organisation_id
    if sponsor_id is None:
        raise ValidationError("name the programme body that sponsors the programme", field="sponsor_id")
    body = session.scalar(select(Organisation).where(Organisation.id == sponsor_id))
    if body is None or body.kind is not OrganisationKind.PROGRAMME_BODY:
        raise ValidationError("the sponsor must be a programme body", field="sponsor_id")
    return sponsor_id


def _enum(enum_class: type[Mode] | type[ProgrammeKind], value: str, field_name: str) -> Any:
    try:
        return enum_class(str(value).strip())
    except ValueError:
        allowed = ", ".join(member.value for member in enum_class)
        raise ValidationError(f"{value!r} is not one of {allowed}", field=field_name) from None


def _check(session: Session, draft: ProgrammeDraft) -> _Checked:
    name = " ".join(str(draft.name).split())
    if not name:
        raise ValidationError("give the programme a name", field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(f"at most {MAX_NAME} characters", field="name")
    currency = str(draft.currency).strip().upper()
    try:
        minor_unit_exponent(currency)
    except ValidationError as error:
        raise ValidationError(error.message, field="currency") from None
    kind = _enum(ProgrammeKind, draft.kind, "kind")
    mode = _enum(Mode, draft.mode, "mode")
    kinds = []
    for i, raw in enumerate(draft.product_kinds):
        try:
            kinds.append(ProductKind(str(raw).strip()).value)
        except ValueError:
            allowed = ", ".join(k.value for k in ProductKind)
            raise ValidationError(f"{raw!r} is not one of {allowed}", field=f"product_kinds[{i}]") from None
    product_id = draft.platform_product_id
    enrolment = bool(draft.enrolment_required)
    if kind is ProgrammeKind.PLATFORM_POLICY:
        if product_id is None:
            raise ValidationError(
                "a platform-policy programme names the platform product", field="platform_product_id"
            )
        product = session.scalar(
            # The insurer's product is offered to the programme: its id and kind are what is checked.
            select(Product).where(Product.id == product_id).execution_options(tenant_exempt=True)
        )
        if product is None or product.kind is not ProductKind.PLATFORM:
            raise ValidationError(
                "choose an insurer's platform (cohort) product", field="platform_product_id"
            )
        kinds, enrolment = [ProductKind.PLATFORM.value], True
    elif product_id is not None:
        raise ValidationError(
            "only a platform-policy programme names a platform product", field="platform_product_id"
        )
    if not kinds:
        raise ValidationError("choose at least one product", field="product_kinds")
    rules = [rule.to_json() for rule in check_rules(list(draft.rules))]
    tiers = [tier.to_json() for tier in check_tiers(list(draft.tiers))]
    cap_minor = None
    if draft.cap is not None:
        if draft.cap.currency != currency:
            raise ValidationError(f"the cap is stated in the programme currency {currency}", field="cap")
        if draft.cap.is_negative:
            raise ValidationError("a cap cannot be negative", field="cap")
        cap_minor = draft.cap.minor_units
    if not isinstance(draft.starts_on, dt.date) or not isinstance(draft.ends_on, dt.date):
        raise ValidationError("give the first and last day", field="starts_on")
    if draft.ends_on < draft.starts_on:
        raise ValidationError("the last day comes on or after the first", field="ends_on")
    region = " ".join(str(draft.region or "").split()) or None
    description = " ".join(str(draft.description or "").split())
    if len(description) > 1000:
        raise ValidationError("at most 1000 characters", field="description")
    if region is not None and len(region) > 100:
        raise ValidationError("at most 100 characters", field="region")
    return _Checked(
        name=name,
        description=description,
        region=region,
        kind=kind,
        currency=currency,
        product_kinds=kinds,
        rules=rules,
        tiers=tiers,
        cap_minor=cap_minor,
        mode=mode,
        enrolment_required=enrolment,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        platform_product_id=product_id,
        is_active=bool(draft.is_active),
    )


def _name_taken(session: Session, sponsor_id: uuid.UUID, name: str, but: uuid.UUID | None) -> None:
    query = select(SubsidyProgramme.id).where(
        SubsidyProgramme.sponsor_id == sponsor_id, SubsidyProgramme.name == name
    )
    found = session.scalar(query)
    if found is not None and found != but:
        raise Conflict(f"the body already runs a programme called {name!r}", field="name")


def _audit(
    session: Session, actor: Actor, action: str, programme: SubsidyProgramme, **details: object
) -> None:
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=programme.sponsor_id,
        action=action,
        object_type="SubsidyProgramme",
        object_id=programme.id,
        details=dict(details),
    )


def create_programme(
    session: Session, actor: Actor, draft: ProgrammeDraft, *, sponsor_id: uuid.UUID | None = None
) -> SubsidyProgramme:
    """Define a programme for the officer's body (the platform admin names the body)."""
    sponsor = _sponsor(session, actor, sponsor_id)
    checked = _check(session, draft)
    _name_taken(session, sponsor, checked.name, None)
    programme = SubsidyProgramme(
        sponsor_id=sponsor,
        name=checked.name,
        description=checked.description,
        region=checked.region,
        kind=checked.kind,
        currency=checked.currency,
        product_kinds=checked.product_kinds,
        rules_json=checked.rules,
        tiers_json=checked.tiers,
        cap_minor=checked.cap_minor,
        mode=checked.mode,
        enrolment_required=checked.enrolment_required,
        starts_on=checked.starts_on,
        ends_on=checked.ends_on,
        platform_product_id=checked.platform_product_id,
        is_active=checked.is_active,
    )
    session.add(programme)
    session.flush()
    _audit(session, actor, "programme.created", programme, name=programme.name)
    return programme


def update_programme(
    session: Session, actor: Actor, programme_id: uuid.UUID, draft: ProgrammeDraft
) -> SubsidyProgramme:
    """Change a programme's terms; its currency is fixed once budgets exist."""
    programme = get_programme(session, actor, programme_id)
    _sponsor(session, actor, programme.sponsor_id)
    checked = _check(session, draft)
    _name_taken(session, programme.sponsor_id, checked.name, programme.id)
    has_budgets = session.scalar(
        select(ProgrammeBudget.id).where(ProgrammeBudget.programme_id == programme.id)
    )
    if has_budgets is not None and checked.currency != programme.currency:
        raise ValidationError(
            f"the programme has budgets in {programme.currency}; its currency cannot change", field="currency"
        )
    for name in (
        "name",
        "description",
        "region",
        "kind",
        "currency",
        "product_kinds",
        "cap_minor",
        "mode",
        "enrolment_required",
        "starts_on",
        "ends_on",
        "platform_product_id",
        "is_active",
    ):
        setattr(programme, name, getattr(checked, name))
    programme.rules_json = checked.rules
    programme.tiers_json = checked.tiers
    programme.updated_at = utcnow()
    session.flush()
    _audit(session, actor, "programme.updated", programme, name=programme.name)
    return programme


def set_budget(
    session: Session, actor: Actor, programme_id: uuid.UUID, year: int, amount: Money
) -> ProgrammeBudget:
    """Set a programme's budget for a year; never below what invoices have already committed."""
    programme = get_programme(session, actor, programme_id)
    _sponsor(session, actor, programme.sponsor_id)
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"a year between {MIN_YEAR} and {MAX_YEAR}", field="year")
    if amount.currency != programme.currency:
        raise ValidationError(
            f"the budget is stated in the programme currency {programme.currency}", field="amount"
        )
    if amount.is_negative:
        raise ValidationError("a budget cannot be negative", field="amount")
    budget = lock_budget(session, programme.id, year)
    if budget is None:
        budget = ProgrammeBudget(
            programme_id=programme.id,
            sponsor_id=programme.sponsor_id,
            year=year,
            currency=programme.currency,
            amount_minor=amount.minor_units,
            committed_minor=0,
            paid_minor=0,
        )
        session.add(budget)
    else:
        if amount.minor_units < budget.committed_minor:
            raise ValidationError(
                f"budget {year} cannot be {money_text(amount)} — "
                f"{money_text(budget.committed)} is already committed",
                field="amount",
            )
        budget.amount_minor = amount.minor_units
    session.flush()
    _audit(session, actor, "programme.budget_set", programme, year=year, amount=str(amount))
    return budget


def list_programmes(session: Session, actor: Actor) -> Sequence[SubsidyProgramme]:
    """The programmes the actor's body runs (all of them for the platform admin), by name."""
    actor.require(*MAY_RUN_PROGRAMMES)
    return session.scalars(
        select(SubsidyProgramme).order_by(SubsidyProgramme.name, SubsidyProgramme.id)
    ).all()


def get_programme(session: Session, actor: Actor, programme_id: uuid.UUID) -> SubsidyProgramme:
    """One programme of the actor's body; NotFound for anyone else's."""
    programme = session.scalar(select(SubsidyProgramme).where(SubsidyProgramme.id == programme_id))
    if programme is None:
        raise NotFound("no such programme", field="programme_id")
    return programme


def budgets_of(session: Session, programme_id: uuid.UUID) -> Sequence[ProgrammeBudget]:
    """A programme's budgets, by year (what the session may see)."""
    return session.scalars(
        select(ProgrammeBudget)
        .where(ProgrammeBudget.programme_id == programme_id)
        .order_by(ProgrammeBudget.year)
    ).all()


def find_programme(session: Session, actor: Actor, name_or_id: str) -> SubsidyProgramme:
    """A programme the actor may see, by its id or its exact name; NotFound otherwise."""
    text = name_or_id.strip()
    try:
        query = select(SubsidyProgramme).where(SubsidyProgramme.id == uuid.UUID(text))
    except ValueError:
        query = select(SubsidyProgramme).where(SubsidyProgramme.name == text)
    found = session.scalars(query.order_by(SubsidyProgramme.id)).first()
    if found is None:
        raise NotFound(f"no such programme: {text!r}", field="programme")
    return found


def platform_products(session: Session) -> Sequence[Product]:
    """Every insurer's active platform (cohort) product, which a platform-policy programme may name."""
    return session.scalars(
        select(Product)
        .where(Product.kind == ProductKind.PLATFORM, Product.is_active.is_(True))
        .order_by(Product.name, Product.id)
        # Insurers offer their platform products to programmes: officers choose among them by name.
        .execution_options(tenant_exempt=True)
    ).all()


def budget_in_view(budgets: Sequence[ProgrammeBudget], year: int) -> ProgrammeBudget | None:
    """The budget to show first: this year's, else the latest year's (a programme that has ended)."""
    for budget in budgets:
        if budget.year == year:
            return budget
    return max(budgets, key=lambda b: b.year, default=None)
