"""Administration: organisations (platform admin) and their users (platform admin, insurer admin)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.errors import DomainError, PermissionDenied, ValidationError
from tradecover.money import Money, to_decimal
from tradecover.parties.model import Organisation
from tradecover.parties.roles import ROLE_TITLES, ROLES_BY_KIND, OrganisationKind, Role
from tradecover.parties.service import (
    create_organisation,
    create_user,
    get_organisation,
    list_organisations,
    list_users,
)
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import KIND_TITLES, ORGANISATIONS_PATH, ROLE_PRECEDENCE

router = APIRouter(prefix=ORGANISATIONS_PATH)

SME_CHOICES = {"": None, "yes": True, "no": False}


def _organisations_context(page: Page) -> dict[str, Any]:
    return {
        "organisations": list_organisations(page.session, page.actor),
        # Pools are created with their members and shares (`tradecover pools create`, POST /pools).
        "kinds": [
            (kind.value, KIND_TITLES[kind]) for kind in OrganisationKind if kind is not OrganisationKind.POOL
        ],
        "kind_titles": KIND_TITLES,
    }


@router.get("", response_class=HTMLResponse)
def organisations(page: SignedIn) -> HTMLResponse:
    """Every organisation on the platform, and the form to register one."""
    page.actor.require(Role.PLATFORM_ADMIN)
    return render(page.request, "organisations.html", _organisations_context(page))


def _prior_year_exports(raw: str) -> Money | None:
    if not raw.strip():
        return None
    try:
        return Money.of(to_decimal(raw, field="prior_year_exports"), "USD")
    except ValidationError as error:
        raise ValidationError(error.message, field="prior_year_exports") from None


def _kind(raw: str) -> OrganisationKind:
    try:
        return OrganisationKind(raw)
    except ValueError:
        raise ValidationError("choose what kind of organisation this is", field="kind") from None


def _register(page: Page, form: FormData) -> Organisation:
    sme = text(form, "is_sme")
    if sme not in SME_CHOICES:
        raise ValidationError("choose yes, no or not stated", field="is_sme")
    return create_organisation(
        page.session,
        page.actor,
        name=text(form, "name"),
        kind=_kind(text(form, "kind")),
        country=text(form, "country"),
        region=text(form, "region").strip() or None,
        registration_number=text(form, "registration_number").strip() or None,
        is_sme=SME_CHOICES[sme],
        prior_year_exports=_prior_year_exports(text(form, "prior_year_exports")),
        sector=text(form, "sector").strip() or None,
    )


@router.post("", response_class=HTMLResponse)
def register_organisation(page: SignedIn, form: PostedForm) -> Response:
    """Register an organisation; a refused form comes back with its messages and nothing is saved."""
    page.actor.require(Role.PLATFORM_ADMIN)
    try:
        organisation = _register(page, form)
    except DomainError as error:
        return refused(
            page, "organisations.html", lambda: _organisations_context(page), field_errors(error), form
        )
    flash(page.request, f"{organisation.name} was registered. Add its first users below.")
    return RedirectResponse(f"{ORGANISATIONS_PATH}/{organisation.id}", status_code=303)


def _managed_organisation(page: Page, organisation_id: uuid.UUID) -> Organisation:
    # Found first (404 for what the tenant cannot see), then authorised (403).
    organisation = get_organisation(page.session, page.actor, organisation_id)
    if not (
        page.actor.is_platform_admin
        or (page.actor.has(Role.INSURER_ADMIN) and page.actor.organisation_id == organisation.id)
    ):
        raise PermissionDenied("only the platform admin or the organisation's admin manages its users")
    return organisation


def _organisation_context(page: Page, organisation: Organisation) -> dict[str, Any]:
    allowed = ROLES_BY_KIND[organisation.kind]
    return {
        "organisation": organisation,
        "kind_title": KIND_TITLES[organisation.kind],
        "prior_year_exports": (
            Money.from_minor(organisation.prior_year_exports_usd_minor, "USD")
            if organisation.prior_year_exports_usd_minor is not None
            else None
        ),
        "users": list_users(page.session, page.actor, organisation.id),
        "role_choices": [(role.value, ROLE_TITLES[role]) for role in ROLE_PRECEDENCE if role in allowed],
        "role_titles": ROLE_TITLES,
    }


@router.get("/{organisation_id}", response_class=HTMLResponse)
def organisation(page: SignedIn, organisation_id: uuid.UUID) -> HTMLResponse:
    """One organisation: its details, its users and the form to add one."""
    found = _managed_organisation(page, organisation_id)
    return render(page.request, "organisation.html", _organisation_context(page, found))


def _roles(form: FormData) -> list[Role]:
    try:
        return [Role(value) for value in form.getlist("roles") if isinstance(value, str)]
    except ValueError:
        raise ValidationError("choose roles from the list", field="roles") from None


@router.post("/{organisation_id}/users", response_class=HTMLResponse)
def add_user(page: SignedIn, organisation_id: uuid.UUID, form: PostedForm) -> Response:
    """Add a user with roles the organisation's kind allows and an initial password."""
    found = _managed_organisation(page, organisation_id)
    try:
        user = create_user(
            page.session,
            page.actor,
            organisation_id=found.id,
            email=text(form, "email"),
            full_name=text(form, "full_name"),
            roles=_roles(form),
            password=text(form, "password"),
        )
    except DomainError as error:
        return refused(
            page, "organisation.html", lambda: _organisation_context(page, found), field_errors(error), form
        )
    flash(page.request, f"{user.full_name} ({user.email}) can now sign in.")
    return RedirectResponse(f"{ORGANISATIONS_PATH}/{found.id}", status_code=303)
